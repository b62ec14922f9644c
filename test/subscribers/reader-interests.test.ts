import { describe, expect, it } from 'vitest';
import { parseSubscriberCsv } from '../../src/subscribers/parse-subscriber-csv.ts';
import { normalizeAuthorName } from '../../src/select/match-interests.ts';
import { parseInterestList, parseInterests } from '../../src/subscribers/reader-interests.ts';

const TOPICS = ['llm', 'agents', 'vision'];

describe('parseInterestList', () => {
  it('splits on ";" and line breaks, trims, collapses spaces and drops repeats ignoring case', () => {
    expect(parseInterestList(' diffusion  models ; RAG;\nrag\r\n;; mixture of experts ', 'keywords')).toEqual({
      values: ['diffusion models', 'RAG', 'mixture of experts'],
      problems: [],
    });
  });

  it('refuses regexes, hidden characters, one-letter and overlong values, and names each', () => {
    const { values, problems } = parseInterestList(`/a.*b/; x; ok word; in\u200Bvisible; ${'y'.repeat(81)}; ---`, 'exclude');
    expect(values).toEqual(['ok word']);
    expect(problems.map((p) => [p.value?.slice(0, 10), p.reason])).toEqual([
      ['/a.*b/', 'regular expressions are for the config; write the word or phrase'],
      ['x', 'must be 2–80 characters long'],
      ['in\u200Bvisible', 'contains an invisible character U+200B at position 3'],
      ['yyyyyyyyyy', 'must be 2–80 characters long'],
      ['---', 'has no letter or digit'],
    ]);
  });

  it('keeps the first 20 and says how many were given', () => {
    const text = Array.from({ length: 23 }, (_, i) => `keyword ${i}`).join(';');
    const { values, problems } = parseInterestList(text, 'keywords');
    expect(values).toHaveLength(20);
    expect(problems).toEqual([{ kind: 'keywords', code: 'too-many', reason: 'at most 20 keywords; 23 given' }]);
  });

  it('treats authors as the same person across accents, case and "Last, First"', () => {
    expect(parseInterestList('Müller, David; david muller; Łukasz Galas', 'authors').values).toEqual([
      'Müller, David',
      'Łukasz Galas',
    ]);
  });
});

describe('normalizeAuthorName', () => {
  it.each([
    ['Radosław Miernik', 'radoslaw miernik'],
    ['Miernik, Radosław', 'radoslaw miernik'],
    ['  Jiashi   FENG ', 'jiashi feng'],
    ['Ahmet Üstün', 'ahmet ustun'],
    ['Daniel D’Souza', 'daniel d souza'],
    ['Søren Hauberg', 'soren hauberg'],
  ])('%s → %s', (name, expected) => {
    expect(normalizeAuthorName(name)).toBe(expected);
  });
});

describe('parseInterests', () => {
  it('parses all three lists and gathers the problems', () => {
    const { interests, problems } = parseInterests({ keywords: 'RAG', authors: 'Yann LeCun\nx' });
    expect(interests).toEqual({ keywords: ['RAG'], exclude: [], authors: ['Yann LeCun'] });
    expect(problems).toEqual([{ kind: 'authors', code: 'length', value: 'x', reason: 'must be 2–80 characters long' }]);
  });
});

describe('subscriber CSV with interests', () => {
  it('reads keywords, exclude and authors when the header names them', () => {
    const csv = [
      'email,topics,keywords,exclude,authors',
      'a@example.org,llm,RAG; retrieval augmented generation,medical,Percy Liang; Chelsea Finn',
      'b@example.org,vision,,,',
    ].join('\n');
    const { rows, problems } = parseSubscriberCsv(csv, TOPICS);
    expect(problems).toEqual([]);
    expect(rows[0]!.interests).toEqual({
      keywords: ['RAG', 'retrieval augmented generation'],
      exclude: ['medical'],
      authors: ['Percy Liang', 'Chelsea Finn'],
    });
    // Present but empty: the reader's lists are cleared.
    expect(rows[1]!.interests).toEqual({ keywords: [], exclude: [], authors: [] });
  });

  it('leaves interests out of a row when the header does not name them (what is stored is kept)', () => {
    const { rows } = parseSubscriberCsv('email,topics,authors\na@example.org,llm,Percy Liang\n', TOPICS);
    expect(rows[0]!.interests).toEqual({ authors: ['Percy Liang'] });
    const plain = parseSubscriberCsv('email,topics\na@example.org,llm\n', TOPICS);
    expect(plain.rows[0]).not.toHaveProperty('interests');
  });

  it('reports a bad value with its line and column and leaves the row out', () => {
    const csv = 'email,topics,keywords\na@example.org,llm,/(a+)+$/\nb@example.org,llm,agents\n';
    const { rows, problems } = parseSubscriberCsv(csv, TOPICS);
    expect(rows.map((r) => r.email)).toEqual(['b@example.org']);
    expect(problems).toEqual([
      {
        line: 2,
        email: 'a@example.org',
        message: 'keywords: "/(a+)+$/" regular expressions are for the config; write the word or phrase',
      },
    ]);
  });
});
