import type { DeliveryOutcome, PendingDelivery } from '../store/deliveries.ts';
import type { ResendBehaviour, SendOutcome } from './transport.ts';

// The outcome rules of the send loop, pure: what one attempt of a claim writes to the ledger, which rows are worth
// another try, and what it adds to the run's report. No clock: the rules do not depend on the time, and the loop
// stamps the writes when it makes them.
//
//   sent                     → sent (counted as resolved when the claim repeated an unknown one)
//   bounced                  → bounced (the ledger also suppresses the reader)
//   stop                     → failed, transient (certainly not sent: the next run tries again); the run stops
//   rejected, not retryable  → failed, permanent
//   uncertain, duplicate transport or `final` → unknown (another try could send a second copy, or tell nothing)
//   rejected retryable / other uncertain → another try while attempts are left and the run goes on, else given up:
//     uncertain under a same-key transport → unknown, anything else → failed, transient.
// A same-key retry must repeat the claim exactly, so when only part of a same-key claim needs another try, that
// part is given up as it stands (a new key for it could deliver a second copy). Transports without keys park
// their retries as transient failures while they wait, so a crash during the wait leaves them to the next run
// instead of in `sending`. Across claims: past `stopAfterFailedBatches` claims in a row that sent nothing because of
// transient trouble, the run stops (countFailedStreak).

export interface MailFailure {
  subscriberId: number;
  email: string;
  status: 'failed' | 'bounced' | 'unknown';
  error: string;
}

/** A row worth another try, with the outcome that made it so. */
export interface Retry {
  row: PendingDelivery;
  outcome: Extract<SendOutcome, { status: 'rejected' | 'uncertain' }>;
}

/** What settled rows add to the run's report; `failures` in the order they happened. */
export interface Tally {
  sent: number;
  failed: number;
  bounced: number;
  unknown: number;
  resolved: number;
  failures: MailFailure[];
}

export interface SettleInput {
  /** The claimed rows, in the order they were handed to the transport. */
  rows: readonly PendingDelivery[];
  /** One transport outcome per row, in the same order. */
  outcomes: readonly SendOutcome[];
  /** The claim repeats an `unknown` one under its key. */
  resolving: boolean;
  /** This attempt (from 1) and how many the policy allows. */
  attempt: number;
  maxAttempts: number;
  resend: ResendBehaviour;
  /** The run had stopped before this attempt's outcomes came in: no more tries. */
  stopped: boolean;
}

export interface Settlement {
  /** The ledger writes of this attempt. */
  writes: DeliveryOutcome[];
  /** Rows to send again after the wait: the same claim under a same-key transport, claimed afresh otherwise. */
  retries: Retry[];
  /** The longest wait a provider asked for among the retries (0: none). */
  retryAfterMs: number;
  tally: Tally;
  /** The reason of the first `stop` outcome: the run stops. */
  stop: string | null;
  sentAny: boolean;
  /** Some mail failed in a way that may pass (a retryable refusal, an uncertain outcome). */
  troubled: boolean;
  /** The error of the last mail that was not sent, or null. */
  lastError: string | null;
}

export const emptyTally = (): Tally => ({ sent: 0, failed: 0, bounced: 0, unknown: 0, resolved: 0, failures: [] });

function note(tally: Tally, row: PendingDelivery, status: MailFailure['status'], error: string) {
  tally.failures.push({ subscriberId: row.subscriberId, email: row.email, status, error });
}

function giveUpOne(tally: Tally, { row, outcome }: Retry, resend: ResendBehaviour): DeliveryOutcome {
  if (outcome.status === 'uncertain' && resend === 'same-key') {
    tally.unknown += 1;
    note(tally, row, 'unknown', outcome.error);
    return { subscriberId: row.subscriberId, status: 'unknown', error: outcome.error };
  }
  tally.failed += 1;
  note(tally, row, 'failed', outcome.error);
  return { subscriberId: row.subscriberId, status: 'failed', error: outcome.error, kind: 'transient' };
}

/** The final state of rows whose tries are over: an uncertain same-key mail is unknown, anything else a transient failure. */
export function giveUp(retries: readonly Retry[], resend: ResendBehaviour): { writes: DeliveryOutcome[]; tally: Tally } {
  const tally = emptyTally();
  return { writes: retries.map((retry) => giveUpOne(tally, retry, resend)), tally };
}

/** Applies the outcome rules to one attempt of a claim. */
export function settleOutcomes(input: SettleInput): Settlement {
  const { rows, outcomes, resend } = input;
  const sameKey = resend === 'same-key';
  const canRetry = input.attempt < input.maxAttempts && !input.stopped;
  const s: Settlement = { writes: [], retries: [], retryAfterMs: 0, tally: emptyTally(), stop: null, sentAny: false, troubled: false, lastError: null };
  const { tally, writes } = s;

  rows.forEach((row, i) => {
    const outcome = outcomes[i];
    if (!outcome) throw new Error(`no outcome for mail ${i + 1} of ${rows.length}`);
    const id = row.subscriberId;
    if (outcome.status !== 'sent') s.lastError = outcome.error;
    if (outcome.status === 'rejected' || outcome.status === 'uncertain') s.troubled ||= outcome.status === 'uncertain' || outcome.retryable;
    switch (outcome.status) {
      case 'sent':
        writes.push({ subscriberId: id, status: 'sent', messageId: outcome.providerId });
        tally.sent += 1;
        s.sentAny = true;
        if (input.resolving) tally.resolved += 1;
        return;
      case 'bounced':
        writes.push({ subscriberId: id, status: 'bounced', error: outcome.error });
        tally.bounced += 1;
        note(tally, row, 'bounced', outcome.error);
        return;
      case 'stop':
        // Certainly not sent: the row waits for the next run.
        writes.push({ subscriberId: id, status: 'failed', error: outcome.error, kind: 'transient' });
        s.stop ??= outcome.error;
        return;
      case 'rejected':
        if (!outcome.retryable) {
          writes.push({ subscriberId: id, status: 'failed', error: outcome.error, kind: 'permanent' });
          tally.failed += 1;
          note(tally, row, 'failed', outcome.error);
          return;
        }
        break;
      case 'uncertain':
        // A transport that may duplicate leaves an uncertain mail alone; so does one that cannot learn more.
        if (resend === 'duplicate' || outcome.final) {
          writes.push({ subscriberId: id, status: 'unknown', error: outcome.error });
          tally.unknown += 1;
          note(tally, row, 'unknown', outcome.error);
          return;
        }
        break;
    }
    if (canRetry) {
      s.retries.push({ row, outcome });
      s.retryAfterMs = Math.max(s.retryAfterMs, outcome.retryAfterMs ?? 0);
    } else {
      writes.push(giveUpOne(tally, { row, outcome }, resend));
    }
  });

  if (s.retries.length > 0 && sameKey && s.retries.length !== rows.length) {
    for (const retry of s.retries.splice(0)) writes.push(giveUpOne(tally, retry, resend));
    s.retryAfterMs = 0;
  }
  if (!sameKey) {
    for (const { row, outcome } of s.retries) writes.push({ subscriberId: row.subscriberId, status: 'failed', error: outcome.error, kind: 'transient' });
  }
  return s;
}

/** How one claim went, over all its attempts, for the streak of claims that sent nothing. */
export interface ClaimTrouble {
  sentAny: boolean;
  troubled: boolean;
  lastError: string;
}

/**
 * The streak of claims in a row that sent nothing because of transient trouble, after one more claim: a claim that
 * sent anything ends it; one with only permanent failures, or on a stopped run, leaves it as it is. Past
 * `stopAfter` claims (0: never) the run stops, with the reason.
 */
export function countFailedStreak(inARow: number, claim: ClaimTrouble, stopped: boolean, stopAfter: number): { inARow: number; stop: string | null } {
  if (claim.sentAny) return { inARow: 0, stop: null };
  if (!claim.troubled || stopped) return { inARow, stop: null };
  const n = inARow + 1;
  const stop = stopAfter > 0 && n >= stopAfter ? `${n} batches in a row sent nothing (last error: ${claim.lastError}); the rest stays for the next run` : null;
  return { inARow: n, stop };
}
