import type { ClaimSpec, DeliveryOutcome, LedgerSummary, PendingDelivery, SendableStatus, SliceClaim, SlicePage, SliceSpec, UncertainClaim } from '../store/deliveries.ts';

// The delivery ledger of one issue as the send loop sees it: exactly the reads and writes the loop makes, no
// more. The store's adapter is `openDeliveryLedger` (store/delivery-ledger.ts, SQLite and PostgreSQL through one
// Kysely implementation); tests may wrap it to watch the loop's writes. Every write takes the time it stamps.

export interface Ledger {
  /**
   * Rows a dead run left in `sending` become `unknown` (nobody knows whether they went out). Returns how many. On a
   * shared ledger only the rows of senders that are gone: lease lapsed, or one of `deadOwners`.
   */
  markInterrupted(now: Date, deadOwners?: readonly string[]): Promise<number>;
  /** Present when several senders share the issue (PostgreSQL): this sender's side of the sharing. */
  shared?: SharedLedger | undefined;
  /** Every row of the issue by state. */
  summarize(): Promise<LedgerSummary>;
  /** `unknown` rows that `transport` left, optionally only those claimed since a time. */
  countUnknown(filter: { transport: string; claimedSince?: string | undefined }): Promise<number>;
  /** A segment's `unknown` claims of `transport`, grouped by idempotency key, to be sent again exactly. */
  uncertainClaims(filter: { segmentId: string; transport: string; claimedSince?: string | undefined }): Promise<UncertainClaim[]>;
  /** One page of a segment's sendable rows after subscriber id `after` (keyset paging). */
  pending(page: { segmentId: string; statuses: readonly SendableStatus[]; after: number; limit: number }): Promise<PendingDelivery[]>;
  /** Rows of `ids` still in one of `from` whose reader is no longer active move to `skipped`; returns their ids. */
  skipInactive(ids: readonly number[], from: readonly SendableStatus[], now: Date): Promise<number[]>;
  /** Reserves `count` consecutive claim numbers; returns the first. */
  reserveBatchNumbers(count: number, now: Date): Promise<number>;
  /** Claims rows for one provider call (compare-and-set → `sending`); returns the ids claimed, in subscriber order. */
  claim(ids: readonly number[], spec: ClaimSpec, now: Date): Promise<number[]>;
  /** Records the outcomes of a claim (only rows still in `sending` move; a bounce suppresses the reader). */
  settle(outcomes: readonly DeliveryOutcome[], now: Date): Promise<void>;
}

/** One of several senders of an issue: its claims name it, and free rows are claimed with SKIP LOCKED. */
export interface SharedLedger {
  /** This sender (`host/pid/nonce`); its lease is `sender:<date>:<owner>` in run_locks. */
  owner: string;
  /** Selects and claims a segment's next free rows after `after` in one statement (see store claimSlice). */
  claimSlice(
    page: SlicePage,
    claim: Omit<SliceSpec, 'claimedBy'>,
    now: Date,
  ): Promise<SliceClaim>;
  /** The issue's `sending` rows by the sender that claimed them. */
  inFlight(): Promise<Array<{ owner: string | null; rows: number }>>;
}
