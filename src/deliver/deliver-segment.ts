import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { PaperboyConfig } from '../config/schema.ts';
import type { RunReport, SegmentReport } from '../run-report.ts';
import { loadSegmentRender, saveSegmentRender } from '../store/issues.ts';
import type { Logger } from '../log/logger.ts';
import type { Database } from '../store/schema.ts';
import type { RenderedMail, SegmentIssue } from '../types.ts';
import { personalize } from '../render/personalize.ts';
import { countMail } from '../render/paper-counts.ts';

export interface SegmentContext {
  db: Kysely<Database>;
  config: PaperboyConfig;
  now: Date;
  log: Logger;
}

/** Sender facts and render settings the template needs, from the config. */
export function renderSettings(config: PaperboyConfig) {
  return {
    site: {
      name: config.newsletter.name,
      publicBaseUrl: config.newsletter.publicBaseUrl,
      postalAddress: config.newsletter.postalAddress,
      fromAddress: config.newsletter.from,
    },
    options: {
      domains: config.domains,
      summaryWidth: config.render.summaryWidth,
      maxAuthors: config.render.maxAuthors,
      maxHtmlBytes: config.render.maxHtmlBytes,
    },
  };
}

/**
 * A segment's mail, with reader placeholders: the one an earlier run of the issue kept, else rendered now (and,
 * unless `keep` is false, kept for later runs, so readers sent after a crash get exactly the same mail). Writes
 * the segment's browsable preview and adds it to the report.
 */
export async function segmentMail(
  context: SegmentContext,
  job: { segmentId: string; readers: number; issue: SegmentIssue },
  out: { report: RunReport; previewDir: string; keep: boolean },
): Promise<RenderedMail> {
  const { db, now } = context;
  const { issue, segmentId } = job;
  const { site, options } = renderSettings(context.config);
  const started = performance.now();
  let mail: RenderedMail;
  let degraded: number;
  // Entries the size budget moved behind "and N more" (unknown for a kept render, which stores only `degraded`).
  let dropped = 0;
  const stored = out.keep ? await loadSegmentRender(db, issue.batchDate, segmentId) : null;
  if (stored) {
    mail = stored;
    degraded = stored.degraded;
  } else {
    // Loaded only when a segment is rendered: a re-run that reuses kept renders never pays for MJML and React.
    const { renderIssue } = await import('../render/render-issue.ts');
    const rendered = await renderIssue(issue, site, options);
    mail = { subject: rendered.subject, preheader: rendered.preheader, html: rendered.html, text: rendered.text };
    degraded = rendered.degraded;
    dropped = rendered.dropped;
    if (out.keep) await saveSegmentRender(db, issue.batchDate, segmentId, { ...mail, degraded }, now);
  }
  const renderMs = Math.round(performance.now() - started);
  const counts = countMail(issue);
  const segment: SegmentReport = {
    id: segmentId,
    readers: job.readers,
    matching: counts.matching,
    papers: counts.shown - dropped,
    htmlBytes: Buffer.byteLength(mail.html),
    textBytes: Buffer.byteLength(mail.text),
    renderMs,
    degraded,
    preview: null,
    reused: stored !== null,
  };
  out.report.segments.push(segment);
  const how = stored ? 'kept from an earlier run' : `${renderMs} ms`;
  context.log.info(`segment ${segmentId}: ${segment.readers} readers, ${segment.matching} papers matching, ${segment.papers} shown, ${segment.htmlBytes} B, ${how}`);

  // A browsable copy of what the segment gets, with harmless sample links in place of the per-reader ones.
  const sample = personalize(mail, {
    unsubscribeUrl: `${site.publicBaseUrl}/unsubscribe/preview`,
    preferencesUrl: `${site.publicBaseUrl}/preferences/preview`,
    email: 'reader@example.org',
  });
  await mkdir(out.previewDir, { recursive: true });
  segment.preview = join(out.previewDir, `${segmentId}.html`);
  await writeFile(segment.preview, sample.html);
  await writeFile(join(out.previewDir, `${segmentId}.txt`), sample.text);
  return mail;
}
