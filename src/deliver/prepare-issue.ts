import type { Kysely } from 'kysely';
import { planReaderPage, READER_PAGE, readersDue, type Audience } from '../select/index.ts';
import { analyzeTable } from '../store/database.ts';
import { planDeliveries } from '../store/deliveries.ts';
import { finishPreparation, findIssue, listIssueSegments, openIssue, saveIssueSegments } from '../store/issues.ts';
import type { Database } from '../store/schema.ts';
import { iterateActiveSubscribers } from '../store/subscribers.ts';
import { countWeeklyWaiting } from '../store/weekly-digests.ts';
import type { DigestWeek, ISODate } from '../types.ts';

// Freezing the audience: the active readers are streamed a page at a time, grouped into segments, and written to
// the ledger as `planned` rows. Only then is the issue marked prepared; a run that dies half-way simply prepares
// again (existing rows are kept as they are). Once prepared, later runs of the issue read the audience from the
// ledger: a reader who joins afterwards gets the next issue, not this one.
//
// Weekly readers are frozen in only when the issue carries the week's digests (`week`), each in a `weekly.` segment
// and only if the ledger holds no digest of theirs yet that ISO week (select/plan-segments.ts, readersDue): their one
// ledger row of the week is what keeps the digest to once per week, through crashes and re-runs alike.

/** Freezes the issue's audience if no run has yet; either way returns it (segments in id order). */
export async function prepareIssue(
  db: Kysely<Database>,
  batchDate: ISODate,
  domainOrder: readonly string[],
  now: Date,
  pageSize = READER_PAGE,
  week: DigestWeek | null = null,
): Promise<Audience> {
  const existing = await findIssue(db, batchDate);
  let issue = existing;
  if (!existing?.preparedAt) {
    await openIssue(db, batchDate, now);
    let withoutTopics = 0;
    const known = new Set<string>();
    for await (const page of iterateActiveSubscribers(db, pageSize)) {
      const { due } = await readersDue(db, page, week);
      const planned = planReaderPage(due, domainOrder);
      withoutTopics += planned.withoutTopics;
      const fresh = planned.segments.filter(({ segmentId }) => !known.has(segmentId));
      if (fresh.length > 0) {
        await saveIssueSegments(db, batchDate, fresh);
        for (const { segmentId } of fresh) known.add(segmentId);
      }
      await planDeliveries(db, batchDate, planned.rows, now);
    }
    issue = await finishPreparation(db, batchDate, { withoutTopics }, now);
    await analyzeTable(db, 'deliveries');
  }
  const segments = (await listIssueSegments(db, batchDate)).filter((s) => s.readers > 0);
  return {
    segments: segments.map(({ segmentId, key, readers }) => ({ segmentId, key, readers })),
    readers: issue?.audience ?? 0,
    withoutTopics: issue?.withoutTopics ?? 0,
    preparedAt: issue?.preparedAt ?? null,
    preparedNow: !existing?.preparedAt,
    weeklyWaiting: await countWeeklyWaiting(db, batchDate),
  };
}
