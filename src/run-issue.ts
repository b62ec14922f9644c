import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { checkFeedBatch, expectedBatchDate, hasBatch } from './arxiv/calendar.ts';
import { collectFeeds } from './arxiv/collect.ts';
import { buildFeedUrl } from './arxiv/fetch-feed.ts';
import type { PaperboyConfig } from './config/schema.ts';
import { deliverSegment } from './deliver/deliver-segment.ts';
import type { MailTransport } from './deliver/transport.ts';
import { EXIT } from './errors.ts';
import { emptyReport, finishReport, type RunReport } from './run-report.ts';
import { buildSegmentIssue, groupIntoSegments, papersShownIn } from './select/build-segment-issue.ts';
import { selectPapers } from './select/select-papers.ts';
import { loadBatch, saveBatch } from './store/batches.ts';
import type { Database } from './store/schema.ts';
import { iterateActiveSubscribers } from './store/subscribers.ts';
import { chineseForPapers } from './translate/chinese-for-papers.ts';
import type { ISODate, Paper, Subscriber } from './types.ts';

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
    return finishReport(report, started, 'no-issue', 'no issue today: arXiv announces nothing for this day', EXIT.ok);
  }
  if (!hasBatch(batchDate, deps.holidays)) {
    return finishReport(
      report,
      started,
      'no-issue',
      `no issue for ${batchDate}: arXiv has no announcement batch on that day (weekend or holiday)`,
      EXIT.ok,
    );
  }

  // collect
  const papers = await obtainPapers(deps, batchDate, options, report);
  if (typeof papers === 'string') return finishReport(report, started, 'failed', `${papers}; nothing sent`, EXIT.failed);
  report.papers = papers.length;

  // select
  const selections = selectPapers(papers, deps.config.domains);
  report.domains = selections.map((s) => ({ id: s.domain.id, matched: s.matches.length }));

  // segment: readers with the same topics and language get the same mail
  const domainOrder = deps.config.domains.map((d) => d.id);
  const readers: Subscriber[] = [];
  for await (const page of iterateActiveSubscribers(deps.db, 1000)) readers.push(...page);
  const { segments, noTopics } = groupIntoSegments(readers, domainOrder);
  report.readersWithoutTopics = noTopics.length;
  if (segments.size === 0) {
    return finishReport(report, started, 'failed', 'no active reader with a known topic; nothing to send', EXIT.failed);
  }

  // Chinese text only for the papers some reader will see (topics × caps), not for the whole feed
  const shown = papersShownIn([...segments.values()].map((g) => g.key), selections, batchDate);
  const chinese = await chineseForPapers(deps.db, shown);
  report.chinese = {
    papers: shown.length,
    titles: shown.filter((p) => chinese.get(p.id)?.titleZh).length,
    abstracts: shown.filter((p) => chinese.get(p.id)?.abstractZh).length,
  };
  const chineseOf = (paper: Paper) => chinese.get(paper.id) ?? null;

  // render once per segment, then deliver per reader
  const outboxDay = join(options.outboxDir, batchDate);
  report.outbox = options.dryRun ? null : outboxDay;
  const transport = options.dryRun ? null : deps.createTransport(batchDate);
  try {
    for (const [segmentId, group] of segments) {
      const issue = buildSegmentIssue(selections, group.key, batchDate, chineseOf);
      await deliverSegment(
        { db: deps.db, config: deps.config, now: deps.now, secret: deps.secret, log: deps.log },
        { segmentId, issue, readers: group.readers },
        transport,
        { report, previewDir: join(outboxDay, 'segments'), dryRun: options.dryRun ?? false },
      );
    }
  } finally {
    await transport?.close();
  }

  const { mails } = report;
  if (options.dryRun) {
    return finishReport(report, started, 'dry-run', `dry run: ${mails.planned} mails rendered, nothing sent`, EXIT.ok);
  }
  if (mails.failed > 0 && mails.sent + mails.alreadySent === 0) {
    return finishReport(report, started, 'failed', `every mail failed (${mails.failed}); nothing sent`, EXIT.failed);
  }
  if (mails.failed > 0 || report.failures.length > 0) {
    return finishReport(report, started, 'partial', `sent ${mails.sent} mails with ${report.failures.length} problems`, EXIT.partial);
  }
  const again = mails.alreadySent > 0 ? ` (${mails.alreadySent} already sent before)` : '';
  return finishReport(report, started, 'sent', `sent ${mails.sent} mails${again}`, EXIT.ok);
}
