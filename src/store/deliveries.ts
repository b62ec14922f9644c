import { sql, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { ISODate, SubscriberStatus } from '../types.ts';
import { chunkRows } from './chunk-rows.ts';
import { findIssue } from './issues.ts';
import { senderLeaseName } from './run-locks.ts';
import type { FailureKind } from './delivery-schema.ts';
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
  /** The claim the row was last sent in, and that claim's idempotency key (null before the first send). */
  batchNo: number | null;
  idempotencyKey: string | null;
  /** For `failed` rows: whether a later run tries again. */
  failureKind: FailureKind | null;
  sentAt: string | null;
  claimedAt: string | null;
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
  // A segment's rows are claimed and settled together: stored side by side (SQLite keeps a table in insert
  // order), each claim and each settlement touches a few pages instead of one page per row.
  const bySegment = [...rows].sort((a, b) => (a.segmentId < b.segmentId ? -1 : a.segmentId > b.segmentId ? 1 : a.subscriberId - b.subscriberId));
  await db.transaction().execute(async (trx) => {
    for (const chunk of chunkRows(bySegment)) {
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
    batchNo: r.batch_no === null ? null : Number(r.batch_no),
    idempotencyKey: r.idempotency_key,
    failureKind: r.failure_kind,
    sentAt: r.sent_at,
    claimedAt: r.claimed_at,
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

// ——— The sending protocol ———
// A run moves rows planned → sending (a claim: one provider call) → sent | failed | bounced | unknown, and
// planned → skipped when the reader is no longer active at send time. A claim and its outcome are each one
// statement or one transaction, so a run killed at any moment leaves every row either untouched, in `sending`
// (claimed, outcome unknown) or settled; the next run turns `sending` into `unknown` before it claims anything.

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Rows a run left in `sending` when it died: nobody knows whether those mails went out. Returns how many.
 *
 * With `senders` (several senders share the issue, PostgreSQL), only rows whose sender is gone move: its lease row
 * (`senderLeaseName`) lapsed or was released, it is one of `deadOwners` (proved dead by the caller, e.g. a process
 * of this machine that no longer exists), or the row names no sender. Rows of a sender whose lease is alive are
 * its own: it records their outcome itself.
 */
export async function markInterruptedSends(
  db: Db,
  batchDate: ISODate,
  now: Date,
  senders?: { deadOwners: readonly string[] },
): Promise<number> {
  const at = now.toISOString();
  const result = await db
    .updateTable('deliveries')
    .set({
      status: 'unknown',
      updated_at: at,
      last_error: 'the run stopped while this mail was being sent: it may or may not have been delivered',
    })
    .where('batch_date', '=', batchDate)
    .where('status', '=', 'sending')
    .$if(senders !== undefined, (q) =>
      q.where((eb) => {
        const gone = [
          eb('deliveries.claimed_by', 'is', null),
          eb.not(
            eb.exists(
              eb
                .selectFrom('run_locks')
                .select('run_locks.name')
                .where('run_locks.name', '=', sql<string>`${senderLeaseName(batchDate, '')} || ${sql.ref('deliveries.claimed_by')}`)
                .where('run_locks.expires_at', '>=', at),
            ),
          ),
        ];
        if (senders!.deadOwners.length > 0) gone.push(eb('deliveries.claimed_by', 'in', senders!.deadOwners));
        return eb.or(gone);
      }),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The issue's rows in `sending`, by the sender that claimed them (null: rows claimed before senders were named). */
export async function sendingBySender(db: Db, batchDate: ISODate): Promise<Array<{ owner: string | null; rows: number }>> {
  const rows = await db
    .selectFrom('deliveries')
    .select((eb) => ['claimed_by', eb.fn.countAll().as('count')])
    .where('batch_date', '=', batchDate)
    .where('status', '=', 'sending')
    .groupBy('claimed_by')
    .execute();
  return rows.map((r) => ({ owner: r.claimed_by, rows: Number(r.count) }));
}

/** A ledger row as the sender needs it. */
export interface PendingDelivery {
  subscriberId: number;
  email: string;
  status: DeliveryStatus;
  attempts: number;
  transport: string | null;
  batchNo: number | null;
  idempotencyKey: string | null;
}

export type SendableStatus = 'planned' | 'failed' | 'unknown';

/**
 * `status in (…)`, where `failed` means a transient failure only: one condition for the Kysely queries and for the
 * claim statement written out in SQL (claimSlice).
 */
function sendable(statuses: readonly SendableStatus[]) {
  const plain = statuses.filter((s) => s !== 'failed');
  const ors = plain.length > 0 ? [sql`deliveries.status in (${sql.join(plain.map((s) => sql.lit(s)))})`] : [];
  if (statuses.includes('failed')) ors.push(sql`(deliveries.status = 'failed' and deliveries.failure_kind = 'transient')`);
  return ors.length > 0 ? sql<SqlBool>`(${sql.join(ors, sql` or `)})` : sql<SqlBool>`false`;
}

/**
 * One page of a segment's rows that may be sent, in subscriber order after `after` (keyset paging, so a 100 000
 * row segment never sits in memory). `failed` means transient failures only; permanent ones are never retried.
 */
export async function pendingDeliveries(
  db: Db,
  batchDate: ISODate,
  options: { segmentId: string; statuses: readonly SendableStatus[]; after: number; limit: number },
): Promise<PendingDelivery[]> {
  if (options.statuses.length === 0) return [];
  const statuses = options.statuses;
  const rows = await db
    .selectFrom('deliveries')
    .select(['subscriber_id', 'email', 'status', 'attempts', 'transport', 'batch_no', 'idempotency_key'])
    .where('batch_date', '=', batchDate)
    .where('segment_id', '=', options.segmentId)
    .where('subscriber_id', '>', options.after)
    .where(sendable(statuses))
    .orderBy('subscriber_id')
    .limit(options.limit)
    .execute();
  return rows.map(toPending);
}

/** A ledger row as the claim queries read it. */
interface PendingRow {
  subscriber_id: number;
  email: string;
  status: DeliveryStatus;
  attempts: number;
  transport: string | null;
  batch_no: number | null;
  idempotency_key: string | null;
}

function toPending(r: PendingRow): PendingDelivery {
  return {
    subscriberId: Number(r.subscriber_id),
    email: r.email,
    status: r.status,
    attempts: Number(r.attempts),
    transport: r.transport,
    batchNo: r.batch_no === null ? null : Number(r.batch_no),
    idempotencyKey: r.idempotency_key,
  };
}

/** A claim whose outcome is unknown, to be sent again exactly as it was (same rows, same key). */
export interface UncertainClaim {
  batchNo: number;
  idempotencyKey: string;
  rows: PendingDelivery[];
}

/**
 * The `unknown` claims of a segment that `transport` made under an idempotency key, grouped by key, rows in
 * subscriber order; with `claimedSince`, only claims made since then (a provider forgets keys after a while, and
 * an old key sent again would send again). Only a few claims can be in flight when a run dies: loaded whole.
 */
export async function uncertainClaims(
  db: Db,
  batchDate: ISODate,
  options: { segmentId: string; transport: string; claimedSince?: string | undefined },
): Promise<UncertainClaim[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['subscriber_id', 'email', 'status', 'attempts', 'transport', 'batch_no', 'idempotency_key'])
    .where('batch_date', '=', batchDate)
    .where('segment_id', '=', options.segmentId)
    .where('status', '=', 'unknown')
    .where('transport', '=', options.transport)
    .where('idempotency_key', 'is not', null)
    .$if(options.claimedSince !== undefined, (q) => q.where('claimed_at', '>=', options.claimedSince!))
    .orderBy('idempotency_key')
    .orderBy('subscriber_id')
    .execute();
  const claims = new Map<string, UncertainClaim>();
  for (const row of rows) {
    const pending = toPending(row);
    const key = pending.idempotencyKey as string;
    const claim = claims.get(key);
    if (claim) claim.rows.push(pending);
    else claims.set(key, { batchNo: pending.batchNo ?? 0, idempotencyKey: key, rows: [pending] });
  }
  return [...claims.values()];
}

/** How many `unknown` rows `transport` left, optionally only those claimed since a time. */
export async function countUnknown(
  db: Db,
  batchDate: ISODate,
  options: { transport: string; claimedSince?: string | undefined },
): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('batch_date', '=', batchDate)
    .where('status', '=', 'unknown')
    .where('transport', '=', options.transport)
    .$if(options.claimedSince !== undefined, (q) => q.where('claimed_at', '>=', options.claimedSince!))
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** Why a row was skipped at send time, by the reader's status now. */
export function skipReason(status: SubscriberStatus | null): string {
  return status === null ? 'the reader is no longer in the list' : `the reader is ${status} now`;
}

/**
 * Suppression at send time: rows of `ids` still in one of `from` whose reader is no longer active move to
 * `skipped`. Returns the ids skipped with their reader's status.
 */
export async function skipInactiveReaders(
  db: Db,
  batchDate: ISODate,
  ids: readonly number[],
  from: readonly SendableStatus[],
  now: Date,
): Promise<Array<{ subscriberId: number; status: SubscriberStatus }>> {
  if (ids.length === 0 || from.length === 0) return [];
  const skipped: Array<{ subscriberId: number; status: SubscriberStatus }> = [];
  for (const chunk of chunkRows(ids)) {
    const inactive = await db
      .selectFrom('subscribers')
      .select(['id', 'status'])
      .where('id', 'in', chunk)
      .where('status', '<>', 'active')
      .execute();
    if (inactive.length === 0) continue;
    const byStatus = new Map<SubscriberStatus, number[]>();
    for (const row of inactive) byStatus.set(row.status, [...(byStatus.get(row.status) ?? []), Number(row.id)]);
    for (const [status, group] of byStatus) {
      const moved = await db
        .updateTable('deliveries')
        .set({ status: 'skipped', updated_at: now.toISOString(), last_error: skipReason(status), failure_kind: null })
        .where('batch_date', '=', batchDate)
        .where('subscriber_id', 'in', group)
        .where(sendable(from))
        .returning('subscriber_id')
        .execute();
      for (const row of moved) skipped.push({ subscriberId: Number(row.subscriber_id), status });
    }
  }
  return skipped;
}

export interface ClaimSpec {
  /** Only rows in one of these states are claimed (compare-and-set). */
  from: readonly SendableStatus[];
  transport: string;
  batchNo: number;
  idempotencyKey: string;
  /**
   * Claim only rows of active readers (default). Off to repeat an uncertain claim exactly: leaving out a reader
   * who left since would change the call, and the provider would no longer recognise it.
   */
  activeOnly?: boolean;
  /** The sender making the claim (`host/pid/nonce`), when several share the issue. */
  claimedBy?: string | undefined;
}

/**
 * Claims rows for one provider call: `from` → `sending` with the claim's number and key, one attempt more, in one
 * statement. Rows of readers who are not active are not claimed. Returns the ids claimed, in subscriber order.
 */
export async function claimDeliveries(
  db: Db,
  batchDate: ISODate,
  ids: readonly number[],
  claim: ClaimSpec,
  now: Date,
): Promise<number[]> {
  if (ids.length === 0 || claim.from.length === 0) return [];
  const claimed: number[] = [];
  for (const chunk of chunkRows(ids)) {
    const rows = await db
      .updateTable('deliveries')
      .set((eb) => ({
        status: 'sending',
        attempts: eb('attempts', '+', 1),
        transport: claim.transport,
        batch_no: claim.batchNo,
        idempotency_key: claim.idempotencyKey,
        failure_kind: null,
        updated_at: now.toISOString(),
        ...(claim.claimedBy !== undefined ? { claimed_by: claim.claimedBy } : {}),
        // A claim sent again under its key keeps the time the key was first used: that is what the provider counts.
        claimed_at: sql<string>`case when ${sql.ref('idempotency_key')} = ${claim.idempotencyKey} and ${sql.ref('claimed_at')} is not null then ${sql.ref('claimed_at')} else ${now.toISOString()} end`,
      }))
      .where('batch_date', '=', batchDate)
      .where('subscriber_id', 'in', chunk)
      .where(sendable(claim.from))
      .$if(claim.activeOnly ?? true, (q) =>
        q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('subscribers')
              .select('subscribers.id')
              .whereRef('subscribers.id', '=', 'deliveries.subscriber_id')
              .where('subscribers.status', '=', 'active'),
          ),
        ),
      )
      .returning('subscriber_id')
      .execute();
    for (const row of rows) claimed.push(Number(row.subscriber_id));
  }
  return claimed.sort((a, b) => a - b);
}

/** What one select-and-claim took: the rows claimed, the readers skipped, and the last row it looked at. */
export interface SliceClaim {
  rows: PendingDelivery[];
  /** The idempotency key the rows were claimed under (`keyPrefix` + the hash of their ids); '' when none was. */
  key: string;
  /** Rows moved to `skipped` because their reader is no longer active. */
  skipped: number;
  /** The highest subscriber id looked at (claimed or not); null when the segment had no free row left. */
  last: number | null;
}

/** A claim of a shared issue: as ClaimSpec, but the key is finished by the database from the rows it takes. */
export interface SliceSpec {
  from: readonly SendableStatus[];
  transport: string;
  batchNo: number;
  /** The key up to the recipients' hash: `idempotencyKeyOf` without its last part (deliver/claim-queue.ts). */
  keyPrefix: string;
  claimedBy: string;
}

/** Where a shared claim looks: a segment's rows after `after`, in these states, at most `limit`. */
export interface SlicePage {
  segmentId: string;
  statuses: readonly SendableStatus[];
  /** `unknown` rows only of this transport. */
  unknownOf?: string | undefined;
  after: number;
  limit: number;
}

/**
 * Several senders, one issue (PostgreSQL only): the next free rows of a segment after `after`, selected and claimed
 * in one statement, so a claim is one round trip. `FOR UPDATE SKIP LOCKED` passes over rows another sender is
 * claiming at this moment, so two senders never wait for each other nor take the same row, and a row once claimed
 * is `sending` and no longer sendable. Only rows of active readers are claimed; the key is `keyPrefix` followed
 * by the first 16 hex digits of the SHA-256 of their ids joined by commas, which is what idempotencyKeyOf
 * computes. Rows of readers who left since the audience was frozen then move to `skipped` (rare: one more
 * statement when there are any). `unknownOf`: `unknown` rows are taken only when that transport left them (the
 * outbox overwrites its own files).
 */
export async function claimSlice(
  db: Kysely<Database>,
  batchDate: ISODate,
  page: SlicePage,
  claim: SliceSpec,
  now: Date,
): Promise<SliceClaim> {
  if (page.statuses.length === 0 || claim.from.length === 0) return { rows: [], key: '', skipped: 0, last: null };
  const at = now.toISOString();
  const free = sendable(page.statuses);
  const unknownOf = page.unknownOf === undefined ? sql`true` : sql`(deliveries.status <> 'unknown' or deliveries.transport = ${page.unknownOf})`;
  const result = await sql<PendingRow & { claimed_key: string | null }>`
    with picked as (
      select subscriber_id, email, status, attempts, transport, batch_no, idempotency_key
      from deliveries
      where batch_date = ${batchDate} and segment_id = ${page.segmentId} and subscriber_id > ${page.after}
        and ${free} and ${unknownOf}
      order by subscriber_id
      limit ${page.limit}
      for update skip locked
    ), active as (
      select picked.subscriber_id from picked join subscribers on subscribers.id = picked.subscriber_id
      where subscribers.status = 'active'
    ), claim_key as (
      select ${claim.keyPrefix} || substr(encode(sha256(convert_to(string_agg(subscriber_id::text, ',' order by subscriber_id), 'UTF8')), 'hex'), 1, 16) as key
      from active
    ), claimed as (
      update deliveries set
        status = 'sending',
        attempts = deliveries.attempts + 1,
        transport = ${claim.transport},
        batch_no = ${claim.batchNo},
        idempotency_key = claim_key.key,
        failure_kind = null,
        updated_at = ${at},
        claimed_by = ${claim.claimedBy},
        -- A claim sent again under its key keeps the time the key was first used: that is what the provider counts.
        claimed_at = case when deliveries.idempotency_key = claim_key.key and deliveries.claimed_at is not null then deliveries.claimed_at else ${at} end
      from active, claim_key
      where deliveries.batch_date = ${batchDate} and deliveries.subscriber_id = active.subscriber_id and ${sendable(claim.from)}
      returning deliveries.subscriber_id, deliveries.idempotency_key
    )
    select picked.*, claimed.idempotency_key as claimed_key
    from picked left join claimed on claimed.subscriber_id = picked.subscriber_id
    order by picked.subscriber_id`.execute(db);
  const picked = result.rows;
  const last = picked.length > 0 ? Number(picked.at(-1)!.subscriber_id) : null;
  if (last === null) return { rows: [], key: '', skipped: 0, last };
  const rows = picked.filter((r) => r.claimed_key !== null).map(toPending);
  const key = picked.find((r) => r.claimed_key !== null)?.claimed_key ?? '';
  // Not claimed: a reader who is no longer active. Their planned or failed rows are skipped, as in the other path.
  const left = picked.filter((r) => r.claimed_key === null && r.status !== 'unknown').map((r) => Number(r.subscriber_id));
  const gone = left.length > 0 ? await skipInactiveReaders(db, batchDate, left, ['planned', 'failed'], now) : [];
  return { rows, key, skipped: gone.length, last };
}

/** What became of one claimed mail. */
export type DeliveryOutcome =
  | { subscriberId: number; status: 'sent'; messageId: string | null }
  | { subscriberId: number; status: 'bounced'; error: string }
  | { subscriberId: number; status: 'failed'; error: string; kind: FailureKind }
  | { subscriberId: number; status: 'unknown'; error: string };

/** Rows per UPDATE … CASE statement: two bound values per row stay far below every parameter limit. */
const OUTCOME_CHUNK = 200;

/**
 * Records the outcomes of one claim in one transaction: only rows still in `sending` (and, with `claimedBy`,
 * claimed by that sender) move (a claim is settled once). A bounce also suppresses the reader (active → bounced), so no later issue is sent to the address.
 */
export async function recordOutcomes(
  db: Kysely<Database>,
  batchDate: ISODate,
  outcomes: readonly DeliveryOutcome[],
  now: Date,
  claimedBy?: string,
): Promise<void> {
  if (outcomes.length === 0) return;
  const at = now.toISOString();
  const write = async (trx: Db) => {
    const groups = new Map<string, DeliveryOutcome[]>();
    for (const outcome of outcomes) {
      const group = outcome.status === 'failed' ? `failed:${outcome.kind}` : outcome.status;
      groups.set(group, [...(groups.get(group) ?? []), outcome]);
    }
    for (const [group, members] of groups) {
      for (const chunk of chunkRows(members, OUTCOME_CHUNK)) {
        const ids = chunk.map((o) => o.subscriberId);
        const status = chunk[0]!.status;
        const detail = (o: DeliveryOutcome) => (o.status === 'sent' ? o.messageId : o.error);
        // One statement per group: `CASE subscriber_id WHEN … THEN …` carries each row's own id or error.
        const perRow = sql<string | null>`case ${sql.ref('subscriber_id')} ${sql.join(
          chunk.map((o) => sql`when ${o.subscriberId} then ${detail(o)}`),
          sql` `,
        )} end`;
        await trx
          .updateTable('deliveries')
          .set(
            status === 'sent'
              ? { status, message_id: perRow, last_error: null, failure_kind: null, sent_at: at, updated_at: at }
              : {
                  status,
                  last_error: perRow,
                  failure_kind: status === 'failed' ? (group.split(':')[1] as FailureKind) : null,
                  updated_at: at,
                },
          )
          .where('batch_date', '=', batchDate)
          .where('subscriber_id', 'in', ids)
          .where('status', '=', 'sending')
          // One of several senders settles only its own claims: a row another sender took over (this one stalled
          // past its lease) and claimed again is that sender's to settle.
          .$if(claimedBy !== undefined, (q) => q.where('claimed_by', '=', claimedBy!))
          .execute();
        if (status === 'bounced') {
          await trx
            .updateTable('subscribers')
            .set({ status: 'bounced', updated_at: at, status_changed_at: at })
            .where('id', 'in', ids)
            .where('status', '=', 'active')
            .execute();
        }
      }
    }
  };
  // The common case (a claim all sent) is one statement, atomic by itself; anything more is one transaction.
  const single = outcomes.length <= OUTCOME_CHUNK && outcomes.every((o) => o.status === outcomes[0]!.status && o.status !== 'bounced' && o.status !== 'failed');
  if (single) await write(db);
  else await db.transaction().execute(write);
}

/** Every row of an issue by state, with `failed` split by kind and `unknown` by the transport that left it. */
export interface LedgerSummary {
  counts: Record<DeliveryStatus, number>;
  failedTransient: number;
  unknownByTransport: Record<string, number>;
  total: number;
}

export async function summarizeLedger(db: Db, batchDate: ISODate): Promise<LedgerSummary> {
  const rows = await db
    .selectFrom('deliveries')
    .select((eb) => ['status', 'failure_kind', 'transport', eb.fn.countAll().as('count')])
    .where('batch_date', '=', batchDate)
    .groupBy(['status', 'failure_kind', 'transport'])
    .execute();
  const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
  const summary: LedgerSummary = { counts, failedTransient: 0, unknownByTransport: {}, total: 0 };
  for (const row of rows) {
    const n = Number(row.count);
    counts[row.status] += n;
    summary.total += n;
    if (row.status === 'failed' && row.failure_kind === 'transient') summary.failedTransient += n;
    if (row.status === 'unknown') {
      const transport = row.transport ?? '(none)';
      summary.unknownByTransport[transport] = (summary.unknownByTransport[transport] ?? 0) + n;
    }
  }
  return summary;
}

// "Is this issue done?" asks one of two questions, and both are answered here:
//
// - nothingDue: a plain run would send nobody (no row planned, in flight or waiting for a retry). `unknown` rows do
//   not count: a run never sends them again on its own (a reader might get two copies). The scheduler asks this
//   (see isIssueSent): an issue whose last mails ended `unknown` is not retried at every tick.
// - nothingResendable: not even `run --resend-unknown` could send anyone this issue's mail; `unknown` rows count.
//   Delivery asks this before dropping the segments' kept renders, which a later --resend-unknown still needs so
//   those readers get exactly the same mail.

/** No row a plain run would send: none planned, in flight or waiting for a retry (`unknown` rows are not sent again). */
export function nothingDue(summary: LedgerSummary): boolean {
  return summary.counts.planned + summary.counts.sending + summary.failedTransient === 0;
}

/** Nothing left to do for an issue even with --resend-unknown: nothing due and no row of uncertain outcome. */
export function nothingResendable(summary: LedgerSummary): boolean {
  return nothingDue(summary) && summary.counts.unknown === 0;
}

/**
 * Whether readers have the issue, as the scheduler asks it: its audience is frozen and nothing is due (see
 * nothingDue). A run stopped half-way, or one that failed before freezing anything, is not done.
 */
export async function isIssueSent(db: Db, batchDate: ISODate): Promise<boolean> {
  const issue = await findIssue(db, batchDate);
  if (!issue?.preparedAt) return false;
  return nothingDue(await summarizeLedger(db, batchDate));
}
