import { describe, expect, it } from 'vitest';
import {
  audienceOf,
  emptyTally,
  planReaderPage,
  planSegmentIssues,
  readerScopeOf,
  segmentKeyOf,
  selectPapers,
  tallyReaders,
} from '../../src/select/index.ts';
import type { Language, SegmentIssue } from '../../src/types.ts';
import { domain, paper } from '../support/builders.ts';

// Segments in one place, without a database: who is in which segment, and which papers each segment's mail shows
// (never twice, within each domain's cap).

const BATCH = '2025-11-14';
const llm = domain('llm', { include: ['LLM'], cap: 2, announceTypes: ['new', 'cross', 'replace', 'replace-cross'] });
const vision = domain('vision', { categories: ['cs.CV'], cap: 1 });
const ORDER = ['llm', 'vision'];
const papers = [
  paper('2511.00001', { title: 'LLM one' }),
  paper('2511.00002', { title: 'LLM two' }),
  paper('2511.00003', { title: 'LLM three', version: 2, announceType: 'replace' }),
  paper('2511.00004', { title: 'Cats', categories: ['cs.CV'] }),
  paper('2511.00005', { title: 'Dogs', categories: ['cs.CV'] }),
];
const selections = selectPapers(papers, [llm, vision]);
const reader = (id: number, topics: string[], language: Language) => ({ id, email: `r${id}@example.org`, topics, language });

function shown(issue: SegmentIssue): Record<string, string[]> {
  return Object.fromEntries(issue.sections.map((s) => [s.domain.id, s.entries.map((e) => e.paper.id)]));
}

describe('tallyReaders, audienceOf and readerScopeOf', () => {
  it('counts readers per segment over pages, segments in id order, ids in the order they came', () => {
    const tally = emptyTally();
    tallyReaders(tally, [reader(1, ['vision', 'llm'], 'en'), reader(2, ['gone'], 'en'), reader(3, ['llm'], 'zh')], ORDER);
    tallyReaders(tally, [reader(4, ['llm', 'vision'], 'en'), reader(5, [], 'bilingual')], ORDER);
    expect(audienceOf(tally)).toEqual({
      segments: [
        { segmentId: 'en.llm+vision', key: { topics: ['llm', 'vision'], language: 'en' }, readers: 2 },
        { segmentId: 'zh.llm', key: { topics: ['llm'], language: 'zh' }, readers: 1 },
      ],
      readers: 3,
      withoutTopics: 2,
      preparedAt: null,
      preparedNow: false,
      weeklyWaiting: 0,
    });
    const scope = readerScopeOf(tally);
    expect(scope.kind === 'readers' && [...scope.bySegment]).toEqual([
      ['en.llm+vision', [1, 4]],
      ['zh.llm', [3]],
    ]);
  });
});

describe('planReaderPage', () => {
  it('gives the ledger one planned row per reader with a known topic, and the page segments in arrival order', () => {
    const planned = planReaderPage([reader(7, ['vision'], 'zh'), reader(8, ['nope'], 'en'), reader(9, ['llm'], 'en'), reader(10, ['vision'], 'zh')], ORDER);
    expect(planned).toEqual({
      segments: [
        { segmentId: 'zh.vision', key: { topics: ['vision'], language: 'zh' } },
        { segmentId: 'en.llm', key: { topics: ['llm'], language: 'en' } },
      ],
      rows: [
        { subscriberId: 7, email: 'r7@example.org', segmentId: 'zh.vision' },
        { subscriberId: 10, email: 'r10@example.org', segmentId: 'zh.vision' },
        { subscriberId: 9, email: 'r9@example.org', segmentId: 'en.llm' },
      ],
      withoutTopics: 1,
    });
  });
});

describe('planSegmentIssues', () => {
  const both = { segmentId: 'en.llm+vision', key: segmentKeyOf(['llm', 'vision'], 'en', ORDER) };
  const llmOnly = { segmentId: 'zh.llm', key: segmentKeyOf(['llm'], 'zh', ORDER) };
  const segments = [both, llmOnly];

  // Within a domain, papers rank by score, then `new` before `replace`, then the newest id: llm shows 00002 and 00001
  // (its cap is 2) and keeps 00003, a replacement, behind "and 1 more"; vision shows 00005 (cap 1).
  it.each([
    {
      name: 'nothing mailed before: caps decide what is shown',
      mailed: new Map<string, Map<string, number>>(),
      showUpdatedVersions: false,
      issues: {
        'en.llm+vision': { llm: ['2511.00002', '2511.00001'], vision: ['2511.00005'] },
        'zh.llm': { llm: ['2511.00002', '2511.00001'] },
      },
      shown: ['2511.00001', '2511.00002', '2511.00005'],
      repeats: { dropped: 0, updated: 0, segments: [] },
    },
    {
      name: 'a paper one segment already got leaves that segment only, and the cap lets the next one in',
      mailed: new Map([['zh.llm', new Map([['2511.00002', 1]])]]),
      showUpdatedVersions: false,
      issues: {
        'en.llm+vision': { llm: ['2511.00002', '2511.00001'], vision: ['2511.00005'] },
        'zh.llm': { llm: ['2511.00001', '2511.00003'] },
      },
      shown: ['2511.00001', '2511.00002', '2511.00003', '2511.00005'],
      repeats: { dropped: 1, updated: 0, segments: [{ id: 'zh.llm', dropped: ['2511.00002'], updated: [] }] },
    },
    {
      name: 'an older version mailed: dropped without showUpdatedVersions',
      mailed: new Map([['en.llm+vision', new Map([['2511.00003', 1]])]]),
      showUpdatedVersions: false,
      issues: {
        'en.llm+vision': { llm: ['2511.00002', '2511.00001'], vision: ['2511.00005'] },
        'zh.llm': { llm: ['2511.00002', '2511.00001'] },
      },
      shown: ['2511.00001', '2511.00002', '2511.00005'],
      repeats: { dropped: 1, updated: 0, segments: [{ id: 'en.llm+vision', dropped: ['2511.00003'], updated: [] }] },
    },
    {
      name: 'an older version mailed: kept as an update with showUpdatedVersions',
      mailed: new Map([['en.llm+vision', new Map([['2511.00003', 1]])]]),
      showUpdatedVersions: true,
      issues: {
        'en.llm+vision': { llm: ['2511.00002', '2511.00001'], vision: ['2511.00005'] },
        'zh.llm': { llm: ['2511.00002', '2511.00001'] },
      },
      shown: ['2511.00001', '2511.00002', '2511.00005'],
      repeats: { dropped: 0, updated: 1, segments: [{ id: 'en.llm+vision', dropped: [], updated: ['2511.00003'] }] },
    },
    {
      name: 'the same version mailed is dropped even with showUpdatedVersions',
      mailed: new Map([['en.llm+vision', new Map([['2511.00001', 1], ['2511.00005', 1]])]]),
      showUpdatedVersions: true,
      issues: {
        'en.llm+vision': { llm: ['2511.00002', '2511.00003'], vision: ['2511.00004'] },
        'zh.llm': { llm: ['2511.00002', '2511.00001'] },
      },
      shown: ['2511.00001', '2511.00002', '2511.00003', '2511.00004'],
      repeats: { dropped: 2, updated: 0, segments: [{ id: 'en.llm+vision', dropped: ['2511.00001', '2511.00005'], updated: [] }] },
    },
  ])('$name', ({ mailed, showUpdatedVersions, issues, shown: worthChinese, repeats }) => {
    const plan = planSegmentIssues(selections, segments, mailed, { batchDate: BATCH, showUpdatedVersions });
    for (const segment of segments) {
      expect(shown(plan.issueOf(segment.segmentId, segment.key, () => null))).toEqual(issues[segment.segmentId as keyof typeof issues]);
    }
    expect(plan.shown.map((p) => p.id).sort()).toEqual(worthChinese);
    expect(plan.repeats).toEqual(repeats);
  });

});
