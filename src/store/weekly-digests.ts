import type { Kysely, Transaction } from 'kysely';
import { addDays } from '../iso-date.ts';
import type { DigestWeek, ISODate } from '../types.ts';
import { chunkRows } from './chunk-rows.ts';
import type { Database } from './schema.ts';

// One weekly digest per reader and ISO week, kept by the delivery ledger itself: a digest is a ledger row of some
// issue of the week whose segment is a weekly one (its id starts with WEEKLY_SEGMENT_PREFIX). Whatever that row's
// state, the reader has their digest for the week: a re-run of that issue finishes it under the ledger's usual rules
// (planned → sending → sent | unknown …), and no other issue of the week plans a second one.

/** Segment ids of weekly digests start with this; daily segment ids never do (they start with a language). */
export const WEEKLY_SEGMENT_PREFIX = 'weekly.';
const WEEKLY_SEGMENT_END = 'weekly/';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Of `subscriberIds`, those with a weekly digest in another issue of `week`'s ISO week (Monday to Sunday) than the
 * one being prepared (`week.to`). That issue's own rows need no check: the ledger holds one row per (issue, reader)
 * and planning never overwrites one, so a preparation resumed after a crash cannot plan a second digest; and leaving
 * them out keeps each page's look-up to the few digest rows of earlier days, not the ones this preparation adds.
 */
export async function readersWithDigest(db: Db, week: DigestWeek, subscriberIds: readonly number[]): Promise<Set<number>> {
  const found = new Set<number>();
  const days = [0, 1, 2, 3, 4, 5, 6].map((n) => addDays(week.from, n)).filter((day) => day !== week.to);
  for (const chunk of chunkRows([...new Set(subscriberIds)])) {
    if (chunk.length === 0) continue;
    const rows = await db
      .selectFrom('deliveries')
      .select('subscriber_id')
      .distinct()
      .where('batch_date', 'in', days)
      // A range rather than LIKE: the ledger's (batch_date, segment_id, subscriber_id) index then reads only the
      // week's digest rows ('/' is the character after '.').
      .where('segment_id', '>=', WEEKLY_SEGMENT_PREFIX)
      .where('segment_id', '<', WEEKLY_SEGMENT_END)
      .where('subscriber_id', 'in', chunk)
      .execute();
    for (const row of rows) found.add(Number(row.subscriber_id));
  }
  return found;
}

/** Active weekly readers with no row in this ledger: they wait for (or already had) their week's digest. */
export async function countWeeklyWaiting(db: Db, batchDate: ISODate): Promise<number> {
  const row = await db
    .selectFrom('subscribers')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('status', '=', 'active')
    .where('frequency', '=', 'weekly')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('deliveries')
            .select('deliveries.subscriber_id')
            .whereRef('deliveries.subscriber_id', '=', 'subscribers.id')
            .where('deliveries.batch_date', '=', batchDate),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/**
 * The stored batches that carried at least one weekly digest that went out (sent or bounced), oldest first; with
 * `week`, only those of its days. The web archive's weekly pages start from these: a week whose digests were only
 * planned (a dry run, a failed run) was never mailed to anyone, so it has no page.
 */
export async function listDigestBatches(db: Db, week?: DigestWeek): Promise<ISODate[]> {
  let query = db
    .selectFrom('batches as b')
    .select('b.batch_date')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('deliveries as d')
          .select('d.batch_date')
          .whereRef('d.batch_date', '=', 'b.batch_date')
          .where('d.segment_id', '>=', WEEKLY_SEGMENT_PREFIX)
          .where('d.segment_id', '<', WEEKLY_SEGMENT_END)
          .where('d.status', 'in', ['sent', 'bounced']),
      ),
    );
  if (week) query = query.where('b.batch_date', '>=', week.from).where('b.batch_date', '<=', week.to);
  const rows = await query.orderBy('b.batch_date', 'asc').execute();
  return rows.map((r) => r.batch_date);
}
