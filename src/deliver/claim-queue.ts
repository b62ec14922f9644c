import { createHash } from 'node:crypto';
import type { PendingDelivery, SendableStatus, UncertainClaim } from '../store/deliveries.ts';
import type { ISODate } from '../types.ts';
import type { Ledger } from './ledger.ts';
import type { SendPolicy } from './send-types.ts';
import type { MailTransport } from './transport.ts';

// Where claims come from. A claim is the rows of one provider call, moved to `sending` under a claim number and an
// idempotency key before the call. Three sources: the read-ahead queue of a segment's sendable rows, an `unknown`
// claim repeated exactly under its key, and the retries of a claim taken afresh under a new number and key.

export interface Claim {
  batchNo: number;
  key: string;
  rows: PendingDelivery[];
  /** Rows were `unknown`: counted as resolved when they end up sent. */
  resolving: boolean;
}

/**
 * `paperboy/<issue>/batch/<n>/<hash of the recipients>`: a retried claim carries exactly the same key. The hash is
 * the first 16 hex digits of the SHA-256 of the ids joined by commas; a shared ledger computes the same in SQL.
 */
export function idempotencyKeyOf(batchDate: ISODate, batchNo: number, subscriberIds: readonly number[]): string {
  const digest = createHash('sha256').update(subscriberIds.join(',')).digest('hex').slice(0, 16);
  return `${keyPrefixOf(batchDate, batchNo)}${digest}`;
}

export function keyPrefixOf(batchDate: ISODate, batchNo: number): string {
  return `paperboy/${batchDate}/batch/${batchNo}/`;
}

/** Which rows a run sends, and how they are cut: the claim queue's settings for a transport and a policy. */
export function claimRules(transport: Pick<MailTransport, 'name' | 'maxBatch' | 'resend'>, policy: Pick<SendPolicy, 'batchSize' | 'resendUnknown'>) {
  const overwrite = transport.resend === 'overwrite';
  // `unknown` rows are sent again only when the operator asks, or when a copy overwrites the first (the outbox).
  const statuses: SendableStatus[] = policy.resendUnknown || overwrite ? ['planned', 'failed', 'unknown'] : ['planned', 'failed'];
  // Claims are as large as one transport call takes; pages are read in the configured batch size.
  const batchSize = Math.max(1, Math.min(policy.batchSize, transport.maxBatch));
  return {
    statuses,
    // For a shared ledger, which says in its query what `eligible` says of the rows read.
    unknownOf: overwrite && !policy.resendUnknown ? transport.name : undefined,
    eligible: (row: PendingDelivery) => row.status !== 'unknown' || policy.resendUnknown || (overwrite && row.transport === transport.name),
    batchSize,
    pageSize: Math.max(batchSize, policy.batchSize),
  };
}

/** Claim numbers a sender of a shared issue reserves at a time (one round trip on the row per so many claims). */
const SHARED_NUMBERS = 8;

export interface ClaimQueueOptions {
  ledger: Ledger;
  batchDate: ISODate;
  segmentId: string;
  transport: string;
  /** The states a row may be claimed from, and which of the rows read are really to be sent now. */
  statuses: readonly SendableStatus[];
  eligible: (row: PendingDelivery) => boolean;
  /** `unknown` rows only of this transport (a shared ledger's query does what `eligible` does). */
  unknownOf?: string | undefined;
  /** Rows per claim (what one transport call takes) and rows per page read ahead. */
  batchSize: number;
  pageSize: number;
  clock: () => Date;
  /** Asked before each claim; false once the run stopped. */
  running: () => boolean;
  /** Readers found gone since the audience was frozen, now `skipped`. */
  onSkipped: (count: number) => void;
}

/**
 * A segment's claims, cut one at a time from a shared read-ahead buffer, so several workers can send at once
 * while the claims themselves are made one after another. A claim is as small as the transport sends at once
 * (for SMTP: a few mails per connection, smtp-transport.ts), so a crash leaves only the mails on their way in
 * `sending`; pages are read `pageSize` rows at a time, and nothing more than a page sits in memory. Resolves to null when the
 * segment has no row left or the run stopped.
 */
export function createClaimQueue(options: ClaimQueueOptions): () => Promise<Claim | null> {
  const { ledger, batchDate, segmentId, statuses, batchSize, pageSize, clock } = options;
  let cursor = 0;
  let exhausted = false;
  /** Rows read ahead and checked against suppression, not yet claimed. */
  let buffer: PendingDelivery[] = [];
  /** Claim numbers reserved for the buffered rows, one database round trip per page. */
  let numbers = { next: 0, left: 0 };
  let queue: Promise<unknown> = Promise.resolve();

  const skip = async (rows: readonly PendingDelivery[]) => {
    const ids = rows.filter((r) => r.status !== 'unknown').map((r) => r.subscriberId);
    const skipped = await ledger.skipInactive(ids, ['planned', 'failed'], clock());
    if (skipped.length > 0) options.onSkipped(skipped.length);
    return new Set(skipped);
  };

  const readPage = async () => {
    const page = await ledger.pending({ segmentId, statuses, after: cursor, limit: pageSize });
    if (page.length < pageSize) exhausted = true;
    const last = page.at(-1);
    if (!last) return false;
    cursor = last.subscriberId;
    const candidates = page.filter(options.eligible);
    const gone = await skip(candidates);
    buffer = candidates.filter((r) => !gone.has(r.subscriberId));
    const needed = Math.ceil(buffer.length / batchSize);
    if (needed > 0) numbers = { next: await ledger.reserveBatchNumbers(needed, clock()), left: needed };
    return true;
  };

  const claimNext = async (): Promise<Claim | null> => {
    const take = buffer.splice(0, batchSize);
    if (numbers.left === 0) numbers = { next: await ledger.reserveBatchNumbers(1, clock()), left: 1 };
    const batchNo = numbers.next;
    numbers = { next: numbers.next + 1, left: numbers.left - 1 };
    const key = idempotencyKeyOf(batchDate, batchNo, take.map((r) => r.subscriberId));
    const ids = take.map((r) => r.subscriberId);
    const claimed = new Set(await ledger.claim(ids, { from: statuses, transport: options.transport, batchNo, idempotencyKey: key }, clock()));
    const rows = take.filter((r) => claimed.has(r.subscriberId));
    // A reader who left since the page was read is not claimed: skip the row now rather than leave it.
    if (rows.length < take.length) await skip(take.filter((r) => !claimed.has(r.subscriberId)));
    return rows.length > 0 ? { batchNo, key, rows, resolving: false } : null;
  };

  // Several senders share the issue (a shared ledger, PostgreSQL): no read-ahead, which the other senders would
  // read too; each claim selects and claims the segment's next free rows in one transaction (SKIP LOCKED), so the
  // senders take disjoint slices without waiting for each other. The cursor only keeps this sender from going
  // back over rows it passed (a transient failure parked by its own retry loop).
  const shared = ledger.shared;
  const claimShared = async (): Promise<Claim | null> => {
    if (numbers.left === 0) numbers = { next: await ledger.reserveBatchNumbers(SHARED_NUMBERS, clock()), left: SHARED_NUMBERS };
    const batchNo = numbers.next;
    const slice = await shared!.claimSlice(
      { segmentId, statuses, unknownOf: options.unknownOf, after: cursor, limit: batchSize },
      { from: statuses, transport: options.transport, batchNo, keyPrefix: keyPrefixOf(batchDate, batchNo) },
      clock(),
    );
    if (slice.skipped > 0) options.onSkipped(slice.skipped);
    if (slice.last === null) {
      exhausted = true;
      return null;
    }
    cursor = slice.last;
    if (slice.rows.length === 0) return null;
    numbers = { next: numbers.next + 1, left: numbers.left - 1 };
    return { batchNo, key: slice.key, rows: slice.rows, resolving: false };
  };

  return () => {
    const next = queue.then(async (): Promise<Claim | null> => {
      while (options.running()) {
        if (shared) {
          if (exhausted) return null;
          const claim = await claimShared();
          if (claim) return claim;
          continue;
        }
        if (buffer.length === 0) {
          if (exhausted || !(await readPage())) return null;
          continue;
        }
        const claim = await claimNext();
        if (claim) return claim;
      }
      return null;
    });
    queue = next.catch(() => undefined);
    return next;
  };
}

/** An `unknown` claim claimed again exactly (same rows, same number, same key): the provider answers the first call's result. */
export async function reclaimUncertain(ledger: Ledger, uncertain: UncertainClaim, transport: string, now: Date): Promise<Claim | null> {
  const ids = uncertain.rows.map((r) => r.subscriberId);
  const spec = { from: ['unknown'] as const, transport, batchNo: uncertain.batchNo, idempotencyKey: uncertain.idempotencyKey, activeOnly: false };
  const claimed = new Set(await ledger.claim(ids, spec, now));
  const rows = uncertain.rows.filter((r) => claimed.has(r.subscriberId));
  return rows.length > 0 ? { batchNo: uncertain.batchNo, key: uncertain.idempotencyKey, rows, resolving: true } : null;
}

/**
 * Retries parked as transient failures, claimed afresh under a new number and key (the readers are checked
 * again, the attempt is counted). Those not claimed: `skipped`, their reader left during the wait (now `skipped`,
 * as at any claim); `elsewhere`, another sender of a shared issue claimed the parked row meanwhile, so its outcome
 * is that sender's to record and report.
 */
export async function reclaimRetries<T extends { row: PendingDelivery }>(
  ledger: Ledger,
  batchDate: ISODate,
  transport: string,
  retries: readonly T[],
  clock: () => Date,
): Promise<{ batchNo: number; key: string; claimed: T[]; skipped: T[]; elsewhere: T[] }> {
  const batchNo = await ledger.reserveBatchNumbers(1, clock());
  const ids = retries.map((r) => r.row.subscriberId);
  const key = idempotencyKeyOf(batchDate, batchNo, ids);
  const claimed = new Set(await ledger.claim(ids, { from: ['failed'], transport, batchNo, idempotencyKey: key }, clock()));
  const unclaimed = retries.filter((r) => !claimed.has(r.row.subscriberId));
  const skipped = new Set(unclaimed.length > 0 ? await ledger.skipInactive(unclaimed.map((r) => r.row.subscriberId), ['failed'], clock()) : []);
  return {
    batchNo,
    key,
    claimed: retries.filter((r) => claimed.has(r.row.subscriberId)),
    skipped: unclaimed.filter((r) => skipped.has(r.row.subscriberId)),
    elsewhere: unclaimed.filter((r) => !skipped.has(r.row.subscriberId)),
  };
}
