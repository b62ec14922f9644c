import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_DOMAINS } from '../../src/config/default-domains.ts';
import { ConfigError } from '../../src/errors.ts';
import {
  buildSegmentIssue,
  groupIntoSegments,
  segmentIdOf,
  segmentKeyOf,
} from '../../src/select/build-segment-issue.ts';
import { selectPapers } from '../../src/select/select-papers.ts';
import { domain, paper } from '../support/builders.ts';
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

  it('asks for Chinese only for bilingual and zh segments', () => {
    const chinese: ChineseText = { titleZh: '标题', abstractZh: '摘要' };
    const chineseOf = vi.fn((p: Paper) => (p.id === '2511.00006' ? chinese : null));
    const zh = buildSegmentIssue(selections, { topics: ['vision'], language: 'zh' }, BATCH, chineseOf);
    expect(zh.sections[0]?.entries.map((e) => [e.paper.id, e.chinese])).toEqual([
      ['2511.00007', null],
      ['2511.00006', chinese],
    ]);
    chineseOf.mockClear();
    const en = buildSegmentIssue(selections, { topics: ['vision'], language: 'en' }, BATCH, chineseOf);
    expect(chineseOf).not.toHaveBeenCalled();
    expect(en.sections[0]?.entries.every((e) => e.chinese === null)).toBe(true);
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
