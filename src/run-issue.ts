import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { expectedBatchDate, hasBatch, checkFeedBatch } from './arxiv/calendar.ts';
import { collectFeeds } from './arxiv/collect.ts';
import { buildFeedUrl } from './arxiv/fetch-feed.ts';
import type { PaperboyConfig } from './config/schema.ts';
import { composeMail } from './deliver/compose-mail.ts';
import type { MailTransport } from './deliver/transport.ts';
import { EXIT, type ExitCode } from './errors.ts';
import { personalize, renderIssue } from './render/render-issue.ts';
import { buildSegmentIssue, groupIntoSegments, type SegmentGroup } from './select/build-segment-issue.ts';
import { selectPapers } from './select/select-papers.ts';
import { listDeliveries, markDelivery, planDeliveries } from './store/deliveries.ts';
import { loadBatch, saveBatch } from './store/batches.ts';
import type { Database } from './store/schema.ts';
import { iterateActiveSubscribers } from './store/subscribers.ts';
import { chineseForPapers } from './translate/chinese-for-papers.ts';
import type { ISODate, Paper, Subscriber } from './types.ts';
import { readerLinks } from './web/link-tokens.ts';

// The daily job, top to bottom: decide the batch → collect (or load the stored day) → select → Chinese text →
// segment → render once per segment → deliver per reader → report. Every stage but the first and the last is pure;
// this file only wires them to the database, the feeds and the transport.

export interface RunOptions {
  /** The batch to build; default: the batch the arXiv calendar expects at `now`. */
  date?: ISODate | undefined;
  /** Feed files or URLs; default: the stored batch for the date, else one URL for the domains' categories. */
  feeds?: string[] | undefined;
  dryRun?: boolean | undefined;
  outboxDir: string;
}

export interface RunDependencies {
  db: Kysely<Database>;
  config: PaperboyConfig;
  holidays: ReadonlySet<string>;
  now: Date;
  secret: string;
  readFeed: (source: string) => Promise<string>;
  createTransport: (batchDate: ISODate) => MailTransport;
  /** Progress lines for a person watching (stderr). */
  log: (line: string) => void;
}

export interface SegmentReport {
  id: string;
  readers: number;
  papers: number;
  htmlBytes: number;
  textBytes: number;
  renderMs: number;
  degraded: number;
  preview: string | null;
}

export interface RunReport {
  batchDate: ISODate | null;
  status: 'sent' | 'partial' | 'dry-run' | 'no-issue' | 'failed';
  message: string;
  source: 'feed' | 'stored' | null;
  feeds: Array<{ source: string; papers: number; batchDate: ISODate | null; error?: string; skippedItems?: number }>;
  papers: number;
  domains: Array<{ id: string; matched: number }>;
  /** Selected papers with a usable Chinese title / summary (the rest show the "translation pending" marker). */
  chinese: { papers: number; titles: number; abstracts: number };
  segments: SegmentReport[];
  readersWithoutTopics: number;
  mails: { planned: number; sent: number; alreadySent: number; failed: number };
  failures: Array<{ where: string; error: string }>;
  outbox: string | null;
  durationMs: number;
  exitCode: ExitCode;
}

function emptyReport(batchDate: ISODate | null): RunReport {
  return {
    batchDate,
    status: 'failed',
    message: '',
    source: null,
    feeds: [],
    papers: 0,
    domains: [],
    chinese: { papers: 0, titles: 0, abstracts: 0 },
    segments: [],
    readersWithoutTopics: 0,
    mails: { planned: 0, sent: 0, alreadySent: 0, failed: 0 },
    failures: [],
    outbox: null,
    durationMs: 0,
    exitCode: EXIT.failed,
  };
}

function finish(report: RunReport, started: number, status: RunReport['status'], message: string, exitCode: ExitCode) {
  report.status = status;
  report.message = message;
  report.exitCode = exitCode;
  report.durationMs = Date.now() - started;
  return report;
}

/** Which papers to mail for the batch: the stored day, or the feeds (then stored so the day can be rebuilt). */
async function obtainPapers(
  deps: RunDependencies,
  batchDate: ISODate,
  options: RunOptions,
  report: RunReport,
): Promise<Paper[] | string> {
  if (!options.feeds?.length) {
    const stored = await loadBatch(deps.db, batchDate);
    if (stored) {
      report.source = 'stored';
      deps.log(`using the stored batch ${batchDate} (${stored.papers.length} papers)`);
      return stored.papers;
    }
  }
  const categories = [...new Set(deps.config.domains.flatMap((d) => d.categories))];
  const sources = options.feeds?.length
    ? options.feeds
    : [buildFeedUrl(categories, deps.config.arxiv.format, deps.config.arxiv.baseUrl)];
  deps.log(`collecting ${sources.length} feed${sources.length > 1 ? 's' : ''}: ${sources.join(', ')}`);
  const collected = await collectFeeds(sources, deps.readFeed);
  report.source = 'feed';
  for (const feed of collected.feeds) {
    report.feeds.push({
      source: feed.source,
      papers: feed.count,
      batchDate: feed.batchDate,
      skippedItems: feed.problems.length,
    });
    for (const problem of feed.problems) {
      report.failures.push({ where: `${feed.source} item ${problem.index}`, error: problem.reason });
    }
  }
  for (const failure of collected.failures) {
    report.feeds.push({ source: failure.source, papers: 0, batchDate: null, error: failure.error.message });
    report.failures.push({ where: failure.source, error: failure.error.message });
  }
  if (collected.feeds.length === 0) return 'no feed could be read';

  // A feed that carries another day's batch is stale: never mail yesterday's papers as today's issue.
  const usable: Paper[] = [];
  const ids = new Set<string>();
  for (const feed of collected.feeds) {
    const check = checkFeedBatch({ batchDate: feed.batchDate, paperCount: feed.count }, batchDate);
    if (check.status === 'stale') {
      const error = `feed carries the batch of ${check.found ?? 'an unknown date'}, not ${batchDate}: stale, not mailed`;
      report.failures.push({ where: feed.source, error });
      continue;
    }
    if (check.status === 'empty') {
      report.failures.push({ where: feed.source, error: `feed is empty although ${batchDate} is an announcement day` });
      continue;
    }
    for (const paper of feed.papers) {
      if (!ids.has(paper.id)) {
        ids.add(paper.id);
        usable.push(paper);
      }
    }
  }
  if (usable.length === 0) return `no feed carries the batch of ${batchDate}`;
  await saveBatch(deps.db, batchDate, usable, sources, deps.now);
  return usable;
}

export async function runIssue(deps: RunDependencies, options: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const batchDate = options.date ?? expectedBatchDate(deps.now, deps.holidays);
  const report = emptyReport(batchDate);
  if (batchDate === null) {
    return finish(report, started, 'no-issue', 'no issue today: arXiv announces nothing for this day', EXIT.ok);
  }
  if (!hasBatch(batchDate, deps.holidays)) {
    return finish(
      report,
      started,
      'no-issue',
      `no issue for ${batchDate}: arXiv has no announcement batch on that day (weekend or holiday)`,
      EXIT.ok,
    );
  }

  // collect
  const papers = await obtainPapers(deps, batchDate, options, report);
  if (typeof papers === 'string') return finish(report, started, 'failed', `${papers}; nothing sent`, EXIT.failed);
  report.papers = papers.length;

  // select
  const selections = selectPapers(papers, deps.config.domains);
  report.domains = selections.map((s) => ({ id: s.domain.id, matched: s.matches.length }));
  const selected = [...new Map(selections.flatMap((s) => s.matches.map((m) => [m.paper.id, m.paper]))).values()];

  // Chinese text for the selected papers only
  const chinese = await chineseForPapers(deps.db, selected);
  report.chinese = {
    papers: selected.length,
    titles: selected.filter((p) => chinese.get(p.id)?.titleZh).length,
    abstracts: selected.filter((p) => chinese.get(p.id)?.abstractZh).length,
  };
  const chineseOf = (paper: Paper) => chinese.get(paper.id) ?? null;

  // segment
  const domainOrder = deps.config.domains.map((d) => d.id);
  const readers: Subscriber[] = [];
  for await (const page of iterateActiveSubscribers(deps.db, 1000)) readers.push(...page);
  const { segments, noTopics } = groupIntoSegments(readers, domainOrder);
  report.readersWithoutTopics = noTopics.length;
  if (segments.size === 0) {
    return finish(report, started, 'failed', 'no active reader with a known topic; nothing to send', EXIT.failed);
  }

  // render once per segment, then deliver per reader
  const outboxDay = join(options.outboxDir, batchDate);
  report.outbox = options.dryRun ? null : outboxDay;
  const site = {
    name: deps.config.newsletter.name,
    publicBaseUrl: deps.config.newsletter.publicBaseUrl,
    postalAddress: deps.config.newsletter.postalAddress,
    fromAddress: deps.config.newsletter.from,
  };
  const renderOptions = {
    domains: deps.config.domains,
    summaryWidth: deps.config.render.summaryWidth,
    maxAuthors: deps.config.render.maxAuthors,
    maxHtmlBytes: deps.config.render.maxHtmlBytes,
  };
  const transport = options.dryRun ? null : deps.createTransport(batchDate);
  try {
    for (const [segmentId, group] of segments) {
      await deliverSegment(deps, { segmentId, group, batchDate, site, renderOptions, chineseOf, selections }, transport, {
        report,
        previewDir: join(outboxDay, 'segments'),
        dryRun: options.dryRun ?? false,
      });
    }
  } finally {
    await transport?.close();
  }

  const { mails } = report;
  if (options.dryRun) {
    return finish(report, started, 'dry-run', `dry run: ${mails.planned} mails rendered, nothing sent`, EXIT.ok);
  }
  if (mails.failed > 0 && mails.sent + mails.alreadySent === 0) {
    return finish(report, started, 'failed', `every mail failed (${mails.failed}); nothing sent`, EXIT.failed);
  }
  if (mails.failed > 0 || report.failures.length > 0) {
    return finish(report, started, 'partial', `sent ${mails.sent} mails with ${report.failures.length} problems`, EXIT.partial);
  }
  const again = mails.alreadySent > 0 ? ` (${mails.alreadySent} already sent before)` : '';
  return finish(report, started, 'sent', `sent ${mails.sent} mails${again}`, EXIT.ok);
}

interface SegmentJob {
  segmentId: string;
  group: SegmentGroup<Subscriber>;
  batchDate: ISODate;
  site: Parameters<typeof renderIssue>[1];
  renderOptions: Parameters<typeof renderIssue>[2];
  chineseOf: (paper: Paper) => ReturnType<Parameters<typeof buildSegmentIssue>[3]>;
  selections: ReturnType<typeof selectPapers>;
}

async function deliverSegment(
  deps: RunDependencies,
  job: SegmentJob,
  transport: MailTransport | null,
  out: { report: RunReport; previewDir: string; dryRun: boolean },
): Promise<void> {
  const { report } = out;
  const issue = buildSegmentIssue(job.selections, job.group.key, job.batchDate, job.chineseOf);
  const renderStarted = performance.now();
  const rendered = await renderIssue(issue, job.site, job.renderOptions);
  const renderMs = Math.round(performance.now() - renderStarted);
  const segment: SegmentReport = {
    id: job.segmentId,
    readers: job.group.readers.length,
    papers: issue.sections.reduce((n, s) => n + s.entries.length, 0),
    htmlBytes: Buffer.byteLength(rendered.html),
    textBytes: Buffer.byteLength(rendered.text),
    renderMs,
    degraded: rendered.degraded,
    preview: null,
  };
  report.segments.push(segment);
  deps.log(`segment ${job.segmentId}: ${segment.readers} readers, ${segment.papers} papers, ${segment.htmlBytes} B, ${renderMs} ms`);

  // A browsable copy of what the segment gets, with harmless sample links in place of the per-reader ones.
  const sample = personalize(rendered, {
    unsubscribeUrl: `${job.site.publicBaseUrl}/unsubscribe/preview`,
    preferencesUrl: `${job.site.publicBaseUrl}/preferences/preview`,
    email: 'reader@example.org',
  });
  await mkdir(out.previewDir, { recursive: true });
  segment.preview = join(out.previewDir, `${job.segmentId}.html`);
  await writeFile(segment.preview, sample.html);
  await writeFile(join(out.previewDir, `${job.segmentId}.txt`), sample.text);

  report.mails.planned += job.group.readers.length;
  if (out.dryRun || !transport) return;

  await planDeliveries(
    deps.db,
    job.batchDate,
    job.group.readers.map((r) => ({ subscriberId: r.id, email: r.email, segmentId: job.segmentId })),
    deps.now,
  );
  const done = new Set(
    (await listDeliveries(deps.db, job.batchDate, { status: 'sent' })).map((d) => d.subscriberId),
  );
  for (const reader of job.group.readers) {
    if (done.has(reader.id)) {
      report.mails.alreadySent += 1;
      continue;
    }
    const links = readerLinks(job.site.publicBaseUrl, reader.id, deps.secret);
    const mail = composeMail(personalize(rendered, { ...links, email: reader.email }), {
      from: deps.config.newsletter.from,
      replyTo: deps.config.newsletter.replyTo,
      batchDate: job.batchDate,
      segmentId: job.segmentId,
      subscriberId: reader.id,
      to: reader.email,
      unsubscribeUrl: links.unsubscribeUrl,
    });
    await markDelivery(deps.db, job.batchDate, reader.id, { status: 'sending', transport: transport.name }, deps.now);
    try {
      const result = await transport.send(mail);
      await markDelivery(deps.db, job.batchDate, reader.id, { status: 'sent', messageId: result.providerId }, deps.now);
      report.mails.sent += 1;
    } catch (error) {
      const message = (error as Error).message;
      await markDelivery(deps.db, job.batchDate, reader.id, { status: 'failed', lastError: message }, deps.now);
      report.mails.failed += 1;
      report.failures.push({ where: `mail to subscriber ${reader.id}`, error: message });
    }
  }
}

