import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/arxiv/parse-feed.ts';
import { compileInterests, matchInterests } from '../../src/select/match-interests.ts';
import type { Paper } from '../../src/types.ts';

function paper(id: string, title: string, abstract: string, authors: string[]): Paper {
  return {
    id,
    version: 1,
    title,
    abstract,
    authors: authors.map((name) => ({ name, affiliations: [] })),
    categories: ['cs.CL'],
    announceType: 'new',
    links: { abs: '', pdf: '', html: '', papersCool: '' },
  };
}

const PAPERS = [
  paper('1', 'Retrieval-augmented generation for clinics', 'We study RAG in medical notes.', ['Ana Müller']),
  paper('2', 'Sparse mixture of experts', 'A mixture-of-experts model; we compare with RAG.', ['Bo Li']),
  paper('3', 'Agents that browse', 'Web agents.', ['Ana Muller', 'Chen Wei']),
  paper('4', 'Better RAG and mixture of experts', 'Combines both.', ['Dana Ross']),
  paper('5', 'Unrelated', 'Nothing here; storage and average.', ['Eve Stone']),
];

describe('matchInterests', () => {
  it('finds followed authors across accents, keywords as whole words, and exclusions first', () => {
    const matcher = compileInterests({
      keywords: ['RAG', 'mixture of experts'],
      exclude: ['medical'],
      authors: ['Müller, Ana'],
    });
    const result = matchInterests(matcher, PAPERS);
    // Paper 1 is by the followed author but names an excluded keyword: excluded wins.
    expect([...result.excluded]).toEqual(['1']);
    expect(result.byAuthor.map((m) => [m.paper.id, m.authors])).toEqual([['3', ['Müller, Ana']]]);
    // More keywords first, then more of them in the title; "average"/"storage" do not match RAG.
    expect(result.byKeyword.map((m) => [m.paper.id, m.keywords, m.inTitle])).toEqual([
      ['4', ['RAG', 'mixture of experts'], 2],
      ['2', ['RAG', 'mixture of experts'], 1],
    ]);
  });

  it('with no interests picks and excludes nothing', () => {
    const result = matchInterests(compileInterests({ keywords: [], exclude: [], authors: [] }), PAPERS);
    expect(result).toEqual({ byAuthor: [], byKeyword: [], excluded: new Set() });
  });

  it('finds a real author of the full day by a folded spelling', async () => {
    const xml = await readFile(new URL('../fixtures/full-days/rss-2025-10-22.xml', import.meta.url), 'utf8');
    const { papers } = await parseFeed(xml, 'rss-2025-10-22.xml');
    const accented = papers.flatMap((p) => p.authors.map((a) => ({ paper: p, name: a.name }))).find((a) => /[À-ž]/.test(a.name));
    expect(accented).toBeDefined();
    const folded = accented!.name.normalize('NFKD').replace(/\p{M}+/gu, '').toUpperCase();
    const result = matchInterests(compileInterests({ keywords: [], exclude: [], authors: [folded] }), papers);
    expect(result.byAuthor.map((m) => m.paper.id)).toContain(accented!.paper.id);
  });
});
