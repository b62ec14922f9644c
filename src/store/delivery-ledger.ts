import type { Kysely } from 'kysely';
import type { ISODate } from '../types.ts';
import {
  claimDeliveries,
  claimSlice,
  countUnknown,
  markInterruptedSends,
  pendingDeliveries,
  recordOutcomes,
  sendingBySender,
  skipInactiveReaders,
  summarizeLedger,
  uncertainClaims,
  type ClaimSpec,
  type DeliveryOutcome,
  type SendableStatus,
  type SlicePage,
  type SliceSpec,
} from './deliveries.ts';
import { nextBatchNumber } from './issues.ts';
import type { Database } from './schema.ts';

// The delivery ledger of one issue, bound to its day: the store's side of deliver/'s `Ledger` seam. It only
// forwards to the ledger queries of deliveries.ts and issues.ts, so SQLite and PostgreSQL share it as they share
// those. It is typed structurally (store/ may not import deliver/); deliver/ checks it against `Ledger` where it
// opens it.

//
// With `sender` (one of several senders of the issue, PostgreSQL; see send-issue.ts), every claim names it, only the
// `sending` rows of senders that are gone turn `unknown`, and `shared` claims free rows with SKIP LOCKED.
export function openDeliveryLedger(db: Kysely<Database>, batchDate: ISODate, sender?: string) {
  const named = (spec: ClaimSpec): ClaimSpec => (sender === undefined ? spec : { ...spec, claimedBy: sender });
  const shared =
    sender === undefined
      ? undefined
      : {
          owner: sender,
          claimSlice: (page: SlicePage, claim: Omit<SliceSpec, 'claimedBy'>, now: Date) =>
            claimSlice(db, batchDate, page, { ...claim, claimedBy: sender }, now),
          inFlight: () => sendingBySender(db, batchDate),
        };
  return {
    markInterrupted: (now: Date, deadOwners: readonly string[] = []) =>
      markInterruptedSends(db, batchDate, now, sender === undefined ? undefined : { deadOwners }),
    shared,
    summarize: () => summarizeLedger(db, batchDate),
    countUnknown: (filter: { transport: string; claimedSince?: string | undefined }) => countUnknown(db, batchDate, filter),
    uncertainClaims: (filter: { segmentId: string; transport: string; claimedSince?: string | undefined }) =>
      uncertainClaims(db, batchDate, filter),
    pending: (page: { segmentId: string; statuses: readonly SendableStatus[]; after: number; limit: number }) =>
      pendingDeliveries(db, batchDate, page),
    skipInactive: async (ids: readonly number[], from: readonly SendableStatus[], now: Date) =>
      (await skipInactiveReaders(db, batchDate, ids, from, now)).map((s) => s.subscriberId),
    reserveBatchNumbers: (count: number, now: Date) => nextBatchNumber(db, batchDate, now, count),
    claim: (ids: readonly number[], spec: ClaimSpec, now: Date) => claimDeliveries(db, batchDate, ids, named(spec), now),
    settle: (outcomes: readonly DeliveryOutcome[], now: Date) => recordOutcomes(db, batchDate, outcomes, now, sender),
  };
}

export type DeliveryLedger = ReturnType<typeof openDeliveryLedger>;
