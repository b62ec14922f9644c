import { describe, expect, it } from 'vitest';
import { digestBatchOfWeek, digestWeekOf, isoWeekStart } from '../../src/arxiv/calendar.ts';
import type { DigestWeekday } from '../../src/types.ts';

// Which batch a week's digest goes out with (issue 12, part 5): the configured weekday's batch, else the latest
// batch of the same ISO week before it, else the first one after it in the week; none for a week without batches.
// Feed dates: Mon 2025-11-10 … Fri 2025-11-14 all carry a batch without holidays.

const NONE = new Set<string>();

describe('isoWeekStart', () => {
  it.each([
    ['2025-11-10', '2025-11-10'],
    ['2025-11-14', '2025-11-10'],
    ['2025-11-16', '2025-11-10'], // Sunday ends the ISO week
    ['2026-01-01', '2025-12-29'], // across a year
  ])('%s → %s', (date, monday) => expect(isoWeekStart(date)).toBe(monday));
});

describe('digestBatchOfWeek', () => {
  it.each<[string, DigestWeekday, string[], string | null]>([
    ['plain Friday', 'friday', [], '2025-11-14'],
    ['plain Wednesday', 'wednesday', [], '2025-11-12'],
    // No announcement on Thu 13 (ET) → no Friday batch → Thursday's batch, the latest before Friday.
    ['Friday without a batch', 'friday', ['2025-11-13'], '2025-11-13'],
    // No announcement on Sun 9 → no Monday batch; nothing before Monday in the week → Tuesday.
    ['Monday without a batch', 'monday', ['2025-11-07', '2025-11-09'], '2025-11-11'],
    // Thanksgiving 2025-11-27 (ET) removes the Friday 28 batch.
    ['Thanksgiving week', 'friday', ['2025-11-27'], '2025-11-27'],
  ])('%s', (_name, weekday, holidays, expected) => {
    const date = holidays.includes('2025-11-27') ? '2025-11-26' : '2025-11-12';
    expect(digestBatchOfWeek(date, weekday, new Set(holidays))).toBe(expected);
  });

  it('gives none for a week without any batch', () => {
    const all = new Set(['2025-11-07', '2025-11-09', '2025-11-10', '2025-11-11', '2025-11-12', '2025-11-13']);
    expect(digestBatchOfWeek('2025-11-12', 'friday', all)).toBeNull();
  });
});

describe('digestWeekOf', () => {
  it('opens on the digest batch and stays open for the later batches of the week, covering Monday through the batch', () => {
    expect(['2025-11-10', '2025-11-11'].map((d) => digestWeekOf(d, 'wednesday', NONE))).toEqual([null, null]);
    expect(digestWeekOf('2025-11-12', 'wednesday', NONE)).toEqual({ from: '2025-11-10', to: '2025-11-12' });
    expect(digestWeekOf('2025-11-14', 'wednesday', NONE)).toEqual({ from: '2025-11-10', to: '2025-11-14' });
    expect(digestWeekOf('2025-11-17', 'wednesday', NONE)).toBeNull(); // a new week
    expect(digestWeekOf('2025-11-13', 'friday', new Set(['2025-11-13']))).toEqual({ from: '2025-11-10', to: '2025-11-13' });
  });
});
