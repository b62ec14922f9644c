import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { PaperboyConfig } from '../config/schema.ts';
import { personalize, renderIssue } from '../render/render-issue.ts';
import type { RunReport, SegmentReport } from '../run-report.ts';
import { listDeliveries, markDelivery, planDeliveries } from '../store/deliveries.ts';
import type { Database } from '../store/schema.ts';
import type { SegmentIssue, Subscriber } from '../types.ts';
import { readerLinks } from '../web/link-tokens.ts';
import { composeMail } from './compose-mail.ts';
import type { MailTransport } from './transport.ts';

export interface DeliverContext {
  db: Kysely<Database>;
  config: PaperboyConfig;
  now: Date;
  secret: string;
  log: (line: string) => void;
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
 * Renders one segment's issue once, writes its browsable preview, then fills in each reader's links and hands the
 * mail to the transport. The ledger row is written before the send and updated after, so a re-run skips readers
 * who already have their copy.
 */
export async function deliverSegment(
  context: DeliverContext,
  job: { segmentId: string; issue: SegmentIssue; readers: Subscriber[] },
  transport: MailTransport | null,
  out: { report: RunReport; previewDir: string; dryRun: boolean },
): Promise<void> {
  const { report } = out;
  const { db, now } = context;
  const { issue } = job;
  const { site, options } = renderSettings(context.config);
  const renderStarted = performance.now();
  const rendered = await renderIssue(issue, site, options);
  const renderMs = Math.round(performance.now() - renderStarted);
  const segment: SegmentReport = {
    id: job.segmentId,
    readers: job.readers.length,
    papers: issue.sections.reduce((n, s) => n + s.entries.length, 0),
    htmlBytes: Buffer.byteLength(rendered.html),
    textBytes: Buffer.byteLength(rendered.text),
    renderMs,
    degraded: rendered.degraded,
    preview: null,
  };
  report.segments.push(segment);
  context.log(`segment ${job.segmentId}: ${segment.readers} readers, ${segment.papers} papers, ${segment.htmlBytes} B, ${renderMs} ms`);

  // A browsable copy of what the segment gets, with harmless sample links in place of the per-reader ones.
  const sample = personalize(rendered, {
    unsubscribeUrl: `${site.publicBaseUrl}/unsubscribe/preview`,
    preferencesUrl: `${site.publicBaseUrl}/preferences/preview`,
    email: 'reader@example.org',
  });
  await mkdir(out.previewDir, { recursive: true });
  segment.preview = join(out.previewDir, `${job.segmentId}.html`);
  await writeFile(segment.preview, sample.html);
  await writeFile(join(out.previewDir, `${job.segmentId}.txt`), sample.text);

  report.mails.planned += job.readers.length;
  if (out.dryRun || !transport) return;

  await planDeliveries(
    db,
    issue.batchDate,
    job.readers.map((r) => ({ subscriberId: r.id, email: r.email, segmentId: job.segmentId })),
    now,
  );
  const done = new Set((await listDeliveries(db, issue.batchDate, { status: 'sent' })).map((d) => d.subscriberId));
  for (const reader of job.readers) {
    if (done.has(reader.id)) {
      report.mails.alreadySent += 1;
      continue;
    }
    const links = readerLinks(site.publicBaseUrl, reader.id, context.secret);
    const mail = composeMail(personalize(rendered, { ...links, email: reader.email }), {
      from: context.config.newsletter.from,
      replyTo: context.config.newsletter.replyTo,
      batchDate: issue.batchDate,
      segmentId: job.segmentId,
      subscriberId: reader.id,
      to: reader.email,
      unsubscribeUrl: links.unsubscribeUrl,
    });
    await markDelivery(db, issue.batchDate, reader.id, { status: 'sending', transport: transport.name }, now);
    try {
      const result = await transport.send(mail);
      await markDelivery(db, issue.batchDate, reader.id, { status: 'sent', messageId: result.providerId }, now);
      report.mails.sent += 1;
    } catch (error) {
      const message = (error as Error).message;
      await markDelivery(db, issue.batchDate, reader.id, { status: 'failed', lastError: message }, now);
      report.mails.failed += 1;
      report.failures.push({ where: `mail to subscriber ${reader.id}`, error: message });
    }
  }
}
