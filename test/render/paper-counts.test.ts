import { describe, expect, it } from 'vitest';
import {
  COUNT_SCOPES,
  countMail,
  inBatchCount,
  joinCounts,
  listedCount,
  listedElsewhere,
  listedIn,
  matchingCount,
  notListedHereLine,
  shownCount,
  unlistedIn,
} from '../../src/render/paper-counts.ts';
import type { IssueSection, LocalizedText, SegmentIssue } from '../../src/types.ts';
import { domain, paper } from '../support/builders.ts';

/** An issue whose sections list `[id, alsoIn]` entries, with `more` behind "and N more" and `total` matching. */
function issueOf(sections: Array<{ id: string; entries: Array<[string, string[]]>; more?: number; total?: number }>): SegmentIssue {
  return {
    segmentId: 'en.test',
    key: { topics: sections.map((s) => s.id), language: 'en' },
    batchDate: '2025-11-14',
    sections: sections.map(
      (s): IssueSection => ({
        domain: domain(s.id),
        entries: s.entries.map(([id, alsoIn]) => ({ paper: paper(id), chinese: null, alsoIn })),
        more: s.more ?? 0,
        total: s.total ?? s.entries.length + (s.more ?? 0),
      }),
    ),
  };
}

describe('the count words', () => {
  it.each<[string, LocalizedText, string, string]>([
    ['in the batch', inBatchCount(20), '20 papers in the batch', '本期 20 篇'],
    ['in the batch, one', inBatchCount(1), '1 paper in the batch', '本期 1 篇'],
    ['matching, bare', matchingCount(4), '4 matching', '匹配 4 篇'],
    ['matching your topics', matchingCount(9, COUNT_SCOPES.yourTopics), '9 matching your topics', '匹配您的主题 9 篇'],
    ['matching a topic', matchingCount(13, COUNT_SCOPES.anyTopic), '13 matching a topic', '匹配任一主题 13 篇'],
    ['shown in this mail', shownCount(8, COUNT_SCOPES.thisMail), '8 shown in this mail', '本邮件展示 8 篇'],
    ['listed by title', listedCount(30), '30 listed by title', '仅列标题 30 篇'],
    [
      'joined',
      joinCounts(inBatchCount(20), matchingCount(13, COUNT_SCOPES.anyTopic)),
      '20 papers in the batch, 13 matching a topic',
      '本期 20 篇，匹配任一主题 13 篇',
    ],
  ])('%s', (_, text, en, zh) => {
    expect(text).toEqual({ en, zh });
  });
});

describe('countMail', () => {
  it('matching: every paper of the reader’s topics once (shown or behind "and N more"); shown: the listed ones', () => {
    const issue = issueOf([
      { id: 'a', entries: [['1', ['b']], ['2', []]], more: 3, total: 6 },
      { id: 'b', entries: [['3', []]], more: 0, total: 2 },
      { id: 'c', entries: [], more: 0, total: 0 },
    ]);
    expect(countMail(issue)).toEqual({ matching: 6, shown: 3, listed: 0, unlisted: 3 });
    const [first, ...rest] = issue.sections;
    if (!first) throw new Error('no section');
    // Two of the three behind the cap are listed by title: "and 1 more".
    const listed = { ...first, listed: first.entries.slice(0, 2) };
    expect(countMail({ ...issue, sections: [listed, ...rest] })).toEqual({ matching: 6, shown: 3, listed: 2, unlisted: 1 });
  });
});

describe('listedElsewhere and notListedHereLine', () => {
  const issue = issueOf([
    { id: 'a', entries: [['1', ['b']], ['2', ['b', 'c']]] },
    { id: 'b', entries: [], total: 4 },
    { id: 'c', entries: [['3', ['b']]] },
  ]);
  it.each<[number, { above: number; below: number }]>([
    [0, { above: 0, below: 0 }],
    [1, { above: 2, below: 1 }],
    [2, { above: 1, below: 0 }],
  ])('section %i', (index, expected) => {
    expect(listedElsewhere(issue, index)).toEqual(expected);
  });
  it.each<[string, number, { above: number; below: number }, 'mail' | 'page', string | null]>([
    ['nothing matched', 0, { above: 0, below: 0 }, 'mail', null],
    ['all above, on a page', 2, { above: 2, below: 0 }, 'page', "Today's 2 papers in this topic are listed above under other topics"],
    ['all below', 1, { above: 0, below: 1 }, 'mail', "Today's 1 paper in this topic is listed below under your other topics"],
    [
      'some in no list',
      4,
      { above: 2, below: 1 },
      'mail',
      "Today's 4 papers in this topic: 2 listed above, 1 listed below (under your other topics), 1 not in this mail",
    ],
    ['none listed', 3, { above: 0, below: 0 }, 'page', "Today's 3 papers in this topic: 3 not on this page"],
  ])('%s', (_, matching, listed, place, en) => {
    expect(notListedHereLine(matching, listed, place)?.en ?? null).toBe(en);
  });
});

describe('papers listed by title', () => {
  const base = issueOf([
    { id: 'a', entries: [['1', []]], more: 3, total: 4 },
    { id: 'b', entries: [], total: 2 },
  ]);
  const [a, b] = base.sections as [IssueSection, IssueSection];
  // Two of a's three papers behind its cap are listed by title; one of them also matches b.
  const listedA: IssueSection = {
    ...a,
    listed: [
      { paper: paper('2'), chinese: null, alsoIn: ['b'] },
      { paper: paper('3'), chinese: null, alsoIn: [] },
    ],
  };
  const issue: SegmentIssue = { ...base, sections: [listedA, b] };

  it('split "more" into listed and the exact N behind "and N more"', () => {
    expect([listedIn(listedA), unlistedIn(listedA)]).toEqual([2, 1]);
    expect([listedIn(a), unlistedIn(a)]).toEqual([0, 3]);
  });

  it('count as listed above for a topic whose section is empty', () => {
    expect(listedElsewhere(issue, 1)).toEqual({ above: 1, below: 0 });
    expect(notListedHereLine(2, listedElsewhere(issue, 1), 'mail')?.en).toBe(
      "Today's 2 papers in this topic: 1 listed above (under your other topics), 1 not in this mail",
    );
  });
});
