import type { Kysely } from 'kysely';
import type { ISODate } from '../types.ts';
import { chunkRows } from './chunk-rows.ts';
import { DELIVERY_STATUSES, type Database, type DeliveryStatus } from './schema.ts';
import { StoreError } from './store-error.ts';

export { DELIVERY_STATUSES, type DeliveryStatus } from './schema.ts';

/** One mail of one issue to one reader, as the ledger holds it. */
export interface Delivery {
  batchDate: ISODate;
  subscriberId: number;
  segmentId: string;
  email: string;
  status: DeliveryStatus;
  /** How many times the mail moved to `sending`. */
  attempts: number;
  messageId: string | null;
  transport: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PlannedDelivery {
  subscriberId: number;
  email: string;
  segmentId: string;
}

export interface DeliveryPatch {
  status: DeliveryStatus;
  /** Omitted: left as stored; null: cleared. */
  messageId?: string | null;
  lastError?: string | null;
  transport?: string | null;
  /**
   * Apply only if the row is in one of these states (a compare-and-set, so two workers cannot both claim a
   * mail). Without it the row must exist, whatever its state.
   */
  from?: readonly DeliveryStatus[];
}

/**
 * Writes a `planned` row per reader; rows already in the ledger for that day are left untouched, so planning
 * twice (after a crash) never resets a sent mail. Returns how many rows were new.
 */
export async function planDeliveries(
  db: Kysely<Database>,
  batchDate: ISODate,
  rows: readonly PlannedDelivery[],
  now: Date,
): Promise<number> {
  const at = now.toISOString();
  let inserted = 0;
  await db.transaction().execute(async (trx) => {
    for (const chunk of chunkRows(rows)) {
      const result = await trx
        .insertInto('deliveries')
        .values(
          chunk.map((r) => ({
            batch_date: batchDate,
            subscriber_id: r.subscriberId,
            segment_id: r.segmentId,
            email: r.email,
            status: 'planned' as const,
            attempts: 0,
            created_at: at,
            updated_at: at,
          })),
        )
        .onConflict((oc) => oc.columns(['batch_date', 'subscriber_id']).doNothing())
        .executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
    }
  });
  return inserted;
}

/** The ledger of one day, by subscriber id; optionally only rows in the given state(s). */
export async function listDeliveries(
  db: Kysely<Database>,
  batchDate: ISODate,
  filter: { status?: DeliveryStatus | readonly DeliveryStatus[] } = {},
): Promise<Delivery[]> {
  let query = db.selectFrom('deliveries').selectAll().where('batch_date', '=', batchDate).orderBy('subscriber_id');
  if (filter.status !== undefined) {
    const statuses: readonly DeliveryStatus[] = typeof filter.status === 'string' ? [filter.status] : filter.status;
    if (statuses.length === 0) return [];
    query = query.where('status', 'in', statuses);
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    batchDate: r.batch_date,
    subscriberId: Number(r.subscriber_id),
    segmentId: r.segment_id,
    email: r.email,
    status: r.status,
    attempts: Number(r.attempts),
    messageId: r.message_id,
    transport: r.transport,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

/**
 * Moves one ledger row to a new state; moving to `sending` counts an attempt. Returns false only when `from`
 * was given and the row was not in one of those states; a missing row is an error.
 */
export async function markDelivery(
  db: Kysely<Database>,
  batchDate: ISODate,
  subscriberId: number,
  patch: DeliveryPatch,
  now: Date,
): Promise<boolean> {
  if (patch.from && patch.from.length === 0) return false;
  let query = db
    .updateTable('deliveries')
    .set((eb) => ({
      status: patch.status,
      updated_at: now.toISOString(),
      ...(patch.status === 'sending' ? { attempts: eb('attempts', '+', 1) } : {}),
      ...(patch.messageId !== undefined ? { message_id: patch.messageId } : {}),
      ...(patch.lastError !== undefined ? { last_error: patch.lastError } : {}),
      ...(patch.transport !== undefined ? { transport: patch.transport } : {}),
    }))
    .where('batch_date', '=', batchDate)
    .where('subscriber_id', '=', subscriberId);
  if (patch.from) query = query.where('status', 'in', patch.from);
  const result = await query.executeTakeFirst();
  if (Number(result.numUpdatedRows) > 0) return true;
  if (patch.from) {
    const exists = await db
      .selectFrom('deliveries')
      .select('status')
      .where('batch_date', '=', batchDate)
      .where('subscriber_id', '=', subscriberId)
      .executeTakeFirst();
    if (exists) return false;
  }
  throw new StoreError(`no delivery of ${batchDate} to subscriber ${subscriberId} in the ledger`);
}

/** How many ledger rows of a day are in each state (every state present, zero when none). */
export async function deliveryCounts(
  db: Kysely<Database>,
  batchDate: ISODate,
): Promise<Record<DeliveryStatus, number>> {
  const rows = await db
    .selectFrom('deliveries')
    .select((eb) => ['status', eb.fn.countAll().as('count')])
    .where('batch_date', '=', batchDate)
    .groupBy('status')
    .execute();
  const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}
