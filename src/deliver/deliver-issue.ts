import type { Kysely } from 'kysely';
import { loadAssembler, type MailAssembler, type RenderSettings } from '../render/index.ts';
import type { AudienceSegment } from '../select/index.ts';
import { nothingResendable } from '../store/deliveries.ts';
import { clearSegmentRenders } from '../store/issues.ts';
import type { Database } from '../store/schema.ts';
import type { ISODate, SegmentIssue, SegmentKey } from '../types.ts';
import { segmentMail, type SegmentFacts, type SegmentMail } from './deliver-segment.ts';
import { sendIssue, type SendPolicy, type SendProgress, type SendResult } from './send-issue.ts';
import type { MailTransport } from './transport.ts';

/** What delivery takes from the config, narrowed once by the run's wiring (deliver/ never sees the whole config). */
export interface DeliverySettings {
  sender: { from: string; replyTo?: string | undefined; publicBaseUrl: string };
  render: RenderSettings;
  policy: SendPolicy;
}

export interface DeliverIssueContext {
  db: Kysely<Database>;
  /** The run's instant: stamps kept renders. */
  now: Date;
  settings: DeliverySettings;
  secret: string;
  /** The ticking wall clock of the ledger. */
  clock: () => Date;
  /** Milliseconds from a monotonic source, for durations. */
  monotonicMs: () => number;
  sleep: (ms: number) => Promise<void>;
  onProgress?: ((progress: SendProgress) => void) | undefined;
  lock?: { lost(): string | null } | null | undefined;
  /** This process's name when several senders share the issue (PostgreSQL); see SenderContext.sender. */
  sender?: { owner: string; pollMs: number } | undefined;
  /**
   * Called with each segment's mail as soon as it is loaded or rendered, before any reader is sent it: the caller
   * logs it and writes its browsable copy.
   */
  onSegment?: ((segment: SegmentMail) => Promise<void>) | undefined;
}

/** What delivering an issue did: each segment's mail (in the order they were loaded or rendered) and the send. */
export interface IssueDelivery {
  segments: SegmentFacts[];
  /** Null for a dry run (no transport): the mails were rendered, nothing was sent. */
  sent: SendResult | null;
}

/**
 * Renders (or reloads) each segment's mail once and, unless this is a dry run (`transport` null), sends the
 * frozen audience what it has not got yet.
 */
export async function deliverIssue(
  context: DeliverIssueContext,
  job: { batchDate: ISODate; segments: readonly AudienceSegment[]; issueOf: (key: SegmentKey) => SegmentIssue },
  transport: MailTransport | null,
): Promise<IssueDelivery> {
  const segments: SegmentFacts[] = [];
  let assembler: Promise<MailAssembler> | undefined;
  const segmentContext = {
    db: context.db,
    now: context.now,
    render: context.settings.render,
    assembler: () => (assembler ??= loadAssembler(context.settings.render)),
    monotonicMs: context.monotonicMs,
  };
  const mailOf = async (segment: AudienceSegment, keep: boolean) => {
    const issue = job.issueOf(segment.key);
    const { mail, ...facts } = await segmentMail(
      segmentContext,
      { segmentId: segment.segmentId, readers: segment.readers, issue },
      keep,
    );
    segments.push(facts);
    await context.onSegment?.({ ...facts, mail });
    return mail;
  };

  if (!transport) {
    for (const segment of job.segments) await mailOf(segment, false);
    return { segments, sent: null };
  }

  const { sender } = context.settings;
  const sent = await sendIssue(
    {
      db: context.db,
      from: sender.from,
      replyTo: sender.replyTo,
      publicBaseUrl: sender.publicBaseUrl,
      secret: context.secret,
      clock: context.clock,
      sleep: context.sleep,
      onProgress: context.onProgress,
      lock: context.lock ?? undefined,
      sender: context.sender,
    },
    job.batchDate,
    transport,
    job.segments.map((segment) => ({ segmentId: segment.segmentId, mail: () => mailOf(segment, true) })),
    context.settings.policy,
  );
  // The kept mails are only needed while some reader may still be sent one (--resend-unknown included).
  if (nothingResendable(sent.ledgerAfter)) await clearSegmentRenders(context.db, job.batchDate);
  return { segments, sent };
}
