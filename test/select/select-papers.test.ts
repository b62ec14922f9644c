import { describe, expect, it } from 'vitest';
import { DEFAULT_DOMAINS } from '../../src/config/default-domains.ts';
import { ConfigError } from '../../src/errors.ts';
import { compareIdsNewestFirst, selectPapers } from '../../src/select/select-papers.ts';
import type { AnnounceType, Domain, DomainSelection, Paper } from '../../src/types.ts';
import { domain as baseDomain, paper, sampleDayPapers } from '../support/builders.ts';

const domain = (id: string, overrides: Partial<Domain> = {}): Domain =>
  baseDomain(id, { announceTypes: ['new', 'cross', 'replace', 'replace-cross'], ...overrides });



function ids(selection: DomainSelection | undefined): string[] {
  return (selection?.matches ?? []).map((match) => match.paper.id);
}

function only(papers: Paper[], rule: Domain): DomainSelection {
  const [selection] = selectPapers(papers, [rule]);
  if (!selection) throw new Error('no selection');
  return selection;
}

const agents = domain('agents', { categories: ['cs.AI', 'cs.MA'], include: ['agent', 'tool use', 'multi-agent'] });

describe('selectPapers: who belongs', () => {
  it.each<[string, Partial<Paper>, boolean]>([
    ['keyword in title', { title: 'An Agent for Chemistry' }, true],
    ['keyword in abstract', { abstract: 'We build agents that plan.' }, true],
    ['keyword only inside another word', { title: 'A Reagent Study', abstract: 'Reagents and agency.' }, false],
    ['no keyword', {}, false],
    ['cross-listed category counts', { title: 'Agents', categories: ['cs.RO', 'cs.MA'] }, true],
    ['category not in the domain', { title: 'Agents', categories: ['cs.RO', 'cs.CV'] }, false],
    ['announce type not wanted', { title: 'Agents', announceType: 'replace' }, false],
    ['cross-list wanted', { title: 'Agents', announceType: 'cross' }, true],
  ])('%s → %s', (_label, overrides, expected) => {
    const rule = { ...agents, announceTypes: ['new', 'cross'] satisfies AnnounceType[] };
    expect(ids(only([paper('2511.00001', overrides)], rule))).toEqual(expected ? ['2511.00001'] : []);
  });

  it.each<[string, Partial<Paper>]>([
    ['in the title', { title: 'Agents for Drug Discovery' }],
    ['in the abstract', { title: 'Agents', abstract: 'Applied to drug discovery.' }],
  ])('an exclude pattern %s leaves the paper out', (_label, overrides) => {
    const rule = { ...agents, exclude: ['drug discovery'] };
    expect(ids(only([paper('2511.00001', overrides)], rule))).toEqual([]);
    expect(ids(only([paper('2511.00001', overrides)], agents))).toEqual(['2511.00001']);
  });

  it('an empty category list takes any category', () => {
    const rule = domain('any', { include: ['agent'] });
    const found = only([paper('1', { title: 'Agent', categories: ['q-bio.NC'] })], rule);
    expect(ids(found)).toEqual(['1']);
  });

  it.each<[string, Domain | undefined]>([
    ['an empty include', domain('vision', { categories: ['cs.CV'], announceTypes: ['new', 'cross'] })],
    ['a minScore of 0 (the default vision domain)', DEFAULT_DOMAINS.find((d) => d.id === 'vision')],
  ])('%s takes every paper of the categories', (_label, vision) => {
    if (!vision) throw new Error('vision domain missing');
    const papers = [
      paper('2511.00001', { categories: ['cs.CV'] }),
      paper('2511.00002', { categories: ['cs.LG', 'cs.CV'], announceType: 'cross' }),
      paper('2511.00003', { categories: ['cs.LG'] }),
      paper('2511.00004', { categories: ['cs.CV'], announceType: 'replace' }),
    ];
    const selection = only(papers, vision);
    expect(ids(selection)).toEqual(['2511.00001', '2511.00002']);
    expect(selection.matches.map((match) => [match.matchedIn, match.keywords, match.domainId])).toEqual([
      ['category', [], 'vision'],
      ['category', [], 'vision'],
    ]);
  });

  it('records where and which keywords matched (title first, each once)', () => {
    const found = only(
      [paper('1', { title: 'Tool Use for Agents', abstract: 'Multi-agent tool use with one agent.' })],
      agents,
    );
    expect(found.matches[0]).toMatchObject({
      domainId: 'agents',
      matchedIn: 'title',
      keywords: ['agent', 'tool use', 'multi-agent'],
    });
    const inAbstract = only([paper('2', { abstract: 'A multi-agent system.' })], agents);
    expect(inAbstract.matches[0]).toMatchObject({ matchedIn: 'abstract', keywords: ['agent', 'multi-agent'] });
  });

  it.each<[string, Partial<Paper>, boolean]>([
    ['one abstract mention', { abstract: 'An agent.' }, false],
    ['two abstract mentions', { abstract: 'An agent helps another agent.' }, false],
    ['a title mention', { title: 'An Agent' }, true],
    ['three abstract mentions', { abstract: 'An agent, an agent, an agent.' }, true],
  ])('minScore 3: %s → %s', (_label, overrides, expected) => {
    const rule = { ...agents, minScore: 3 };
    expect(ids(only([paper('2511.00001', overrides)], rule))).toEqual(expected ? ['2511.00001'] : []);
  });

  it('returns one selection per domain, in the given order, empty ones too', () => {
    const rules = [domain('b', { include: ['zebra'] }), agents, domain('a', { include: ['agent'] })];
    const selections = selectPapers([paper('1', { title: 'Agent' })], rules);
    expect(selections.map((s) => [s.domain.id, ids(s)])).toEqual([
      ['b', []],
      ['agents', ['1']],
      ['a', ['1']],
    ]);
  });

  it('counts a paper fetched twice once', () => {
    const twice = [paper('1', { title: 'Agent' }), paper('1', { title: 'Agent (second copy)' })];
    const selection = only(twice, agents);
    expect(selection.matches.map((match) => match.paper.title)).toEqual(['Agent']);
  });

  it('throws a ConfigError for an invalid raw regex', () => {
    expect(() => selectPapers([], [domain('bad', { include: ['/(/'] })])).toThrow(ConfigError);
  });
});

describe('selectPapers: ranking', () => {
  it('ranks by evidence: a title mention outweighs two abstract mentions, more mentions outweigh one title', () => {
    const papers = [
      paper('2511.00009', { abstract: 'An agent and another agent.' }),
      paper('2511.00001', { title: 'An Agent' }),
      paper('2511.00005', { title: 'Agent', abstract: 'Tool use by an agent.' }),
    ];
    expect(ids(only(papers, agents))).toEqual(['2511.00005', '2511.00001', '2511.00009']);
  });

  it('breaks a tie of equal score by announce type: new, cross, replace, replace-cross', () => {
    const papers = [
      paper('2511.00004', { title: 'Agent', announceType: 'replace-cross' }),
      paper('2511.00003', { title: 'Agent', announceType: 'replace' }),
      paper('2511.00002', { title: 'Agent', announceType: 'cross' }),
      paper('2511.00001', { title: 'Agent', announceType: 'new' }),
    ];
    expect(ids(only(papers, agents))).toEqual(['2511.00001', '2511.00002', '2511.00003', '2511.00004']);
  });

  it('puts a more relevant cross-list above a less relevant new paper: announce type only breaks ties', () => {
    const papers = [
      paper('2511.00002', { abstract: 'An agent.', announceType: 'new' }),
      paper('2511.00001', { title: 'Multi-Agent Tool Use', announceType: 'cross' }),
    ];
    expect(ids(only(papers, agents))).toEqual(['2511.00001', '2511.00002']);
  });

  it('puts a paper without an abstract after those with one, whatever its score: a mail entry is a summary', () => {
    const papers = [
      paper('2511.00002', { title: 'Multi-Agent Tool Use for Agents', abstract: ' ' }),
      paper('2511.00001', { abstract: 'An agent.' }),
    ];
    expect(ids(only(papers, agents))).toEqual(['2511.00001', '2511.00002']);
  });

  it('ranks more evidence higher: title mentions weigh more, repeated abstract mentions count', () => {
    const papers = [
      paper('2511.00001', { title: 'Agent' }),
      paper('2511.00002', { title: 'Agent', abstract: 'Tool use and multi-agent play.' }),
      paper('2511.00003', { title: 'Multi-Agent Tool Use' }),
      paper('2511.00004', { title: 'Agents', abstract: 'Agents, agents.' }),
    ];
    const selection = only(papers, agents);
    expect(ids(selection)).toEqual(['2511.00003', '2511.00002', '2511.00004', '2511.00001']);
    const score = (id: string) => selection.matches.find((match) => match.paper.id === id)?.score ?? NaN;
    expect(score('2511.00003')).toBeGreaterThan(score('2511.00002'));
    expect(score('2511.00002')).toBeGreaterThan(score('2511.00004'));
  });

  it('adds the domain’s category priors', () => {
    const rule = { ...agents, categoryWeights: { 'cs.MA': 2 } };
    const papers = [
      paper('2511.00002', { title: 'Agent', categories: ['cs.AI', 'cs.MA'] }),
      paper('2511.00001', { title: 'Agent', categories: ['cs.AI'] }),
    ];
    expect(ids(only(papers, rule))).toEqual(['2511.00002', '2511.00001']);
  });

  it('breaks ties with newer ids first, old-style ids after new-style ones', () => {
    const papers = ['cs/0112017', '2501.00001', '2511.10593', '0704.0001', '2511.09557', '2511.10600'].map((id) =>
      paper(id, { title: 'Agent' }),
    );
    expect(ids(only(papers, agents))).toEqual([
      '2511.10600',
      '2511.10593',
      '2511.09557',
      '2501.00001',
      '0704.0001',
      'cs/0112017',
    ]);
  });

  it('is deterministic whatever the input order', () => {
    const papers = [
      paper('2511.00001', { title: 'Agent', announceType: 'cross' }),
      paper('2511.00002', { abstract: 'agent' }),
      paper('2511.00003', { title: 'Agent tool use' }),
      paper('2511.00004', { title: 'Agent' }),
      paper('2511.00005', { title: 'Agent' }),
    ];
    const forward = ids(only(papers, agents));
    expect(ids(only([...papers].reverse(), agents))).toEqual(forward);
    expect(forward).toEqual(['2511.00003', '2511.00005', '2511.00004', '2511.00001', '2511.00002']);
  });
});

describe('compareIdsNewestFirst', () => {
  it.each([
    ['2511.10593', '2511.09557', -1],
    ['2511.09557', '2511.10593', 1],
    ['2501.00001', '2412.99999', -1],
    ['1501.00001', '0704.0001', -1],
    ['0704.0001', 'math.GT/0309136', -1],
    ['hep-ex/0307015', 'hep-th/9901001', -1],
    ['2511.10593', '2511.10593', 0],
    ['2511.10593', 'weird', -1],
  ])('%s vs %s → %i', (a, b, sign) => {
    expect(Math.sign(compareIdsNewestFirst(a, b))).toBe(sign);
  });
});



const samplePapers = await sampleDayPapers();

describe('selectPapers on the 2025-11-14 feed with the default domains', () => {
  const papers = samplePapers;
  const selections = selectPapers(papers, DEFAULT_DOMAINS);
  const byId = new Map(selections.map((selection) => [selection.domain.id, selection]));

  it('reads the fixture', () => {
    expect(papers).toHaveLength(20);
  });

  it('vision takes every new or cross-listed cs.CV paper', () => {
    const expected = papers
      .filter((p) => p.categories.includes('cs.CV') && (p.announceType === 'new' || p.announceType === 'cross'))
      .map((p) => p.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(new Set(ids(byId.get('vision')))).toEqual(new Set(expected));
  });

  it('leaves replacements out of every default domain', () => {
    const replaced = new Set(papers.filter((p) => p.announceType.startsWith('replace')).map((p) => p.id));
    for (const selection of selections) for (const id of ids(selection)) expect(replaced.has(id)).toBe(false);
  });

  it('finds known papers by their titles and ranks every domain by score', () => {
    // "Black-Box On-Policy Distillation of Large Language Models"
    expect(byId.get('llm')?.matches.find((m) => m.paper.id === '2511.10643')?.matchedIn).toBe('title');
    // "Towards an Agentic Workflow for Internet Measurement Research"
    expect(byId.get('agents')?.matches.find((m) => m.paper.id === '2511.10611')?.matchedIn).toBe('title');
    for (const selection of selections) {
      const scores = selection.matches.map((m) => m.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
  });
});
