import { openDeliveryLedger } from '../store/delivery-ledger.ts';
import type { PendingDelivery, SendableStatus } from '../store/deliveries.ts';
import type { ISODate } from '../types.ts';
import { createClaimQueue, reclaimRetries, reclaimUncertain, type Claim } from './claim-queue.ts';
import type { Ledger } from './ledger.ts';
import { readerMails } from './reader-mail.ts';
import { addTally, progressOf, startSendResult, stopSending } from './send-report.ts';
import type { SegmentToSend, SenderContext, SendPolicy, SendResult } from './send-types.ts';
import { giveUp, settleOutcomes } from './settle-outcomes.ts';
import type { MailJob, MailTransport, SendContext, SendOutcome } from './transport.ts';

// The sending loop of one issue. Per segment: first the claims whose outcome a dead run left unknown and that the
// transport can settle without a duplicate (same idempotency key), then the rows still to send, a claim at a time
// from the claim queue (claim-queue.ts), `workers` claims in flight. Each claim is sent until settled: the outcome
// rules are settle-outcomes.ts, and every attempt's outcome is written before the next claim of that worker.
// Mails are made beside the loop (reader-mail.ts); the ledger is the `Ledger` seam (ledger.ts).

export type { MailFailure, SegmentToSend, SenderContext, SendPolicy, SendProgress, SendResult } from './send-types.ts';
export { idempotencyKeyOf } from './claim-queue.ts';
export { FAILURES_LISTED } from './send-report.ts';

export function backoffMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

/** What the steps of one run share; `result` is filled in as claims settle. */
interface SendRun {
  context: SenderContext;
  batchDate: ISODate;
  transport: MailTransport;
  policy: SendPolicy;
  ledger: Ledger;
  /** For same-key transports with a key lifetime: only claims made since then can be repeated safely. */
  claimedSince: string | undefined;
  result: SendResult;
  /** Claims in a row that sent nothing because of transient errors. */
  failedInARow: number;
  elapsedMs: () => number;
}

type MailOf = (row: PendingDelivery) => MailJob;

export async function sendIssue(
  context: SenderContext,
  batchDate: ISODate,
  transport: MailTransport,
  segments: readonly SegmentToSend[],
  policy: SendPolicy,
): Promise<SendResult> {
  const run = await openRun(context, batchDate, transport, policy);
  for (const segment of segments) {
    if (run.result.stopped) break;
    await sendSegment(run, segment);
  }
  run.result.ledgerAfter = await run.ledger.summarize();
  run.result.durationMs = run.elapsedMs();
  return run.result;
}

/** Recovers a dead run's claims (`sending` → `unknown`) and counts what there is to send. */
async function openRun(context: SenderContext, batchDate: ISODate, transport: MailTransport, policy: SendPolicy): Promise<SendRun> {
  // Durations are measured on the wall clock, apart from the injected `clock` that stamps the ledger: a test's
  // pinned clock must not make a run last zero seconds.
  const started = Date.now();
  const ledger: Ledger = context.openLedger?.(batchDate) ?? openDeliveryLedger(context.db, batchDate);
  const interrupted = await ledger.markInterrupted(context.clock());
  const ledgerBefore = await ledger.summarize();
  const lifetime = transport.resend === 'same-key' ? transport.keyLifetimeMs : undefined;
  const claimedSince = lifetime === undefined ? undefined : new Date(context.clock().getTime() - lifetime).toISOString();
  const unknownToResend = policy.resendUnknown
    ? ledgerBefore.counts.unknown
    : transport.resend !== 'duplicate'
      ? await ledger.countUnknown({ transport: transport.name, claimedSince })
      : 0;
  const result = startSendResult(transport.name, ledgerBefore, interrupted, unknownToResend);
  return { context, batchDate, transport, policy, ledger, claimedSince, result, failedInARow: 0, elapsedMs: () => Date.now() - started };
}

async function sendSegment(run: SendRun, segment: SegmentToSend): Promise<void> {
  const { segmentId } = segment;
  const mailOf = readerMails(run.context, run.batchDate, segmentId, await segment.mail());
  if (run.transport.resend === 'same-key') await resendUncertainClaims(run, segmentId, mailOf);

  const { policy, transport } = run;
  const overwrite = transport.resend === 'overwrite';
  const statuses: SendableStatus[] = ['planned', 'failed'];
  if (policy.resendUnknown || overwrite) statuses.push('unknown');
  // Claims are as large as one transport call takes; pages are read in the configured batch size.
  const batchSize = Math.max(1, Math.min(policy.batchSize, transport.maxBatch));
  const nextClaim = createClaimQueue({
    ledger: run.ledger,
    batchDate: run.batchDate,
    segmentId,
    transport: transport.name,
    statuses,
    eligible: (row) => row.status !== 'unknown' || policy.resendUnknown || (overwrite && row.transport === transport.name),
    batchSize,
    pageSize: Math.max(batchSize, policy.batchSize),
    clock: run.context.clock,
    running: () => stillRunning(run),
    onSkipped: (count) => {
      run.result.skipped += count;
      reportProgress(run, segmentId, null, 0);
    },
  });
  const worker = async () => {
    for (let claim = await nextClaim(); claim; claim = await nextClaim()) await sendClaim(run, segmentId, claim, mailOf);
  };
  await Promise.all(Array.from({ length: Math.max(1, policy.workers) }, worker));
}

/** Exactly the same rows under exactly the same key: the provider answers the first call's result. */
async function resendUncertainClaims(run: SendRun, segmentId: string, mailOf: MailOf): Promise<void> {
  const { ledger, transport } = run;
  for (const uncertain of await ledger.uncertainClaims({ segmentId, transport: transport.name, claimedSince: run.claimedSince })) {
    if (!stillRunning(run)) return;
    const claim = await reclaimUncertain(ledger, uncertain, transport.name, run.context.clock());
    if (claim) await sendClaim(run, segmentId, claim, mailOf);
  }
}

/** Sends one claim until every row is settled, retrying transient failures within the run. */
async function sendClaim(run: SendRun, segmentId: string, claim: Claim, mailOf: MailOf): Promise<void> {
  const { ledger, transport, policy, result, context } = run;
  let { batchNo, key, rows } = claim;
  const streak = { sentAny: false, troubled: false, lastError: '' };
  for (let attempt = 1; rows.length > 0; attempt++) {
    const outcomes = await callTransport(transport, rows.map(mailOf), { batchDate: run.batchDate, batchNo, idempotencyKey: key, attempt });
    const settled = settleOutcomes({
      rows,
      outcomes,
      resolving: claim.resolving,
      attempt,
      maxAttempts: policy.attempts,
      resend: transport.resend,
      stopped: result.stopped !== null,
    });
    addTally(result, settled.tally);
    if (settled.stop) stopSending(result, settled.stop);
    streak.sentAny ||= settled.sentAny;
    streak.troubled ||= settled.troubled;
    streak.lastError = settled.lastError ?? streak.lastError;
    await ledger.settle(settled.writes, context.clock());
    if (settled.retries.length === 0) break;

    await context.sleep(Math.max(settled.retryAfterMs, backoffMs(attempt, policy.baseDelayMs, policy.maxDelayMs)));
    if (result.stopped) {
      // Another worker stopped the run during the wait: the retries end where they stand (parked ones stay parked).
      const parked = giveUp(settled.retries, transport.resend);
      addTally(result, parked.tally);
      if (transport.resend === 'same-key') await ledger.settle(parked.writes, context.clock());
      break;
    }
    if (transport.resend === 'same-key') {
      rows = settled.retries.map((r) => r.row);
      continue;
    }
    const again = await reclaimRetries(ledger, run.batchDate, transport.name, settled.retries, context.clock);
    ({ batchNo, key } = again);
    rows = again.claimed.map((r) => r.row);
    // A reader who left during the wait keeps the transient failure; the next run skips them.
    addTally(result, giveUp(again.left, transport.resend).tally);
  }
  countFailedStreak(run, streak);
  reportProgress(run, segmentId, claim.batchNo, claim.rows.length);
}

/** Problems with mails are outcomes; a transport that throws or miscounts leaves the whole claim uncertain. */
async function callTransport(transport: MailTransport, mails: MailJob[], context: SendContext): Promise<SendOutcome[]> {
  try {
    const outcomes = await transport.send(mails, context);
    if (outcomes.length !== mails.length) throw new Error(`the transport answered ${outcomes.length} outcomes for ${mails.length} mails`);
    return outcomes;
  } catch (error) {
    return mails.map(() => ({ status: 'uncertain', error: `the transport failed: ${(error as Error).message}` }));
  }
}

/** Past `stopAfterFailedBatches` claims in a row that sent nothing, the run gives up and leaves the rest. */
function countFailedStreak(run: SendRun, streak: { sentAny: boolean; troubled: boolean; lastError: string }): void {
  const { result, policy } = run;
  if (streak.sentAny) run.failedInARow = 0;
  else if (streak.troubled && !result.stopped) {
    run.failedInARow += 1;
    if (policy.stopAfterFailedBatches > 0 && run.failedInARow >= policy.stopAfterFailedBatches) {
      stopSending(result, `${run.failedInARow} batches in a row sent nothing (last error: ${streak.lastError}); the rest stays for the next run`);
    }
  }
}

/** A run that lost its lock stops claiming. */
function stillRunning(run: SendRun): boolean {
  const lost = run.context.lock?.lost();
  if (lost) stopSending(run.result, lost);
  return !run.result.stopped;
}

function reportProgress(run: SendRun, segmentId: string, batchNo: number | null, mails: number): void {
  run.context.onProgress?.(progressOf(run.result, { segmentId, batchNo, mails }, run.elapsedMs()));
}
