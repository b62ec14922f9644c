import type { Kysely } from 'kysely';
import { countMail, type MailAssembler, type RenderSettings } from '../render/index.ts';
import { loadSegmentRender, saveSegmentRender } from '../store/issues.ts';
import type { Database } from '../store/schema.ts';
import type { RenderedMail, SegmentIssue } from '../types.ts';

export interface SegmentContext {
  db: Kysely<Database>;
  /** Stamps a kept render. */
  now: Date;
  render: RenderSettings;
  /**
   * The issue's mail assembler, loaded on first use and shared by its segments, so each paper's entry is rendered
   * once per language and layout however many segments (readers with their own interests) show it.
   */
  assembler: () => Promise<MailAssembler>;
  /** Milliseconds from a monotonic source: how long the render took. */
  monotonicMs: () => number;
}

/** What one segment's mail took: the run report's segment line without its preview file. */
export interface SegmentFacts {
  id: string;
  readers: number;
  /** Papers matching the segment's topics (after the never-twice filter), the figure its subject gives. */
  matching: number;
  /** Papers shown in the mail (not behind "and N more"). */
  papers: number;
  htmlBytes: number;
  textBytes: number;
  renderMs: number;
  degraded: number;
  /** Kept from an earlier run of the issue (not rendered again), so every reader gets the same mail. */
  reused: boolean;
}

export interface SegmentMail extends SegmentFacts {
  /** With reader placeholders. */
  mail: RenderedMail;
}

/**
 * A segment's mail, with reader placeholders: the one an earlier run of the issue kept, else rendered now (and,
 * unless `keep` is false, kept for later runs, so readers sent after a crash get exactly the same mail).
 */
export async function segmentMail(
  context: SegmentContext,
  job: { segmentId: string; readers: number; issue: SegmentIssue },
  keep: boolean,
): Promise<SegmentMail> {
  const { db, now } = context;
  const { issue, segmentId } = job;
  const started = context.monotonicMs();
  let mail: RenderedMail;
  let degraded: number;
  // Entries the size budget moved behind "and N more" (unknown for a kept render, which stores only `degraded`).
  let dropped = 0;
  const stored = keep ? await loadSegmentRender(db, issue.batchDate, segmentId) : null;
  if (stored) {
    mail = stored;
    degraded = stored.degraded;
  } else {
    // Loaded only when a segment is rendered: a re-run that reuses kept renders never pays for MJML and React.
    const rendered = await (await context.assembler()).render(issue);
    mail = { subject: rendered.subject, preheader: rendered.preheader, html: rendered.html, text: rendered.text };
    degraded = rendered.degraded;
    dropped = rendered.dropped;
    if (keep) {
      // Another sender of the issue may have kept its render first: then that one is sent, by everyone.
      const kept = await saveSegmentRender(db, issue.batchDate, segmentId, { ...mail, degraded }, now);
      mail = { subject: kept.subject, preheader: kept.preheader, html: kept.html, text: kept.text };
      degraded = kept.degraded;
    }
  }
  const renderMs = Math.round(context.monotonicMs() - started);
  const counts = countMail(issue);
  return {
    id: segmentId,
    readers: job.readers,
    matching: counts.matching,
    papers: counts.shown - dropped,
    htmlBytes: Buffer.byteLength(mail.html),
    textBytes: Buffer.byteLength(mail.text),
    renderMs,
    degraded,
    reused: stored !== null,
    mail,
  };
}
