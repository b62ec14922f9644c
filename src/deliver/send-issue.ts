import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  claimDeliveries,
  countUnknown,
  markInterruptedSends,
  pendingDeliveries,
  recordOutcomes,
  skipInactiveReaders,
  summarizeLedger,
  uncertainClaims,
  type DeliveryOutcome,
  type LedgerSummary,
  type PendingDelivery,
  type SendableStatus,
} from '../store/deliveries.ts';
import { nextBatchNumber } from '../store/issues.ts';
import type { Database } from '../store/schema.ts';
import type { ISODate, RenderedMail } from '../types.ts';
import { readerLinks } from '../links/link-tokens.ts';
import { composeMail, stableMessageId } from './compose-mail.ts';
import { personalize } from '../render/personalize.ts';
import { buildMimeTemplate, composeRaw, type MimeTemplate } from './mime-template.ts';
import type { MailJob, MailTransport, SendOutcome } from './transport.ts';

// The sending loop of one issue. Per segment: first the claims whose outcome a dead run left unknown and that the
// transport can settle without a duplicate (same idempotency key), then the rows still to send, a page at a time:
// readers who left since the audience was frozen are skipped, the rest are claimed (→ sending) and handed to the
// transport, and every outcome is written before the next claim of that worker. Nothing here keeps more than
// `workers` pages of rows in memory.

export interface SendPolicy {
  /** Rows per claim (one provider call); capped by the transport's own maximum. */
  batchSize: number;
  /** Claims in flight at once. */
  workers: number;
  /** Tries per claim within a run for transient errors. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Claims in a row that sent nothing because of transient errors before the run gives up (0: never). */
  stopAfterFailedBatches: number;
  /** Send `unknown` rows again although the reader may get a second copy. */
  resendUnknown: boolean;
}

export interface SendProgress {
  segmentId: string;
  batchNo: number | null;
  /** Mails in this claim (0 for a page that only skipped readers). */
  mails: number;
  sent: number;
  failed: number;
  bounced: number;
  unknown: number;
  skipped: number;
  /** Rows dealt with so far in this run, and how many there are to deal with. */
  done: number;
  total: number;
  elapsedMs: number;
}

export interface SenderContext {
  db: Kysely<Database>;
  from: string;
  replyTo?: string | undefined;
  publicBaseUrl: string;
  secret: string;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  onProgress?: ((progress: SendProgress) => void) | undefined;
  /** Checked before each claim: a run that lost its lock stops claiming. */
  lock?: { lost(): string | null } | undefined;
}

export interface SegmentToSend {
  segmentId: string;
  /** The segment's rendered mail with reader placeholders (loaded or rendered once, when its turn comes). */
  mail: () => Promise<RenderedMail>;
}

export interface MailFailure {
  subscriberId: number;
  email: string;
  status: 'failed' | 'bounced' | 'unknown';
  error: string;
}

export interface SendResult {
  transport: string;
  sent: number;
  failed: number;
  bounced: number;
  /** Rows this run left `unknown`. */
  unknown: number;
  skipped: number;
  /** Sent by earlier runs. */
  alreadySent: number;
  /** Rows an earlier run left in `sending` (now `unknown`). */
  interrupted: number;
  /** Of the unknown rows, those this run settled by sending their claim again under the same key. */
  resolved: number;
  /** Why the run stopped before the end, or null. */
  stopped: string | null;
  /** Rows there were to send at the start. */
  total: number;
  /** The first failures, for the report; `failuresTotal` counts them all. */
  failures: MailFailure[];
  failuresTotal: number;
  durationMs: number;
  ledgerBefore: LedgerSummary;
  ledgerAfter: LedgerSummary;
}

export const FAILURES_LISTED = 20;

/** `paperboy/<issue>/batch/<n>/<hash of the recipients>`: a retried claim carries exactly the same key. */
export function idempotencyKeyOf(batchDate: ISODate, batchNo: number, subscriberIds: readonly number[]): string {
  const digest = createHash('sha256').update(subscriberIds.join(',')).digest('hex').slice(0, 16);
  return `paperboy/${batchDate}/batch/${batchNo}/${digest}`;
}

export function backoffMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

/** Turns ledger rows of one segment into mails: links and address filled into the segment's render. */
function mailFactory(context: SenderContext, batchDate: ISODate, segmentId: string, mail: RenderedMail) {
  let template: MimeTemplate | undefined;
  return (row: PendingDelivery): MailJob => {
    const fields = { ...readerLinks(context.publicBaseUrl, row.subscriberId, context.secret), email: row.email };
    const composed = () =>
      composeMail(personalize(mail, fields), {
        from: context.from,
        replyTo: context.replyTo,
        batchDate,
        segmentId,
        subscriberId: row.subscriberId,
        to: row.email,
        unsubscribeUrl: fields.unsubscribeUrl,
      });
    return {
      subscriberId: row.subscriberId,
      to: row.email,
      messageId: stableMessageId(batchDate, row.subscriberId, context.from),
      fields: composed,
      async raw() {
        template ??= buildMimeTemplate(mail, { from: context.from, replyTo: context.replyTo, batchDate, segmentId });
        const date = context.clock();
        return template.fill({ subscriberId: row.subscriberId, to: row.email, fields, date }) ?? composeRaw(composed(), date);
      },
    };
  };
}

interface Claim {
  batchNo: number;
  key: string;
  rows: PendingDelivery[];
  /** Rows were `unknown`: counted as resolved when they end up sent. */
  resolving: boolean;
}

export async function sendIssue(
  context: SenderContext,
  batchDate: ISODate,
  transport: MailTransport,
  segments: readonly SegmentToSend[],
  policy: SendPolicy,
): Promise<SendResult> {
  const { db, clock } = context;
  const started = Date.now();
  const interrupted = await markInterruptedSends(db, batchDate, clock());
  const ledgerBefore = await summarizeLedger(db, batchDate);
  // Claims are as large as one transport call takes; pages are read in the configured batch size.
  const batchSize = Math.max(1, Math.min(policy.batchSize, transport.maxBatch));
  const pageSize = Math.max(batchSize, policy.batchSize);
  const sameKey = transport.resend === 'same-key';
  const overwrite = transport.resend === 'overwrite';
  const claimedSince =
    sameKey && transport.keyLifetimeMs !== undefined ? new Date(clock().getTime() - transport.keyLifetimeMs).toISOString() : undefined;
  const autoUnknown = policy.resendUnknown
    ? ledgerBefore.counts.unknown
    : sameKey || overwrite
      ? await countUnknown(db, batchDate, { transport: transport.name, claimedSince })
      : 0;

  const result: SendResult = {
    transport: transport.name,
    sent: 0,
    failed: 0,
    bounced: 0,
    unknown: 0,
    skipped: 0,
    alreadySent: ledgerBefore.counts.sent,
    interrupted,
    resolved: 0,
    stopped: null,
    total: ledgerBefore.counts.planned + ledgerBefore.failedTransient + autoUnknown,
    failures: [],
    failuresTotal: 0,
    durationMs: 0,
    ledgerBefore,
    ledgerAfter: ledgerBefore,
  };
  let failedInARow = 0;

  const stop = (reason: string) => {
    result.stopped ??= reason;
  };
  const progress = (segmentId: string, batchNo: number | null, mails: number) => {
    context.onProgress?.({
      segmentId,
      batchNo,
      mails,
      sent: result.sent,
      failed: result.failed,
      bounced: result.bounced,
      unknown: result.unknown,
      skipped: result.skipped,
      done: result.sent + result.failed + result.bounced + result.unknown + result.skipped,
      total: result.total,
      elapsedMs: Date.now() - started,
    });
  };
  const note = (row: PendingDelivery, status: MailFailure['status'], error: string) => {
    result.failuresTotal += 1;
    if (result.failures.length < FAILURES_LISTED) result.failures.push({ subscriberId: row.subscriberId, email: row.email, status, error });
  };

  /** The final state of a row whose retries are over: `rejected` → transient failure, `uncertain` → unknown. */
  const giveUp = (row: PendingDelivery, outcome: SendOutcome): DeliveryOutcome => {
    const error = 'error' in outcome ? outcome.error : 'no outcome';
    if (outcome.status === 'uncertain' && sameKey) {
      result.unknown += 1;
      note(row, 'unknown', error);
      return { subscriberId: row.subscriberId, status: 'unknown', error };
    }
    result.failed += 1;
    note(row, 'failed', error);
    return { subscriberId: row.subscriberId, status: 'failed', error, kind: 'transient' };
  };

  /** Sends one claim until every row is settled, retrying transient failures within the run. */
  async function processClaim(segmentId: string, claim: Claim, makeMail: (row: PendingDelivery) => MailJob) {
    let { batchNo, key, rows } = claim;
    let sentAny = false;
    let troubled = false;
    let lastError = '';
    for (let attempt = 1; rows.length > 0; attempt++) {
      const mails = rows.map(makeMail);
      let outcomes: SendOutcome[];
      try {
        outcomes = await transport.send(mails, { batchDate, batchNo, idempotencyKey: key, attempt });
        if (outcomes.length !== mails.length) throw new Error(`the transport answered ${outcomes.length} outcomes for ${mails.length} mails`);
      } catch (error) {
        outcomes = mails.map(() => ({ status: 'uncertain', error: `the transport failed: ${(error as Error).message}` }));
      }

      const settled: DeliveryOutcome[] = [];
      const again: Array<{ row: PendingDelivery; outcome: SendOutcome }> = [];
      let wait = 0;
      const canRetry = attempt < policy.attempts && !result.stopped;
      rows.forEach((row, i) => {
        const outcome = outcomes[i]!;
        const id = row.subscriberId;
        if (outcome.status !== 'sent') lastError = outcome.error;
        if (outcome.status === 'rejected' || outcome.status === 'uncertain') troubled ||= outcome.status === 'uncertain' || outcome.retryable;
        switch (outcome.status) {
          case 'sent':
            settled.push({ subscriberId: id, status: 'sent', messageId: outcome.providerId });
            result.sent += 1;
            sentAny = true;
            if (claim.resolving) result.resolved += 1;
            return;
          case 'bounced':
            settled.push({ subscriberId: id, status: 'bounced', error: outcome.error });
            result.bounced += 1;
            note(row, 'bounced', outcome.error);
            return;
          case 'stop':
            // Certainly not sent: the row waits for the next run.
            settled.push({ subscriberId: id, status: 'failed', error: outcome.error, kind: 'transient' });
            stop(outcome.error);
            return;
          case 'rejected':
            if (!outcome.retryable) {
              settled.push({ subscriberId: id, status: 'failed', error: outcome.error, kind: 'permanent' });
              result.failed += 1;
              note(row, 'failed', outcome.error);
              return;
            }
            break;
          case 'uncertain':
            // A transport that may duplicate leaves an uncertain mail alone; so does one that cannot learn more.
            if (transport.resend === 'duplicate' || outcome.final) {
              settled.push({ subscriberId: id, status: 'unknown', error: outcome.error });
              result.unknown += 1;
              note(row, 'unknown', outcome.error);
              return;
            }
            break;
        }
        if (canRetry) {
          again.push({ row, outcome });
          wait = Math.max(wait, outcome.retryAfterMs ?? 0);
        } else {
          settled.push(giveUp(row, outcome));
        }
      });

      if (again.length > 0 && sameKey && again.length !== rows.length) {
        // A same-key retry must repeat the claim exactly; when only part of it needs another try, that part is
        // settled as it stands (a new key for it could deliver a second copy).
        for (const { row, outcome } of again.splice(0)) settled.push(giveUp(row, outcome));
      }
      if (!sameKey) {
        // Per-mail transports park retries as transient failures while they wait, so a crash during the wait
        // leaves them to the next run instead of in `sending`.
        for (const { row, outcome } of again) {
          settled.push({ subscriberId: row.subscriberId, status: 'failed', error: 'error' in outcome ? outcome.error : '', kind: 'transient' });
        }
      }
      await recordOutcomes(db, batchDate, settled, clock());
      if (again.length === 0) break;

      await context.sleep(Math.max(wait, backoffMs(attempt, policy.baseDelayMs, policy.maxDelayMs)));
      if (result.stopped) {
        // Another worker stopped the run during the wait: the retries end where they stand.
        const parked = again.map(({ row, outcome }) => giveUp(row, outcome));
        if (sameKey) await recordOutcomes(db, batchDate, parked, clock());
        break;
      }
      if (sameKey) {
        rows = again.map((a) => a.row);
        continue;
      }
      // Claim the retries afresh (new number and key): the readers are checked again, the attempt is counted.
      batchNo = await nextBatchNumber(db, batchDate, clock());
      const ids = again.map((a) => a.row.subscriberId);
      key = idempotencyKeyOf(batchDate, batchNo, ids);
      const claimed = new Set(
        await claimDeliveries(db, batchDate, ids, { from: ['failed'], transport: transport.name, batchNo, idempotencyKey: key }, clock()),
      );
      rows = [];
      for (const { row, outcome } of again) {
        if (claimed.has(row.subscriberId)) rows.push(row);
        // A reader who left during the wait keeps the transient failure; the next run skips them.
        else giveUp(row, outcome);
      }
    }

    if (sentAny) failedInARow = 0;
    else if (troubled && !result.stopped) {
      failedInARow += 1;
      if (policy.stopAfterFailedBatches > 0 && failedInARow >= policy.stopAfterFailedBatches) {
        stop(`${failedInARow} batches in a row sent nothing (last error: ${lastError}); the rest stays for the next run`);
      }
    }
    progress(segmentId, claim.batchNo, claim.rows.length);
  }

  async function sendSegment(segment: SegmentToSend) {
    const { segmentId } = segment;
    const makeMail = mailFactory(context, batchDate, segmentId, await segment.mail());
    const checkLock = () => {
      const lost = context.lock?.lost();
      if (lost) stop(lost);
      return !result.stopped;
    };

    if (sameKey) {
      for (const uncertain of await uncertainClaims(db, batchDate, { segmentId, transport: transport.name, claimedSince })) {
        if (!checkLock()) return;
        // Exactly the same rows under exactly the same key: the provider answers the first call's result.
        const ids = uncertain.rows.map((r) => r.subscriberId);
        const claimed = new Set(
          await claimDeliveries(
            db,
            batchDate,
            ids,
            {
              from: ['unknown'],
              transport: transport.name,
              batchNo: uncertain.batchNo,
              idempotencyKey: uncertain.idempotencyKey,
              activeOnly: false,
            },
            clock(),
          ),
        );
        const rows = uncertain.rows.filter((r) => claimed.has(r.subscriberId));
        if (rows.length === 0) continue;
        await processClaim(segmentId, { batchNo: uncertain.batchNo, key: uncertain.idempotencyKey, rows, resolving: true }, makeMail);
      }
    }

    const statuses: SendableStatus[] = ['planned', 'failed'];
    if (policy.resendUnknown || overwrite) statuses.push('unknown');
    const eligible = (row: PendingDelivery) =>
      row.status !== 'unknown' || policy.resendUnknown || (overwrite && row.transport === transport.name);

    let cursor = 0;
    let exhausted = false;
    /** Rows read ahead (a page at a time) and checked against suppression, not yet claimed. */
    let buffer: PendingDelivery[] = [];
    /** Claim numbers reserved for the buffered rows, one database round trip per page. */
    let numbers = { next: 0, left: 0 };
    let queue: Promise<unknown> = Promise.resolve();
    const skip = async (rows: readonly PendingDelivery[]) => {
      const ids = rows.filter((r) => r.status !== 'unknown').map((r) => r.subscriberId);
      const skipped = await skipInactiveReaders(db, batchDate, ids, ['planned', 'failed'], clock());
      if (skipped.length > 0) {
        result.skipped += skipped.length;
        progress(segmentId, null, 0);
      }
      return new Set(skipped.map((s) => s.subscriberId));
    };
    // Claims are cut one at a time from a shared read-ahead buffer; sending overlaps across workers. A claim is
    // as small as the transport sends at once (for SMTP: one mail per connection), so a crash leaves only the
    // mails really on their way in `sending`, and pages are read in `pageSize` rows.
    const nextClaim = (): Promise<Claim | null> => {
      const next = queue.then(async (): Promise<Claim | null> => {
        while (checkLock()) {
          if (buffer.length === 0) {
            if (exhausted) return null;
            const page = await pendingDeliveries(db, batchDate, { segmentId, statuses, after: cursor, limit: pageSize });
            if (page.length < pageSize) exhausted = true;
            const last = page.at(-1);
            if (!last) return null;
            cursor = last.subscriberId;
            const candidates = page.filter(eligible);
            const gone = await skip(candidates);
            buffer = candidates.filter((r) => !gone.has(r.subscriberId));
            const needed = Math.ceil(buffer.length / batchSize);
            if (needed > 0) numbers = { next: await nextBatchNumber(db, batchDate, clock(), needed), left: needed };
            continue;
          }
          const take = buffer.splice(0, batchSize);
          if (numbers.left === 0) numbers = { next: await nextBatchNumber(db, batchDate, clock()), left: 1 };
          const batchNo = numbers.next;
          numbers = { next: numbers.next + 1, left: numbers.left - 1 };
          const key = idempotencyKeyOf(batchDate, batchNo, take.map((r) => r.subscriberId));
          const claimed = new Set(
            await claimDeliveries(
              db,
              batchDate,
              take.map((r) => r.subscriberId),
              { from: statuses, transport: transport.name, batchNo, idempotencyKey: key },
              clock(),
            ),
          );
          const rows = take.filter((r) => claimed.has(r.subscriberId));
          // A reader who left since the page was read is not claimed: skip the row now rather than leave it.
          if (rows.length < take.length) await skip(take.filter((r) => !claimed.has(r.subscriberId)));
          if (rows.length > 0) return { batchNo, key, rows, resolving: false };
        }
        return null;
      });
      queue = next.catch(() => undefined);
      return next;
    };

    const worker = async () => {
      for (let claim = await nextClaim(); claim; claim = await nextClaim()) await processClaim(segmentId, claim, makeMail);
    };
    await Promise.all(Array.from({ length: Math.max(1, policy.workers) }, worker));
  }

  for (const segment of segments) {
    if (result.stopped) break;
    await sendSegment(segment);
  }

  result.ledgerAfter = await summarizeLedger(db, batchDate);
  result.durationMs = Date.now() - started;
  return result;
}
