import type { LedgerSummary } from '../store/deliveries.ts';
import type { SendProgress, SendResult } from './send-types.ts';
import type { Tally } from './settle-outcomes.ts';

// The run's report as the send loop fills it in: started from the ledger as it was, added to claim by claim.

export const FAILURES_LISTED = 20;

export function startSendResult(transport: string, ledgerBefore: LedgerSummary, interrupted: number, unknownToResend: number): SendResult {
  return {
    transport,
    sent: 0,
    failed: 0,
    bounced: 0,
    unknown: 0,
    skipped: 0,
    alreadySent: ledgerBefore.counts.sent,
    interrupted,
    resolved: 0,
    stopped: null,
    total: ledgerBefore.counts.planned + ledgerBefore.failedTransient + unknownToResend,
    failures: [],
    failuresTotal: 0,
    durationMs: 0,
    ledgerBefore,
    ledgerAfter: ledgerBefore,
  };
}

/** Adds settled rows; only the first FAILURES_LISTED failures are kept, all are counted. */
export function addTally(result: SendResult, tally: Tally): void {
  result.sent += tally.sent;
  result.failed += tally.failed;
  result.bounced += tally.bounced;
  result.unknown += tally.unknown;
  result.resolved += tally.resolved;
  for (const failure of tally.failures) {
    result.failuresTotal += 1;
    if (result.failures.length < FAILURES_LISTED) result.failures.push(failure);
  }
}

/** The first reason wins: a run stops once. */
export function stopSending(result: SendResult, reason: string): void {
  result.stopped ??= reason;
}

export function progressOf(result: SendResult, claim: { segmentId: string; batchNo: number | null; mails: number }, elapsedMs: number): SendProgress {
  return {
    ...claim,
    sent: result.sent,
    failed: result.failed,
    bounced: result.bounced,
    unknown: result.unknown,
    skipped: result.skipped,
    done: result.sent + result.failed + result.bounced + result.unknown + result.skipped,
    total: result.total,
    elapsedMs,
  };
}
