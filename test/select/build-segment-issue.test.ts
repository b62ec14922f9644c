import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_DOMAINS } from '../../src/config/default-domains.ts';
import { ConfigError } from '../../src/errors.ts';
import {
  buildSegmentIssue,
  groupIntoSegments,
  segmentIdOf,
  segmentKeyOf,
} from '../../src/select/index.ts';
import { selectPapers } from '../../src/select/select-papers.ts';
import { domain, paper, sampleDayPapers } from '../support/builders.ts';
import type { ChineseText, Domain, Language, Paper, SegmentIssue, SegmentKey } from '../../src/types.ts';



const ORDER = DEFAULT_DOMAINS.map((d) => d.id);
const BATCH = '2025-11-14';
const noChinese = () => null;

function shown(issue: SegmentIssue): Record<string, string[]> {
  return Object.fromEntries(issue.sections.map((s) => [s.domain.id, s.entries.map((e) => e.paper.id)]));
}

describe('segmentIdOf', () => {
  it.each<[SegmentKey, string]>([
    [{ topics: ['llm', 'agents'], language: 'bilingual' }, 'bilingual.agents+llm'],
    [{ topics: ['agents', 'llm'], language: 'bilingual' }, 'bilingual.agents+llm'],
    [{ topics: ['vision'], language: 'zh' }, 'zh.vision'],
    [{ topics: ['robotics', 'Vision', 'evaluation'], language: 'en' }, 'en.Vision+evaluation+robotics'],
    [{ topics: ['a/b', 'c d', 'x+y'], language: 'en' }, 'en.a~2Fb+c~20d+x~2By'],
    [{ topics: ['数学'], language: 'zh' }, 'zh.~E6~95~B0~E5~AD~A6'],
    [{ topics: ['a~2Fb'], language: 'en' }, 'en.a~7E2Fb'],
  ])('%j → %s', (key, id) => {
    expect(segmentIdOf(key)).toBe(id);
    expect(segmentIdOf(key)).toMatch(/^[A-Za-z0-9_.+~-]+$/);
  });

  it('throws for a segment without topics', () => {
    expect(() => segmentIdOf({ topics: [], language: 'en' })).toThrow(ConfigError);
  });
});

describe('segmentKeyOf', () => {
  it.each<[string[], Language, SegmentKey]>([
    [['agents', 'llm'], 'bilingual', { topics: ['llm', 'agents'], language: 'bilingual' }],
    [['robotics', 'llm', 'llm', 'nope'], 'zh', { topics: ['llm', 'robotics'], language: 'zh' }],
    [['nope'], 'en', { topics: [], language: 'en' }],
    [[], 'en', { topics: [], language: 'en' }],
  ])('%j %s → %j', (topics, language, key) => {
    expect(segmentKeyOf(topics, language, ORDER)).toEqual(key);
  });
});

describe('groupIntoSegments', () => {
  it('groups readers with the same topics and language, whatever the order they picked them in', () => {
    const readers = [
      { email: 'a@x', topics: ['agents', 'llm'], language: 'bilingual' as const },
      { email: 'b@x', topics: ['llm', 'agents', 'gone'], language: 'bilingual' as const },
      { email: 'c@x', topics: ['llm', 'agents'], language: 'zh' as const },
      { email: 'd@x', topics: ['gone'], language: 'en' as const },
      { email: 'e@x', topics: [], language: 'en' as const },
      { email: 'f@x', topics: ['vision'], language: 'en' as const },
    ];
    const { segments, noTopics } = groupIntoSegments(readers, ORDER);
    expect([...segments.entries()].map(([id, s]) => [id, s.key, s.readers.map((r) => r.email)])).toEqual([
      ['bilingual.agents+llm', { topics: ['llm', 'agents'], language: 'bilingual' }, ['a@x', 'b@x']],
      ['zh.agents+llm', { topics: ['llm', 'agents'], language: 'zh' }, ['c@x']],
      ['en.vision', { topics: ['vision'], language: 'en' }, ['f@x']],
    ]);
    expect(noTopics.map((r) => r.email)).toEqual(['d@x', 'e@x']);
  });

  it('accepts any iterable', () => {
    function* readers() {
      yield { topics: ['llm'], language: 'en' as const };
    }
    expect([...groupIntoSegments(readers(), ORDER).segments.keys()]).toEqual(['en.llm']);
  });
});

describe('buildSegmentIssue', () => {
  const llm = domain('llm', { include: ['LLM', 'language model'], cap: 2 });
  const agents = domain('agents', { include: ['agent'], cap: 2 });
  const vision = domain('vision', { categories: ['cs.CV'], cap: 3 });
  const config = [llm, agents, vision];
  const papers = [
    paper('2511.00001', { title: 'LLM Agents', abstract: 'An LLM agent.' }),
    paper('2511.00002', { title: 'Agents', abstract: 'Agents built on a language model.' }),
    paper('2511.00003', { title: 'LLM Scaling' }),
    paper('2511.00004', { title: 'Tokenizers', abstract: 'For an LLM.' }),
    paper('2511.00005', { title: 'More LLM' }),
    paper('2511.00006', { title: 'Segmenting Cats', categories: ['cs.CV'] }),
    paper('2511.00007', { title: 'LLM for Images', categories: ['cs.CV', 'cs.CL'] }),
  ];
  const selections = selectPapers(papers, config);
  const order = config.map((d) => d.id);

  it('shows a paper once, in its best domain, with alsoIn naming the others', () => {
    const key = segmentKeyOf(['agents', 'llm', 'vision'], 'en', order);
    const issue = buildSegmentIssue(selections, key, BATCH, noChinese);
    expect(issue.segmentId).toBe('en.agents+llm+vision');
    expect(issue.batchDate).toBe(BATCH);
    expect(issue.key).toEqual({ topics: ['llm', 'agents', 'vision'], language: 'en' });
    // 00001 is a title match in both llm and agents with the same score: the tie goes to llm (first in config).
    // 00002 is a title match in agents but only an abstract match in llm: it goes to agents.
    // 00007 is a title match in llm and a category-only match in vision: it goes to llm.
    expect(shown(issue)).toEqual({
      llm: ['2511.00001', '2511.00007'],
      agents: ['2511.00002'],
      vision: ['2511.00006'],
    });
    const alsoIn = Object.fromEntries(issue.sections.flatMap((s) => s.entries.map((e) => [e.paper.id, e.alsoIn])));
    expect(alsoIn).toEqual({
      '2511.00001': ['agents'],
      '2511.00007': ['vision'],
      '2511.00002': ['llm'],
      '2511.00006': [],
    });
  });

  it('applies the cap after de-duplication; more counts the rest, total the whole domain', () => {
    const key: SegmentKey = { topics: ['llm', 'agents', 'vision'], language: 'en' };
    const issue = buildSegmentIssue(selections, key, BATCH, noChinese);
    const counts = issue.sections.map((s) => [s.domain.id, s.entries.length, s.more, s.total]);
    // llm matched 6 papers; 00002 went to agents, so 5 remain: 2 shown, 3 more.
    expect(counts).toEqual([
      ['llm', 2, 3, 6],
      ['agents', 1, 0, 2],
      ['vision', 1, 0, 2],
    ]);
  });

  it('keeps a paper in its domain when the reader did not pick the better one', () => {
    const issue = buildSegmentIssue(selections, { topics: ['agents'], language: 'en' }, BATCH, noChinese);
    // Same score (title + abstract hit each): the newer id comes first.
    expect(shown(issue)).toEqual({ agents: ['2511.00002', '2511.00001'] });
    expect(issue.sections[0]?.entries.every((e) => e.alsoIn.length === 0)).toBe(true);
  });

  it('returns the reader’s empty domains as empty sections, in config order', () => {
    const robotics = domain('robotics', { include: ['robot'] });
    const withRobotics = selectPapers(papers, [...config, robotics]);
    const issue = buildSegmentIssue(withRobotics, { topics: ['vision', 'robotics'], language: 'en' }, BATCH, noChinese);
    expect(issue.sections.map((s) => [s.domain.id, s.entries, s.more, s.total])).toEqual([
      ['vision', issue.sections[0]?.entries, 0, 2],
      ['robotics', [], 0, 0],
    ]);
    expect(issue.sections[0]?.entries).toHaveLength(2);
  });

  it('gives Chinese only to bilingual and zh segments; en segments get the English TL;DR and points alone', () => {
    const chinese: ChineseText = { titleZh: '标题', abstractZh: '摘要' };
    const chineseOf = vi.fn((p: Paper) => (p.id === '2511.00006' ? chinese : null));
    const zh = buildSegmentIssue(selections, { topics: ['vision'], language: 'zh' }, BATCH, chineseOf);
    expect(zh.sections[0]?.entries.map((e) => [e.paper.id, e.chinese])).toEqual([
      ['2511.00007', null],
      ['2511.00006', chinese],
    ]);
    const en = buildSegmentIssue(selections, { topics: ['vision'], language: 'en' }, BATCH, chineseOf);
    expect(en.sections[0]?.entries.every((e) => e.chinese === null)).toBe(true);
    // With a summary in the record, an English reader gets its English half and nothing Chinese.
    const summarised: ChineseText = { ...chinese, tldrEn: 'It works.', tldrZh: '有效。', pointsEn: ['A.'], pointsZh: ['甲。'] };
    const withSummary = buildSegmentIssue(selections, { topics: ['vision'], language: 'en' }, BATCH, (p) =>
      p.id === '2511.00006' ? summarised : null,
    );
    expect(withSummary.sections[0]?.entries.map((e) => [e.paper.id, e.chinese])).toEqual([
      ['2511.00007', null],
      ['2511.00006', { titleZh: null, abstractZh: null, tldrEn: 'It works.', pointsEn: ['A.'] }],
    ]);
  });

  it('ranks entries inside a section as selectPapers does, even from unsorted selections', () => {
    const shuffled = selections.map((s) => ({ ...s, matches: [...s.matches].reverse() }));
    const key: SegmentKey = { topics: ['llm', 'agents', 'vision'], language: 'en' };
    expect(buildSegmentIssue(shuffled, key, BATCH, noChinese)).toEqual(
      buildSegmentIssue(selections, key, BATCH, noChinese),
    );
  });

  it('throws a ConfigError when the key names a domain without a selection', () => {
    expect(() => buildSegmentIssue(selections, { topics: ['llm', 'gone'], language: 'en' }, BATCH, noChinese)).toThrow(
      ConfigError,
    );
  });

  it('moves a paper to a later domain only when it fits strictly better there', () => {
    const first = domain('first', { include: ['agent'] });
    const second = domain('second', { include: ['agent', 'planning'] });
    const both = [
      paper('2511.00001', { title: 'Agent', abstract: 'planning' }),
      paper('2511.00002', { title: 'Agent' }),
    ];
    const key: SegmentKey = { topics: ['first', 'second'], language: 'en' };
    const issue = buildSegmentIssue(selectPapers(both, [first, second]), key, BATCH, noChinese);
    expect(shown(issue)).toEqual({ first: ['2511.00002'], second: ['2511.00001'] });
    expect(issue.sections.map((s) => s.entries.map((e) => e.alsoIn))).toEqual([[['second']], [['first']]]);
  });
});

describe('placement under caps (issue 12)', () => {
  const topics = (capA: number, capB: number, capC = 1) => [
    domain('a', { include: ['alpha'], cap: capA }),
    domain('b', { include: ['beta'], cap: capB }),
    domain('c', { include: ['gamma'], cap: capC }),
  ];
  const p = (n: number, title: string, abstract: string) => paper(`2511.0000${n}`, { title, abstract });
  // Scores: a title mention counts 3, each abstract mention 1; a title match fits better than an abstract one.
  const strongA = p(1, 'Alpha', 'alpha alpha'); // a: 5 (title)
  const strongB = p(3, 'Beta', 'beta beta'); // b: 5 (title)
  const aThenB = p(2, 'Alpha', 'beta'); // a: 3 (title), b: 1 (abstract)
  const tie = p(4, 'Alpha beta', 'Nothing else.'); // a: 3, b: 3, both titles

  type Placed = Record<string, { shown: string[]; more: number; alsoIn?: Record<string, string[]> }>;
  const placed = (issue: SegmentIssue): Placed =>
    Object.fromEntries(
      issue.sections.map((s) => {
        const tags = Object.fromEntries(s.entries.filter((e) => e.alsoIn.length > 0).map((e) => [e.paper.id.slice(-1), e.alsoIn]));
        const row = { shown: s.entries.map((e) => e.paper.id.slice(-1)), more: s.more };
        return [s.domain.id, Object.keys(tags).length > 0 ? { ...row, alsoIn: tags } : row];
      }),
    );

  it.each<[string, Domain[], Paper[], Placed]>([
    [
      'the best topic is full: the paper goes to the next one with room, tagged with the first',
      topics(1, 1),
      [strongA, aThenB],
      { a: { shown: ['1'], more: 0 }, b: { shown: ['2'], more: 0, alsoIn: { '2': ['a'] } }, c: { shown: [], more: 0 } },
    ],
    [
      'no topic has room: behind "and N more" of its best topic',
      topics(1, 1),
      [strongA, aThenB, strongB],
      { a: { shown: ['1'], more: 1 }, b: { shown: ['3'], more: 0 }, c: { shown: [], more: 0 } },
    ],
    [
      'a tie goes to the earlier topic',
      topics(2, 2),
      [tie],
      { a: { shown: ['4'], more: 0, alsoIn: { '4': ['b'] } }, b: { shown: [], more: 0 }, c: { shown: [], more: 0 } },
    ],
    [
      'a tie whose earlier topic is full goes to the later one',
      topics(1, 1),
      [strongA, tie],
      { a: { shown: ['1'], more: 0 }, b: { shown: ['4'], more: 0, alsoIn: { '4': ['a'] } }, c: { shown: [], more: 0 } },
    ],
    [
      'several multi-topic papers compete: each ends in the best topic that keeps it',
      topics(1, 1, 1),
      [p(1, 'Alpha', 'alpha alpha beta'), p(2, 'Alpha', 'beta gamma'), p(3, 'Beta', 'beta')],
      {
        a: { shown: ['1'], more: 0, alsoIn: { '1': ['b'] } },
        b: { shown: ['3'], more: 0 },
        c: { shown: ['2'], more: 0, alsoIn: { '2': ['a', 'b'] } },
      },
    ],
    [
      'a stronger paper keeps its place over a weaker one that has nowhere else to go',
      topics(1, 1),
      [p(1, 'Alpha', 'Nothing else.'), p(2, 'Alpha', 'alpha alpha beta')],
      { a: { shown: ['2'], more: 1, alsoIn: { '2': ['b'] } }, b: { shown: [], more: 0 }, c: { shown: [], more: 0 } },
    ],
    [
      'a cap of 0 shows nothing and passes its papers on',
      topics(0, 1),
      [p(1, 'Alpha', 'Nothing else.'), tie],
      { a: { shown: [], more: 1 }, b: { shown: ['4'], more: 0, alsoIn: { '4': ['a'] } }, c: { shown: [], more: 0 } },
    ],
    [
      'caps of 1 everywhere: one paper per topic, the rest behind "and N more"',
      topics(1, 1, 1),
      [strongA, aThenB, strongB, tie, p(5, 'Gamma', 'alpha')],
      {
        a: { shown: ['1'], more: 2 },
        b: { shown: ['3'], more: 0 },
        c: { shown: ['5'], more: 0, alsoIn: { '5': ['a'] } },
      },
    ],
  ])('%s', (_, domains, papers, expected) => {
    const key: SegmentKey = { topics: domains.map((d) => d.id), language: 'en' };
    const issue = buildSegmentIssue(selectPapers(papers, domains), key, BATCH, noChinese);
    expect(placed(issue)).toEqual(expected);
    // The same papers in another order place the same way.
    const reversed = buildSegmentIssue(selectPapers([...papers].reverse(), domains), key, BATCH, noChinese);
    expect(reversed).toEqual(issue);
    // Every paper of the reader's topics is in exactly one place: shown or behind one "and N more".
    const matching = new Set(selectPapers(papers, domains).flatMap((s) => s.matches.map((m) => m.paper.id)));
    expect(issue.sections.reduce((n, s) => n + s.entries.length + s.more, 0)).toBe(matching.size);
  });

  describe('the sample day, reader wang.fang (reasoning, evaluation, llm)', () => {
    const key = segmentKeyOf(['reasoning', 'evaluation', 'llm'], 'bilingual', ORDER);

    it.each([1, 2, 3])('caps of %i: a topic with room lists the papers that fit it, none hides behind a full one', async (cap) => {
      const papers = await sampleDayPapers();
      const domains = DEFAULT_DOMAINS.map((d) => ({ ...d, cap }));
      const selections = selectPapers(papers, domains);
      const issue = buildSegmentIssue(selections, key, BATCH, noChinese);
      const where = new Map(issue.sections.flatMap((s) => s.entries.map((e) => [e.paper.id, s.domain.id] as const)));
      for (const [index, section] of issue.sections.entries()) {
        expect(section.entries.length).toBeLessThanOrEqual(cap);
        // A section with room shows every paper of its topic that is not shown elsewhere.
        if (section.entries.length < cap) {
          const ids = selections.find((s) => s.domain.id === section.domain.id)!.matches.map((m) => m.paper.id);
          expect(ids.every((id) => where.has(id)), `${section.domain.id} #${index}`).toBe(true);
        }
      }
    });

    it('caps of 2: 2511.10615 (LLM and Evaluation) goes to Evaluation instead of behind LLM’s "and N more"', async () => {
      const domains = DEFAULT_DOMAINS.map((d) => ({ ...d, cap: 2 }));
      const issue = buildSegmentIssue(selectPapers(await sampleDayPapers(), domains), key, BATCH, noChinese);
      // Before issue 12, Evaluation listed nothing and said its paper was "listed above": it sat behind "and 3 more".
      expect(shown(issue)).toEqual({
        llm: ['2511.10628', '2511.10643'],
        reasoning: ['2511.10621', '2511.10648'],
        evaluation: ['2511.10615'],
      });
      expect(issue.sections.map((s) => [s.domain.id, s.more, s.total])).toEqual([
        ['llm', 2, 6],
        ['reasoning', 0, 3],
        ['evaluation', 0, 1],
      ]);
      expect(issue.sections[2]?.entries[0]?.alsoIn).toEqual(['llm']);
    });
  });
});
