import { describe, expect, it } from 'vitest';
import { datesOfWeek, dueReaders, mergeWeekPapers, segmentIdOf, segmentKeyOf } from '../../src/select/index.ts';
import { paper } from '../support/builders.ts';

// The pure parts of the weekly digest (issue 12, part 5): who a run mails, the week's papers merged, weekly ids.

describe('dueReaders', () => {
  const page = [
    { id: 1, frequency: 'daily' as const },
    { id: 2, frequency: 'weekly' as const },
    { id: 3 }, // no frequency: daily
    { id: 4, frequency: 'weekly' as const },
  ];
  it.each([
    ['a day without digests: daily readers only', { open: false, had: new Set<number>() }, [1, 3], 2],
    ['the digest batch: everyone', { open: true, had: new Set<number>() }, [1, 2, 3, 4], 0],
    ['a later batch: weekly readers without this week’s digest', { open: true, had: new Set([2]) }, [1, 3, 4], 1],
  ])('%s', (_name, digest, ids, waiting) => {
    const due = dueReaders(page, digest);
    expect(due.due.map((r) => r.id)).toEqual(ids);
    expect(due.waiting).toBe(waiting);
  });
});

describe('mergeWeekPapers', () => {
  it('keeps each paper once: the latest version, with the announce type it first had this week', () => {
    const monday = [paper('2511.00001'), paper('2511.00002')];
    const thursday = [paper('2511.00001', { version: 2, announceType: 'replace', title: 'New title' }), paper('2511.00003', { announceType: 'cross' })];
    const friday = [paper('2511.00003', { announceType: 'cross' })];
    const merged = mergeWeekPapers([monday, thursday, friday]);
    expect(merged.map((p) => [p.id, p.version, p.announceType])).toEqual([
      ['2511.00001', 2, 'new'],
      ['2511.00002', 1, 'new'],
      ['2511.00003', 1, 'cross'],
    ]);
    expect(merged[0]?.title).toBe('New title');
  });

  it('never goes back to an older version seen later', () => {
    const merged = mergeWeekPapers([[paper('2511.00001', { version: 3 })], [paper('2511.00001', { version: 2, announceType: 'cross' })]]);
    expect(merged.map((p) => p.version)).toEqual([3]);
  });
});

describe('datesOfWeek', () => {
  it('lists Monday through the digest batch, across a month', () => {
    expect(datesOfWeek({ from: '2025-12-29', to: '2026-01-02' })).toEqual(['2025-12-29', '2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02']);
  });
});

describe('weekly segment ids', () => {
  it('puts weekly. in front, so a digest never shares a segment (mail, history) with the daily mail', () => {
    const order = ['llm', 'agents'];
    expect(segmentIdOf(segmentKeyOf(['agents', 'llm'], 'en', order))).toBe('en.agents+llm');
    const weekly = segmentKeyOf(['agents', 'llm'], 'en', order, undefined, 'weekly');
    expect(weekly).toEqual({ topics: ['llm', 'agents'], language: 'en', frequency: 'weekly' });
    expect(segmentIdOf(weekly)).toBe('weekly.en.agents+llm');
    expect(segmentKeyOf(['llm'], 'en', order, undefined, 'daily')).toEqual({ topics: ['llm'], language: 'en' });
    const interests = { keywords: ['RAG'], exclude: [], authors: [] };
    expect(segmentIdOf(segmentKeyOf(['llm'], 'zh', order, interests, 'weekly'))).toMatch(/^weekly\.zh\.llm\.i[0-9a-f]{12}$/);
  });
});
