import type { Kysely } from 'kysely';
import { planReaderPage, READER_PAGE, type Audience } from '../select/index.ts';
import { analyzeTable } from '../store/database.ts';
import { planDeliveries } from '../store/deliveries.ts';
import { finishPreparation, findIssue, listIssueSegments, openIssue, saveIssueSegments } from '../store/issues.ts';
import type { Database } from '../store/schema.ts';
import { iterateActiveSubscribers } from '../store/subscribers.ts';
import type { ISODate } from '../types.ts';

// Freezing the audience: the active readers are streamed a page at a time, grouped into segments, and written to
// the ledger as `planned` rows. Only then is the issue marked prepared; a run that dies half-way simply prepares
// again (existing rows are kept as they are). Once prepared, later runs of the issue read the audience from the
// ledger: a reader who joins afterwards gets the next issue, not this one.

/** Freezes the issue's audience if no run has yet; either way returns it (segments in id order). */
export async function prepareIssue(
  db: Kysely<Database>,
  batchDate: ISODate,
  domainOrder: readonly string[],
  now: Date,
  pageSize = READER_PAGE,
): Promise<Audience> {
  const existing = await findIssue(db, batchDate);
  let issue = existing;
  if (!existing?.preparedAt) {
    await openIssue(db, batchDate, now);
    let withoutTopics = 0;
    const known = new Set<string>();
    for await (const page of iterateActiveSubscribers(db, pageSize)) {
      const planned = planReaderPage(page, domainOrder);
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
  };
}
