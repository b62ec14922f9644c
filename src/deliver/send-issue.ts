import { openDeliveryLedger } from '../store/delivery-ledger.ts';
import type { PendingDelivery } from '../store/deliveries.ts';
import type { ISODate } from '../types.ts';
import { claimRules, createClaimQueue, reclaimRetries, reclaimUncertain, type Claim } from './claim-queue.ts';
import type { Ledger, SharedLedger } from './ledger.ts';
import { readerMails } from './reader-mail.ts';
import { provablyDead } from './run-lock.ts';
import { addTally, progressOf, startSendResult, stopSending } from './send-report.ts';
import type { SegmentToSend, SenderContext, SendPolicy, SendResult } from './send-types.ts';
import { countFailedStreak, giveUp, settleOutcomes, type ClaimTrouble, type Settlement } from './settle-outcomes.ts';
import type { MailJob, MailTransport, SendContext, SendOutcome } from './transport.ts';

// The sending loop of one issue, in named steps: `openRun` recovers a dead run's claims and counts what is to send;
// per segment, in order, `openSegment` renders the mail, has a same-key transport repeat the claims a dead run left
// unknown (`resendUncertainClaims`) and opens the segment's claim queue (claim-queue.ts); `workers` workers take
// claims from the queues, each moving on to the next segment when its own has none left. `sendClaim`
// sends a claim until every row is settled: `sendAttempt` calls the transport, settles the outcomes by the rules
// of settle-outcomes.ts and writes them before anything else of that worker, `retryAfterWait` waits and says
// what to send again. Mails are made beside the loop (reader-mail.ts), the ledger is the `Ledger` seam
// (ledger.ts, the store's adapter by default), and the report is filled in by send-report.ts. When several senders
// share the issue (PostgreSQL, `context.sender`), `sendShared` runs passes until nobody has rows in flight, taking
// over the claims of senders that are gone; the ledger itself is the queue they share (see README "Several senders":
// why not a job library).

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
  /** Claims this run has sent (a shared sender's passes stop once one claims nothing). */
  claims: number;
  elapsedMs: () => number;
}

type MailOf = (row: PendingDelivery) => MailJob;
/** What one transport call of a claim carries: a retry may go out under a new number and key. */
type ClaimCall = Pick<Claim, 'batchNo' | 'key' | 'rows'>;

export async function sendIssue(
  context: SenderContext,
  batchDate: ISODate,
  transport: MailTransport,
  segments: readonly SegmentToSend[],
  policy: SendPolicy,
): Promise<SendResult> {
  const run = await openRun(context, batchDate, transport, policy);
  const shared = run.ledger.shared;
  if (!shared) {
    await sendPass(run, segments);
  } else {
    // A segment's mail is loaded once per run even when a later pass opens the segment again.
    const once = segments.map((s) => {
      let mail: ReturnType<SegmentToSend['mail']> | undefined;
      return { segmentId: s.segmentId, mail: () => (mail ??= s.mail()) };
    });
    await sendShared(run, shared, once);
  }
  run.result.ledgerAfter = await run.ledger.summarize();
  run.result.durationMs = run.elapsedMs();
  return run.result;
}

/** One pass over the segments: claims until every segment's queue is empty or the run stopped. */
async function sendPass(run: SendRun, segments: readonly SegmentToSend[]): Promise<void> {
  // Segments are opened (rendered, their unknown claims repeated) one after another, in order, each once; workers
  // move on to the next segment as soon as theirs has no claim left, so the last claims of one segment and the
  // first of the next are in flight together instead of the connections idling at every segment's end.
  const opened: Array<Promise<SegmentLane | null>> = [];
  const open = (index: number): Promise<SegmentLane | null> => {
    opened[index] ??= (index === 0 ? Promise.resolve(null) : open(index - 1)).then(() =>
      run.result.stopped ? null : openSegment(run, segments[index]!),
    );
    return opened[index]!;
  };
  const worker = async () => {
    for (let index = 0; index < segments.length && !run.result.stopped; ) {
      const lane = await open(index);
      const claim = lane ? await lane.nextClaim() : null;
      if (claim) {
        await sendClaim(run, lane!.segmentId, claim, lane!.mailOf);
        continue;
      }
      // The segment has no claim left: its mail and template go (claims in flight keep what they use).
      opened[index] = Promise.resolve(null);
      index += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, run.policy.workers) }, worker));
}

/**
 * One of several senders of an issue (PostgreSQL). A pass claims free rows until none is left; rows the other
 * senders hold are theirs. Then, until no other sender has rows in flight: the rows of a sender that is gone
 * (lease lapsed, or a process of this machine that no longer exists) turn `unknown` as after a crash, and a new
 * pass sends what that frees (a same-key transport repeats those claims under their key; rows still `planned`
 * are claimed). The sender ends when no row is free and nobody else has one in flight, so the issue is finished
 * by whoever is left, and a dead sender's claims are taken over once its lease lapses.
 */
async function sendShared(run: SendRun, shared: SharedLedger, segments: readonly SegmentToSend[]): Promise<void> {
  const pollMs = run.context.sender?.pollMs ?? 500;
  let pass = true;
  /** Whether the last pass claimed anything; null when none ran since the last wait. */
  let passClaimed: boolean | null = null;
  for (;;) {
    if (pass) {
      const before = run.claims;
      await sendPass(run, segments);
      passClaimed = run.claims > before;
    }
    if (!stillRunning(run)) return;
    const inFlight = await shared.inFlight();
    const taken = await run.ledger.markInterrupted(run.context.clock(), goneSenders(inFlight));
    run.result.interrupted += taken;
    if (taken > 0) {
      pass = true;
      continue;
    }
    // Nothing was taken over, so the rows in flight are still as read.
    const others = inFlight.filter((f) => f.owner !== shared.owner).reduce((n, f) => n + f.rows, 0);
    const { planned } = (await run.ledger.summarize()).counts;
    if (others === 0) {
      // Rows still `planned` that no pass got (another sender's claim rolled back behind this sender's cursor)
      // get another pass, as long as passes find something; what is left waits for the next run.
      if (planned === 0 || passClaimed === false) return;
      pass = true;
      continue;
    }
    // Another sender still has rows in flight: they are its own unless it turns out to be gone.
    await run.context.sleep(pollMs);
    pass = planned > 0;
    passClaimed = null;
  }
}

/** Senders that left rows in `sending` and are provably gone (a process of this machine that no longer exists). */
function goneSenders(inFlight: ReadonlyArray<{ owner: string | null }>): string[] {
  return inFlight.flatMap((f) => (f.owner !== null && provablyDead(f.owner) ? [f.owner] : []));
}

/** One segment ready to send: its mails and its claim queue. */
interface SegmentLane {
  segmentId: string;
  mailOf: MailOf;
  nextClaim: () => Promise<Claim | null>;
}

/** Recovers a dead run's claims (`sending` → `unknown`) and counts what there is to send. */
async function openRun(context: SenderContext, batchDate: ISODate, transport: MailTransport, policy: SendPolicy): Promise<SendRun> {
  // Durations (the report's, the progress rate) are elapsed time, taken with Date.now(); every time written to
  // the ledger or into a mail comes from the injected `clock`, which stands for the time of day and may be pinned.
  const started = Date.now();
  const ledger: Ledger = context.openLedger?.(batchDate) ?? openDeliveryLedger(context.db, batchDate, context.sender?.owner);
  // Alone, every row in `sending` is a dead run's; shared, only those of senders that are gone.
  const interrupted = await ledger.markInterrupted(context.clock(), ledger.shared && goneSenders(await ledger.shared.inFlight()));
  const ledgerBefore = await ledger.summarize();
  const lifetime = transport.resend === 'same-key' ? transport.keyLifetimeMs : undefined;
  const claimedSince = lifetime === undefined ? undefined : new Date(context.clock().getTime() - lifetime).toISOString();
  const unknownToResend = policy.resendUnknown
    ? ledgerBefore.counts.unknown
    : transport.resend !== 'duplicate'
      ? await ledger.countUnknown({ transport: transport.name, claimedSince })
      : 0;
  const result = startSendResult(transport.name, ledgerBefore, interrupted, unknownToResend);
  return { context, batchDate, transport, policy, ledger, claimedSince, result, failedInARow: 0, claims: 0, elapsedMs: () => Date.now() - started };
}

/** Renders (or loads) a segment's mail, repeats its unknown claims under a same-key transport, and opens its claim queue. */
async function openSegment(run: SendRun, segment: SegmentToSend): Promise<SegmentLane> {
  const { segmentId } = segment;
  const mailOf = readerMails(run.context, run.batchDate, segmentId, await segment.mail());
  if (run.transport.resend === 'same-key') await resendUncertainClaims(run, segmentId, mailOf);

  const nextClaim = createClaimQueue({
    ledger: run.ledger,
    batchDate: run.batchDate,
    segmentId,
    transport: run.transport.name,
    ...claimRules(run.transport, run.policy),
    clock: run.context.clock,
    running: () => stillRunning(run),
    onSkipped: (count) => {
      run.result.skipped += count;
      reportProgress(run, segmentId, null, 0);
    },
  });
  return { segmentId, mailOf, nextClaim };
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
  run.claims += 1;
  const trouble: ClaimTrouble = { sentAny: false, troubled: false, lastError: '' };
  let call: ClaimCall | null = claim;
  for (let attempt = 1; call && call.rows.length > 0; attempt++) {
    const settled = await sendAttempt(run, { ...call, resolving: claim.resolving }, attempt, mailOf);
    trouble.sentAny ||= settled.sentAny;
    trouble.troubled ||= settled.troubled;
    trouble.lastError = settled.lastError ?? trouble.lastError;
    call = settled.retries.length > 0 ? await retryAfterWait(run, call, settled, attempt) : null;
  }
  const streak = countFailedStreak(run.failedInARow, trouble, run.result.stopped !== null, run.policy.stopAfterFailedBatches);
  run.failedInARow = streak.inARow;
  if (streak.stop) stopSending(run.result, streak.stop);
  reportProgress(run, segmentId, claim.batchNo, claim.rows.length);
}

/** One transport call of a claim, its outcomes settled, reported and written. */
async function sendAttempt(run: SendRun, claim: Claim, attempt: number, mailOf: MailOf): Promise<Settlement> {
  const { transport, result } = run;
  const context = { batchDate: run.batchDate, batchNo: claim.batchNo, idempotencyKey: claim.key, attempt };
  const outcomes = await callTransport(transport, claim.rows.map(mailOf), context);
  const rules = { maxAttempts: run.policy.attempts, resend: transport.resend, stopped: result.stopped !== null };
  const settled = settleOutcomes({ rows: claim.rows, outcomes, resolving: claim.resolving, attempt, ...rules });
  addTally(result, settled.tally);
  if (settled.stop) stopSending(result, settled.stop);
  await run.ledger.settle(settled.writes, run.context.clock());
  return settled;
}

/**
 * Waits before the retries (backoff, or longer when the provider asked) and says what to send next: the same
 * claim under a same-key transport, else the retries claimed afresh; null when the run stopped meanwhile.
 */
async function retryAfterWait(run: SendRun, call: ClaimCall, settled: Settlement, attempt: number): Promise<ClaimCall | null> {
  const { ledger, transport, policy, result, context } = run;
  await context.sleep(Math.max(settled.retryAfterMs, backoffMs(attempt, policy.baseDelayMs, policy.maxDelayMs)));
  if (result.stopped) {
    // Another worker stopped the run during the wait: the retries end where they stand (parked ones stay parked).
    const parked = giveUp(settled.retries, transport.resend);
    addTally(result, parked.tally);
    if (transport.resend === 'same-key') await ledger.settle(parked.writes, context.clock());
    return null;
  }
  if (transport.resend === 'same-key') return { ...call, rows: settled.retries.map((r) => r.row) };
  const again = await reclaimRetries(ledger, run.batchDate, transport.name, settled.retries, context.clock);
  // A reader who left during the wait is skipped, as at any claim; a row another sender took meanwhile is its own.
  result.skipped += again.skipped.length;
  return { batchNo: again.batchNo, key: again.key, rows: again.claimed.map((r) => r.row) };
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

/** A run that lost its lock stops claiming. */
function stillRunning(run: SendRun): boolean {
  const lost = run.context.lock?.lost();
  if (lost) stopSending(run.result, lost);
  return !run.result.stopped;
}

function reportProgress(run: SendRun, segmentId: string, batchNo: number | null, mails: number): void {
  run.context.onProgress?.(progressOf(run.result, { segmentId, batchNo, mails }, run.elapsedMs()));
}
