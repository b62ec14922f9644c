import { describe, expect, it } from 'vitest';
import {
  ARXIV_HOLIDAYS_2025_2026,
  addDays,
  checkFeedBatch,
  expectedBatchDate,
  feedDateOf,
  hasBatch,
  isPublishDay,
  lastBatchOnOrBefore,
  nextBatchAfter,
} from '../../src/arxiv/calendar.ts';

const HOLIDAYS: ReadonlySet<string> = new Set(ARXIV_HOLIDAYS_2025_2026);
const NONE: ReadonlySet<string> = new Set();

describe('the holiday table', () => {
  it('holds the 18 freeze_skip_date rows of arxiv.md section 2', () => {
    expect(ARXIV_HOLIDAYS_2025_2026).toHaveLength(18);
    expect(new Set(ARXIV_HOLIDAYS_2025_2026).size).toBe(18);
  });
});

describe('isPublishDay', () => {
  it.each([
    ['2025-11-09', 'Sun', true],
    ['2025-11-10', 'Mon', true],
    ['2025-11-11', 'Tue', true],
    ['2025-11-12', 'Wed', true],
    ['2025-11-13', 'Thu', true],
    ['2025-11-14', 'Fri', false],
    ['2025-11-15', 'Sat', false],
    ['2025-01-01', 'Wed holiday', false],
    ['2025-07-06', 'Sun holiday', false],
    ['2026-06-21', 'Sun after holiday Friday', false],
    ['2026-06-22', 'Mon after holiday Friday', true],
    ['2026-12-24', 'Thu before Christmas', true],
  ])('%s (%s) → %s', (date, _day, expected) => {
    expect(isPublishDay(date, HOLIDAYS)).toBe(expected);
  });

  it('rejects what is not an ISO date', () => {
    expect(() => isPublishDay('2025-13-01', HOLIDAYS)).toThrow(RangeError);
    expect(() => isPublishDay('14 Nov 2025', HOLIDAYS)).toThrow(/not an ISO date/);
  });
});

describe('hasBatch: every holiday row of arxiv.md section 2', () => {
  // [holiday, feed date that has no batch, the next feed date that has one]
  it.each([
    ['2025-01-01', '2025-01-02', '2025-01-03'],
    ['2025-01-20', '2025-01-21', '2025-01-22'],
    ['2025-06-19', '2025-06-20', '2025-06-23'],
    ['2025-07-04', '2025-07-07', '2025-07-08'],
    ['2025-09-01', '2025-09-02', '2025-09-03'],
    ['2025-11-27', '2025-11-28', '2025-12-01'],
    ['2025-12-25', '2025-12-26', '2025-12-29'],
    ['2025-12-30', '2025-12-31', '2026-01-01'],
    ['2026-01-01', '2026-01-02', '2026-01-05'],
    ['2026-01-19', '2026-01-20', '2026-01-21'],
    ['2026-06-19', '2026-06-22', '2026-06-23'],
    ['2026-07-03', '2026-07-06', '2026-07-07'],
    ['2026-09-07', '2026-09-08', '2026-09-09'],
    ['2026-11-26', '2026-11-27', '2026-11-30'],
    ['2026-12-25', '2026-12-28', '2026-12-29'],
    ['2026-12-29', '2026-12-30', '2026-12-31'],
    ['2026-12-31', '2027-01-01', '2027-01-04'],
  ])('holiday %s: no batch %s, next batch %s', (_holiday, missing, next) => {
    expect(hasBatch(missing, HOLIDAYS)).toBe(false);
    expect(hasBatch(next, HOLIDAYS)).toBe(true);
    expect(nextBatchAfter(missing, HOLIDAYS)).toBe(next);
  });

  it('2025-07-06 (Sun, Independence Day observed) removes no extra batch', () => {
    expect(hasBatch('2025-07-07', NONE)).toBe(true);
    expect(hasBatch('2025-07-07', new Set(['2025-07-06']))).toBe(false);
    expect(hasBatch('2025-07-08', HOLIDAYS)).toBe(true);
  });

  it('a batch still exists on a holiday that comes after a normal announcement', () => {
    // Thu 2025-12-25 is Christmas, but Wed 12-24 announced: the feed dated Thu 12-25 is full.
    expect(hasBatch('2025-12-25', HOLIDAYS)).toBe(true);
    expect(hasBatch('2026-12-25', HOLIDAYS)).toBe(true);
  });

  it('the same dates have batches without holidays', () => {
    expect(hasBatch('2026-06-22', NONE)).toBe(true);
    expect(hasBatch('2025-01-02', NONE)).toBe(true);
  });
});

describe('hasBatch in a normal week', () => {
  it.each([
    ['2025-11-10', 'Mon', true],
    ['2025-11-11', 'Tue', true],
    ['2025-11-12', 'Wed', true],
    ['2025-11-13', 'Thu', true],
    ['2025-11-14', 'Fri', true],
    ['2025-11-15', 'Sat', false],
    ['2025-11-16', 'Sun', false],
    ['2024-02-29', 'Thu (leap day)', true],
  ])('%s (%s) → %s', (date, _day, expected) => {
    expect(hasBatch(date, HOLIDAYS)).toBe(expected);
  });
});

describe('feedDateOf', () => {
  it.each([
    ['Fri, 14 Nov 2025 00:00:00 -0500', '2025-11-14'],
    ['Thu, 18 Sep 2025 00:00:00 -0400', '2025-09-18'],
    ['2025-08-20T00:00:00-04:00', '2025-08-20'],
    ['2025-08-20T04:00:19.866337+00:00', '2025-08-20'],
    ['2025-08-20T03:59:59Z', '2025-08-19'],
  ])('%s → %s', (moment, expected) => {
    expect(feedDateOf(new Date(moment))).toBe(expected);
  });

  it('rejects an invalid Date', () => {
    expect(() => feedDateOf(new Date('nonsense'))).toThrow(RangeError);
  });
});

describe('expectedBatchDate around 00:00 ET, on both sides of each DST change', () => {
  it.each([
    // EST, the examples of the brief
    ['2025-11-14T04:59:00Z', '2025-11-13'], // Thu 23:59 EST
    ['2025-11-14T05:01:00Z', '2025-11-14'], // Fri 00:01 EST
    // EDT
    ['2025-09-18T03:59:00Z', '2025-09-17'], // Wed 23:59 EDT
    ['2025-09-18T04:01:00Z', '2025-09-18'], // Thu 00:01 EDT
    // 2025-03-09: EST → EDT on Sunday; Monday's midnight is already EDT (04:00Z)
    ['2025-03-07T04:59:00Z', '2025-03-06'], // Thu 23:59 EST
    ['2025-03-07T05:01:00Z', '2025-03-07'], // Fri 00:01 EST
    ['2025-03-10T03:59:00Z', null], // Sun 23:59 EDT
    ['2025-03-10T04:01:00Z', '2025-03-10'], // Mon 00:01 EDT
    ['2025-03-10T04:30:00Z', '2025-03-10'], // Mon 00:30 EDT (a fixed -5 h would say Sunday)
    // 2025-11-02: EDT → EST on Sunday; Monday's midnight is EST (05:00Z)
    ['2025-10-31T03:59:00Z', '2025-10-30'], // Thu 23:59 EDT
    ['2025-10-31T04:01:00Z', '2025-10-31'], // Fri 00:01 EDT
    ['2025-11-03T04:30:00Z', null], // Sun 23:30 EST (a fixed -4 h would say Monday)
    ['2025-11-03T04:59:00Z', null], // Sun 23:59 EST
    ['2025-11-03T05:01:00Z', '2025-11-03'], // Mon 00:01 EST
    // 2026-03-08
    ['2026-03-09T03:59:00Z', null],
    ['2026-03-09T04:01:00Z', '2026-03-09'],
    ['2026-03-10T03:59:00Z', '2026-03-09'],
    ['2026-03-10T04:01:00Z', '2026-03-10'],
    // 2026-11-01
    ['2026-11-02T04:59:00Z', null],
    ['2026-11-02T05:01:00Z', '2026-11-02'],
    ['2026-11-03T04:59:00Z', '2026-11-02'],
    ['2026-11-03T05:01:00Z', '2026-11-03'],
    // inside the changeover hours themselves (Sunday: no batch either way)
    ['2025-03-09T06:59:00Z', null],
    ['2025-03-09T07:01:00Z', null],
    ['2025-11-02T05:59:00Z', null],
    ['2025-11-02T06:01:00Z', null],
  ])('%s → %s', (moment, expected) => {
    expect(expectedBatchDate(new Date(moment), HOLIDAYS)).toBe(expected);
  });

  it.each([
    ['2025-11-15T12:00:00Z', 'Sat'],
    ['2025-11-16T12:00:00Z', 'Sun'],
    ['2025-11-17T04:59:00Z', 'Sun 23:59 EST'],
    ['2026-06-22T12:00:00Z', 'Mon after Juneteenth Friday'],
    ['2025-07-07T12:00:00Z', 'Mon after Independence Day'],
  ])('%s (%s) → no issue', (moment) => {
    expect(expectedBatchDate(new Date(moment), HOLIDAYS)).toBeNull();
  });
});

describe('lastBatchOnOrBefore / nextBatchAfter', () => {
  it.each([
    ['2025-11-14', '2025-11-14'],
    ['2025-11-15', '2025-11-14'],
    ['2025-11-16', '2025-11-14'],
    ['2025-11-17', '2025-11-17'],
    ['2025-11-29', '2025-11-27'],
    ['2025-07-07', '2025-07-04'],
    ['2026-06-22', '2026-06-19'],
    ['2027-01-03', '2026-12-31'],
  ])('last batch on or before %s is %s', (date, expected) => {
    expect(lastBatchOnOrBefore(date, HOLIDAYS)).toBe(expected);
  });

  it.each([
    ['2025-11-13', '2025-11-14'],
    ['2025-11-14', '2025-11-17'],
    ['2025-07-03', '2025-07-04'],
    ['2025-07-04', '2025-07-08'],
    ['2026-06-19', '2026-06-23'],
    ['2026-12-25', '2026-12-29'],
  ])('next batch after %s is %s', (date, expected) => {
    expect(nextBatchAfter(date, HOLIDAYS)).toBe(expected);
  });

  it('gives up on a holiday list that removes every announcement', () => {
    const year = new Set(Array.from({ length: 800 }, (_, i) => addDays('2029-06-01', i)));
    expect(() => lastBatchOnOrBefore('2030-12-31', year)).toThrow(/check the holiday list/);
    expect(() => nextBatchAfter('2029-12-31', year)).toThrow(/check the holiday list/);
  });
});

describe('addDays', () => {
  it.each([
    ['2025-03-08', 1, '2025-03-09'],
    ['2025-03-09', 1, '2025-03-10'],
    ['2025-11-02', -1, '2025-11-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-12-31', 1, '2026-01-01'],
  ])('%s %+d → %s', (date, n, expected) => {
    expect(addDays(date, n)).toBe(expected);
  });
});

describe('checkFeedBatch', () => {
  it.each([
    [{ batchDate: '2025-11-14', paperCount: 20 }, '2025-11-14', { status: 'current' }],
    [{ batchDate: '2025-11-14', paperCount: 20 }, null, { status: 'no-announcement' }],
    [{ batchDate: null, paperCount: 0 }, null, { status: 'no-announcement' }],
    [{ batchDate: '2025-11-13', paperCount: 486 }, '2025-11-14', { status: 'stale', expected: '2025-11-14', found: '2025-11-13' }],
    [{ batchDate: '2025-11-13', paperCount: 0 }, '2025-11-14', { status: 'stale', expected: '2025-11-14', found: '2025-11-13' }],
    [{ batchDate: '2025-11-14', paperCount: 0 }, '2025-11-14', { status: 'empty', expected: '2025-11-14' }],
    [{ batchDate: null, paperCount: 0 }, '2025-11-14', { status: 'empty', expected: '2025-11-14' }],
    [{ batchDate: null, paperCount: 5 }, '2025-11-14', { status: 'stale', expected: '2025-11-14', found: null }],
  ])('%j expecting %s → %j', (feed, expected, result) => {
    expect(checkFeedBatch(feed, expected)).toEqual(result);
  });
});
