// When arXiv has a batch, after arXiv/arxiv-base `arxiv/schedule/calendar.py` (see arxiv.md §1–3).
// Pure: the holidays and `now` come in as arguments, so the rules can be checked against any date.
import { DateTime } from 'luxon';
import { DIGEST_WEEKDAYS, type DigestWeek, type DigestWeekday, type ISODate } from '../types.ts';
import { addDays, isoWeekStart } from '../iso-date.ts';

export const ARXIV_ZONE = 'America/New_York';

/**
 * arXiv's `freeze_skip_date` rows for 2025–2026 (arxiv-base `arxiv_holidays_seed.sql`): ET dates with no
 * freeze and no announcement. Incomplete by nature (retreats, outages), so config should be able to add more.
 */
export const ARXIV_HOLIDAYS_2025_2026: ISODate[] = [
  '2025-01-01',
  '2025-01-20',
  '2025-06-19',
  '2025-07-04',
  '2025-07-06',
  '2025-09-01',
  '2025-11-27',
  '2025-12-25',
  '2025-12-30',
  '2026-01-01',
  '2026-01-19',
  '2026-06-19',
  '2026-07-03',
  '2026-09-07',
  '2026-11-26',
  '2026-12-25',
  '2026-12-29',
  '2026-12-31',
];

// Calendar arithmetic on dates is done in UTC so a DST change can never shift a day.
function toDay(date: ISODate): DateTime<true> {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(date) ? DateTime.fromISO(date, { zone: 'utc' }) : null;
  if (d === null || !d.isValid) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return d;
}

export { addDays, isoWeekStart };

/**
 * Whether arXiv announces at 20:00 ET on `etDate`: Mon–Thu unless a holiday; Sunday only when neither it nor
 * the Friday before is a holiday (a holiday Friday has no freeze for Sunday to publish); never Fri or Sat.
 */
export function isPublishDay(etDate: ISODate, holidays: ReadonlySet<ISODate>): boolean {
  const weekday = toDay(etDate).weekday; // 1 = Monday … 7 = Sunday
  if (holidays.has(etDate)) return false;
  if (weekday <= 4) return true;
  if (weekday === 7) return !holidays.has(addDays(etDate, -2));
  return false;
}

/** Whether a batch carries feed date `feedDate`: the feed date is the day after the announcement. */
export function hasBatch(feedDate: ISODate, holidays: ReadonlySet<ISODate>): boolean {
  return isPublishDay(addDays(feedDate, -1), holidays);
}

/** The ET calendar date of a moment: how a feed's `pubDate` names its batch. */
export function feedDateOf(pubDate: Date): ISODate {
  const d = DateTime.fromJSDate(pubDate, { zone: ARXIV_ZONE });
  if (!d.isValid) throw new RangeError(`not a valid moment: ${String(pubDate)}`);
  return d.toISODate();
}

/** When the RSS feed starts carrying batch `batchDate`: 00:00 America/New_York on that date (DST-aware). */
export function feedDueAt(batchDate: ISODate): Date {
  const due = DateTime.fromISO(batchDate, { zone: ARXIV_ZONE }).startOf('day');
  if (!due.isValid) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${JSON.stringify(batchDate)}`);
  return due.toJSDate();
}

/** How long ago (ms) the batch's feed went up, at `now`; negative before. */
export function lateness(batchDate: ISODate, now: Date): number {
  return now.getTime() - feedDueAt(batchDate).getTime();
}

/** A lateness (or the late cutoff) as the messages about late batches write it: `12 h`, `13.5 h`. */
export function formatHours(ms: number): string {
  const hours = ms / 3_600_000;
  return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
}

/**
 * The feed date the RSS feed should carry at `now`: the feed switches at 00:00 ET to batch T (the ET date),
 * or to nothing when T has no batch. Null means "no issue today".
 */
export function expectedBatchDate(now: Date, holidays: ReadonlySet<ISODate>): ISODate | null {
  const today = feedDateOf(now);
  return hasBatch(today, holidays) ? today : null;
}

// Any real calendar has a batch within a few days; the bound only stops a runaway holiday list.
const MAX_SCAN_DAYS = 366;

/** The latest batch dated `date` or earlier ("latest issue" lookups). */
export function lastBatchOnOrBefore(date: ISODate, holidays: ReadonlySet<ISODate>): ISODate {
  let d = date;
  for (let i = 0; i < MAX_SCAN_DAYS; i++, d = addDays(d, -1)) {
    if (hasBatch(d, holidays)) return d;
  }
  throw new RangeError(`no arXiv batch in the ${MAX_SCAN_DAYS} days up to ${date}; check the holiday list`);
}

/** The first batch dated strictly after `date`. */
export function nextBatchAfter(date: ISODate, holidays: ReadonlySet<ISODate>): ISODate {
  let d = addDays(date, 1);
  for (let i = 0; i < MAX_SCAN_DAYS; i++, d = addDays(d, 1)) {
    if (hasBatch(d, holidays)) return d;
  }
  throw new RangeError(`no arXiv batch in the ${MAX_SCAN_DAYS} days after ${date}; check the holiday list`);
}

// ——— The weekly digest's day (issue 12, part 5) ———
// A weekly reader gets one mail per ISO week (Monday–Sunday), with the run of one batch: the batch dated on the
// configured weekday (`digest.weeklyOn`). When that day has no batch (an arXiv holiday), the digest moves to the
// latest batch of the same week before it, known in advance from the holiday table, so the digest still goes out in
// its week and as close to the chosen day as arXiv allows; when no batch precedes it in the week (a holiday Monday
// with `weeklyOn: monday`), to the first batch after it in the week. A week without any batch has no papers and no
// digest. The digest is part of that batch's issue; a run of a later batch of the same week also takes in weekly
// readers who have no digest yet that week (one who signed up after it went out, or a week whose digest day was never
// run), and the ledger keeps it to one digest per reader and week (see src/store/weekly-digests.ts).

/** The batch the digest of `date`'s ISO week goes out with (see above), or null for a week without batches. */
export function digestBatchOfWeek(date: ISODate, weeklyOn: DigestWeekday, holidays: ReadonlySet<ISODate>): ISODate | null {
  const monday = isoWeekStart(date);
  const chosen = DIGEST_WEEKDAYS.indexOf(weeklyOn);
  for (let day = chosen; day >= 0; day--) {
    const candidate = addDays(monday, day);
    if (hasBatch(candidate, holidays)) return candidate;
  }
  for (let day = chosen + 1; day < 7; day++) {
    const candidate = addDays(monday, day);
    if (hasBatch(candidate, holidays)) return candidate;
  }
  return null;
}

/**
 * Whether the run of `batchDate` carries weekly digests, and the days they cover (Monday of the week through
 * `batchDate`): from the week's digest batch on; null before it (weekly readers get nothing from that run).
 */
export function digestWeekOf(batchDate: ISODate, weeklyOn: DigestWeekday, holidays: ReadonlySet<ISODate>): DigestWeek | null {
  const digest = digestBatchOfWeek(batchDate, weeklyOn, holidays);
  if (digest === null || batchDate < digest) return null;
  return { from: isoWeekStart(batchDate), to: batchDate };
}

export type BatchCheck =
  | { status: 'current' }
  | { status: 'no-announcement' }
  | { status: 'stale'; expected: ISODate; found: ISODate | null }
  | { status: 'empty'; expected: ISODate };

/**
 * Classifies what a feed holds against the batch the calendar expects. A dated feed with the wrong date is
 * stale whatever its size (a stale feed looks like a quiet day otherwise, Polaris#414); papers with no date at
 * all cannot be confirmed as today's, so they count as stale too.
 */
export function checkFeedBatch(
  feed: { batchDate: ISODate | null; paperCount: number },
  expected: ISODate | null,
): BatchCheck {
  if (expected === null) return { status: 'no-announcement' };
  if (feed.batchDate !== null && feed.batchDate !== expected) {
    return { status: 'stale', expected, found: feed.batchDate };
  }
  if (feed.paperCount === 0) return { status: 'empty', expected };
  if (feed.batchDate === null) return { status: 'stale', expected, found: null };
  return { status: 'current' };
}
