import type { PaperboyConfig } from '../config/schema.ts';
import type { RunReport } from '../run-report.ts';
import { isSettled } from '../store/deliveries.ts';
import { clearSegmentRenders } from '../store/issues.ts';
import type { ISODate, SegmentIssue, SegmentKey } from '../types.ts';
import { segmentMail, type SegmentContext } from './deliver-segment.ts';
import type { AudienceSegment } from './prepare-issue.ts';
import { sendIssue, type SendPolicy, type SendProgress, type SendResult } from './send-issue.ts';
import type { MailTransport } from './transport.ts';

export interface DeliverIssueContext extends SegmentContext {
  secret: string;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  onProgress?: ((progress: SendProgress) => void) | undefined;
  lock?: { lost(): string | null } | null | undefined;
}

export function sendPolicyOf(delivery: PaperboyConfig['delivery'], overrides: { resendUnknown?: boolean } = {}): SendPolicy {
  return {
    batchSize: delivery.batchSize,
    workers: delivery.workers,
    attempts: delivery.retry.attempts,
    baseDelayMs: delivery.retry.baseDelayMs,
    maxDelayMs: delivery.retry.maxDelayMs,
    stopAfterFailedBatches: delivery.retry.stopAfterFailedBatches,
    resendUnknown: overrides.resendUnknown ?? false,
  };
}

/**
 * Renders (or reloads) each segment's mail once and, unless this is a dry run (`transport` null), sends the
 * frozen audience what it has not got yet. Fills the mail, delivery and transport parts of the report.
 */
export async function deliverIssue(
  context: DeliverIssueContext,
  job: { batchDate: ISODate; segments: readonly AudienceSegment[]; issueOf: (key: SegmentKey) => SegmentIssue },
  transport: MailTransport | null,
  out: { report: RunReport; previewDir: string; policy: SendPolicy },
): Promise<SendResult | null> {
  const { report } = out;
  const mailOf = (segment: AudienceSegment, keep: boolean) =>
    segmentMail(
      context,
      { segmentId: segment.segmentId, readers: segment.readers, issue: job.issueOf(segment.key) },
      { report, previewDir: out.previewDir, keep },
    );

  if (!transport) {
    for (const segment of job.segments) await mailOf(segment, false);
    return null;
  }

  const result = await sendIssue(
    {
      db: context.db,
      from: context.config.newsletter.from,
      replyTo: context.config.newsletter.replyTo,
      publicBaseUrl: context.config.newsletter.publicBaseUrl,
      secret: context.secret,
      clock: context.clock,
      sleep: context.sleep,
      onProgress: context.onProgress,
      lock: context.lock ?? undefined,
    },
    job.batchDate,
    transport,
    job.segments.map((segment) => ({ segmentId: segment.segmentId, mail: () => mailOf(segment, true) })),
    out.policy,
  );

  const after = result.ledgerAfter;
  Object.assign(report.mails, {
    sent: result.sent,
    alreadySent: result.alreadySent,
    failed: result.failed,
    bounced: result.bounced,
    unknown: after.counts.unknown,
    skipped: result.skipped,
    remaining: after.counts.planned + after.failedTransient,
  });
  Object.assign(report.delivery, {
    transport: transport.name,
    interrupted: result.interrupted,
    resolved: result.resolved,
    stopped: result.stopped,
    ledger: after.counts,
    unknownByTransport: after.unknownByTransport,
    mailFailures: result.failuresTotal,
  });
  const seconds = result.durationMs / 1000;
  report.transports.push({
    name: transport.name,
    sent: result.sent,
    failed: result.failed,
    bounced: result.bounced,
    unknown: result.unknown,
    skipped: result.skipped,
    durationMs: result.durationMs,
    mailsPerSecond: seconds > 0 ? Math.round((result.sent / seconds) * 10) / 10 : 0,
  });
  for (const failure of result.failures) {
    report.failures.push({ where: `${failure.status} mail to subscriber ${failure.subscriberId} <${failure.email}>`, error: failure.error });
  }
  if (result.failuresTotal > result.failures.length) {
    report.failures.push({
      where: 'mails',
      error: `${result.failuresTotal - result.failures.length} more failed, bounced or unknown mails are not listed (see the ledger)`,
    });
  }
  if (result.stopped) report.failures.push({ where: `${transport.name} transport`, error: `stopped: ${result.stopped}` });
  // The kept mails are only needed while some reader may still be sent one.
  if (isSettled(after)) await clearSegmentRenders(context.db, job.batchDate);
  return result;
}
