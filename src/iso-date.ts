import type { ISODate } from './types.ts';

// Calendar arithmetic on ISO dates (YYYY-MM-DD), in UTC so no zone or DST can move a day. Here, at the bottom of
// the house, because the arXiv calendar, weekly planning (select/) and the weekly ledger queries (store/) all count
// days, and none of them may import the others.

export function addDays(date: ISODate, days: number): ISODate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Monday of the ISO week `date` falls in. */
export function isoWeekStart(date: ISODate): ISODate {
  return addDays(date, -((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7));
}
