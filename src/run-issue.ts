import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { checkFeedBatch, expectedBatchDate, formatHours, hasBatch, lateness } from './arxiv/calendar.ts';
import { collectFeeds } from './arxiv/collect.ts';
import { feedSourcesOf } from './arxiv/fetch-feed.ts';
import type { PaperboyConfig } from './config/schema.ts';
import { deliverIssue, sendPolicyOf } from './deliver/deliver-issue.ts';
import { prepareIssue, surveyAudience } from './deliver/prepare-issue.ts';
import { acquireRunLock, type HeldLock } from './deliver/run-lock.ts';
import type { SendProgress } from './deliver/send-issue.ts';
import type { OutboxTransport } from './deliver/outbox-transport.ts';
import type { MailTransport } from './deliver/transport.ts';
import { EXIT } from './errors.ts';
import type { Logger } from './log/logger.ts';
import { emptyReport, finishReport, type RepeatsReport, type RunReport } from './run-report.ts';
import { buildSegmentIssue, groupIntoSegments, papersShownIn, segmentIdOf } from './select/build-segment-issue.ts';
import { withoutMailedPapers } from './select/drop-mailed-papers.ts';
import { selectPapers } from './select/select-papers.ts';
import { loadBatch, saveBatch } from './store/batches.ts';
import { papersMailedBefore, recordIssuePapers, type ReaderScope } from './store/mailed-papers.ts';
import type { Database } from './store/schema.ts';
import { iterateActiveSubscribers } from './store/subscribers.ts';
import { chineseForRun, type TranslationSetup } from './translate/translate-for-run.ts';
import type { ChineseText, DomainSelection, ISODate, Paper, SegmentIssue, SegmentKey } from './types.ts';

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
  /**
   * Refuse to send a batch whose feed went up more than schedule.lateCutoffHours ago. Always on when the calendar
   * picks the batch (no `date`): that is the daily job, where a late issue would arrive after readers moved on. An
   * explicit `date` is a deliberate catch-up and is not checked unless the caller asks (the scheduler does).
   */
  enforceCutoff?: boolean | undefined;
  /** Send even past the late cutoff (`run --force`). */
  force?: boolean | undefined;
  /** Aborted on SIGTERM/SIGINT: no new claim is sent, the ones in flight are recorded, the rest waits. */
  signal?: AbortSignal | undefined;
}

export interface RunDependencies {
  db: Kysely<Database>;
  config: PaperboyConfig;
  holidays: ReadonlySet<string>;
  now: Date;
  secret: string;
  readFeed: (source: string) => Promise<string>;
  createTransport: (batchDate: ISODate) => MailTransport;
  /** Progress notes and problems (stderr). */
  log: Logger;
  /** The wall clock for the run lock and the ledger while sending; default: the real one. */
  clock?: (() => Date) | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Sending progress, once per claim (a progress bar, or a JSON log line). */
  onProgress?: ((progress: SendProgress) => void) | undefined;
  /** Delivery switches of the command line. */
  delivery?: { resendUnknown?: boolean | undefined; lockWaitSeconds?: number | undefined } | undefined;
  /** The translate stage: provider, settings, --retranslate. Absent: stored translations only. */
  translation?: TranslationSetup | undefined;
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
      deps.log.info(`using the stored batch ${batchDate} (${stored.papers.length} papers)`);
      return stored.papers;
    }
  }
  const sources = options.feeds?.length ? options.feeds : feedSourcesOf(deps.config);
  deps.log.info(`collecting ${sources.length} feed${sources.length > 1 ? 's' : ''}: ${sources.join(', ')}`);
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
    deps.log.warn(`feed not read: ${failure.error.message}`);
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
  const cutoffMs = deps.config.schedule.lateCutoffHours * 3_600_000;
  const ago = lateness(batchDate, deps.now);
  if ((options.date === undefined || options.enforceCutoff) && !options.force && !options.dryRun && ago > cutoffMs) {
    return finishReport(
      report,
      started,
      'late',
      `the batch of ${batchDate} went up ${formatHours(ago)} ago, past schedule.lateCutoffHours ` +
        `(${formatHours(cutoffMs)}): not sent; \`paperboy run --date ${batchDate} --force\` sends it anyway`,
      EXIT.failed,
    );
  }

  // One run per issue at a time, across processes and machines; a dry run records nothing and needs no lock.
  const clock = deps.clock ?? (() => new Date());
  const lockConfig = deps.config.delivery.lock;
  const lock = options.dryRun
    ? null
    : await acquireRunLock(deps.db, `issue:${batchDate}`, {
        ttlMs: lockConfig.timeoutSeconds * 1000,
        waitMs: (deps.delivery?.lockWaitSeconds ?? lockConfig.waitSeconds) * 1000,
        clock,
        sleep: deps.sleep,
        log: (line) => deps.log.info(line),
      });
  try {
    return await buildAndDeliver(deps, options, { batchDate, report, started, lock, clock });
  } finally {
    await lock?.release();
  }
}

async function buildAndDeliver(
  deps: RunDependencies,
  options: RunOptions,
  run: { batchDate: ISODate; report: RunReport; started: number; lock: HeldLock | null; clock: () => Date },
): Promise<RunReport> {
  const { batchDate, report, started } = run;
  // collect
  const papers = await obtainPapers(deps, batchDate, options, report);
  if (typeof papers === 'string') return finishReport(report, started, 'failed', `${papers}; nothing sent`, EXIT.failed);
  report.papers = papers.length;

  // select
  const selections = selectPapers(papers, deps.config.domains);
  report.domains = selections.map((s) => ({ id: s.domain.id, matched: s.matches.length }));
  report.matching = new Set(selections.flatMap((s) => s.matches.map((m) => m.paper.id))).size;

  // segment: readers with the same topics and language get the same mail. The audience is frozen into the ledger
  // once per issue, a page of readers at a time (a dry run only counts it); later runs of the issue reuse it.
  const domainOrder = deps.config.domains.map((d) => d.id);
  const prepareStarted = Date.now();
  const audience = options.dryRun
    ? await surveyAudience(deps.db, domainOrder)
    : await prepareIssue(deps.db, batchDate, domainOrder, deps.now);
  Object.assign(report.delivery, {
    audience: audience.readers,
    preparedAt: audience.preparedAt,
    preparedNow: audience.preparedNow,
    prepareMs: Date.now() - prepareStarted,
  });
  report.mails.planned = audience.readers;
  const segments = new Map(audience.segments.map((s) => [s.segmentId, s]));
  report.readersWithoutTopics = audience.withoutTopics;
  if (segments.size === 0) {
    return finishReport(report, started, 'failed', 'no active reader with a known topic; nothing to send', EXIT.failed);
  }

  // Never the same paper twice: each segment leaves out what its readers already got on another day.
  const plan = await planSegments(deps.db, deps.config, batchDate, selections, [...segments.values()], {
    scope: options.dryRun ? await activeReadersBySegment(deps.db, domainOrder) : { kind: 'ledger' },
  });
  report.repeats = plan.repeats;

  // Chinese text only for the papers some reader will see (topics × caps), not for the whole feed
  const { shown } = plan;
  const translated = await chineseForRun(deps.db, shown, deps.translation, deps.now, deps.log);
  const { chinese } = translated;
  report.translation = translated.report;
  for (const error of translated.report.errors) report.failures.push({ where: 'translation', error });
  report.chinese = {
    papers: shown.length,
    titles: shown.filter((p) => chinese.get(p.id)?.titleZh).length,
    abstracts: shown.filter((p) => chinese.get(p.id)?.abstractZh).length,
  };
  const chineseOf = (paper: Paper) => chinese.get(paper.id) ?? null;
  const issues = new Map([...segments.values()].map((s) => [s.segmentId, plan.issueOf(s.segmentId, s.key, chineseOf)]));
  // Recorded before any mail goes out: a reader who gets this mail and then a crash still has it in their history.
  if (!options.dryRun) {
    const carried = [...issues].map(([segmentId, issue]) => ({ segmentId, papers: papersOf(issue) }));
    await recordIssuePapers(deps.db, batchDate, carried, deps.now);
  }

  // render once per segment, then deliver per reader
  const outboxDay = join(options.outboxDir, batchDate);
  report.outbox = options.dryRun ? null : outboxDay;
  const transport = options.dryRun ? null : deps.createTransport(batchDate);
  // Setting up the outbox clears the half-written mails of a crashed run: worth a line when there were any.
  const removedPartials = await (transport as Partial<OutboxTransport> | null)?.removedPartials;
  if (removedPartials) {
    deps.log.info(`removed ${removedPartials} half-written mail${removedPartials > 1 ? 's' : ''} (.partial) a stopped run left in ${outboxDay}`);
  }
  try {
    await deliverIssue(
      {
        db: deps.db,
        config: deps.config,
        now: deps.now,
        secret: deps.secret,
        log: deps.log,
        clock: run.clock,
        sleep: deps.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
        onProgress: deps.onProgress,
        lock: stopOnSignal(run.lock, options.signal),
      },
      {
        batchDate,
        segments: [...segments.values()],
        issueOf: (key) => issues.get(segmentIdOf(key)) ?? plan.issueOf(segmentIdOf(key), key, chineseOf),
      },
      transport,
      {
        report,
        previewDir: join(outboxDay, 'segments'),
        policy: sendPolicyOf(deps.config.delivery, { resendUnknown: deps.delivery?.resendUnknown }),
      },
    );
  } finally {
    await transport?.close();
  }
  if (transport?.name !== 'outbox') report.outbox = null;

  const { mails, delivery } = report;
  if (options.dryRun) {
    return finishReport(report, started, 'dry-run', `dry run: ${mails.planned} mails rendered, nothing sent`, EXIT.ok);
  }
  const delivered = mails.sent + mails.alreadySent;
  const unknown =
    mails.unknown > 0
      ? `; ${mails.unknown} mails may or may not have been delivered (not sent again: --resend-unknown sends them, ` +
        'a reader may then get two copies)'
      : '';
  if (delivery.stopped && delivered === 0) {
    return finishReport(report, started, 'failed', `stopped: ${delivery.stopped}; nothing sent`, EXIT.failed);
  }
  if (mails.failed + mails.bounced > 0 && delivered === 0) {
    return finishReport(report, started, 'failed', `every mail failed (${mails.failed + mails.bounced}); nothing sent${unknown}`, EXIT.failed);
  }
  const again = mails.alreadySent > 0 ? ` (${mails.alreadySent} already sent before)` : '';
  if (delivery.stopped) {
    return finishReport(
      report,
      started,
      'partial',
      `stopped after ${mails.sent} mails${again}: ${delivery.stopped}; ${mails.remaining} left for the next run${unknown}`,
      EXIT.partial,
    );
  }
  if (mails.failed + mails.bounced + mails.unknown > 0 || report.failures.length > 0) {
    return finishReport(report, started, 'partial', `sent ${mails.sent} mails${again} with ${report.failures.length} problems${unknown}`, EXIT.partial);
  }
  return finishReport(report, started, 'sent', `sent ${mails.sent} mails${again}`, EXIT.ok);
}

// ---- Never the same paper twice, shared by `run` and `preview` ----------------------------------------------------
//
// Where the filter sits: per segment, before the segment's issue is built. A segment leaves out every paper that ANY
// of its readers was already mailed on another day; a reader's history is the ledger (which segment's mail each
// reader got, per issue) joined with `issue_papers` (what each segment's mail carried). Readers of one segment almost
// always share one history, having got the same mails; the union only differs for a reader who changed topics or
// language, and then the whole segment does without the repeat rather than that reader getting it twice. This keeps
// render-once-per-segment: a per-reader filter would split segments into one mail per history, and a history kept
// per segment alone would miss the readers who moved between segments.

export interface SegmentPlan {
  /** The segment's issue from what its readers may still get. */
  issueOf(segmentId: string, key: SegmentKey, chineseOf: (paper: Paper) => ChineseText | null): SegmentIssue;
  /** Papers some segment shows with a summary: the ones worth Chinese text. */
  shown: Paper[];
  repeats: RepeatsReport;
}

export async function planSegments(
  db: Kysely<Database>,
  config: PaperboyConfig,
  batchDate: ISODate,
  selections: readonly DomainSelection[],
  segments: ReadonlyArray<{ segmentId: string; key: SegmentKey }>,
  options: { scope: ReaderScope },
): Promise<SegmentPlan> {
  const candidates = [...new Set(selections.flatMap((s) => s.matches.map((m) => m.paper.id)))];
  const mailed = await papersMailedBefore(db, batchDate, candidates, options.scope);
  const repeats: RepeatsReport = { dropped: 0, updated: 0, segments: [] };
  const filtered = new Map<string, DomainSelection[]>();
  const shown = new Map<string, Paper>();
  for (const { segmentId, key } of segments) {
    const result = withoutMailedPapers(selections, mailed.get(segmentId) ?? new Map(), {
      showUpdatedVersions: config.schedule.showUpdatedVersions,
    });
    filtered.set(segmentId, result.selections);
    if (result.dropped.length + result.updated.length > 0) {
      repeats.segments.push({ id: segmentId, dropped: result.dropped, updated: result.updated });
      repeats.dropped += result.dropped.length;
      repeats.updated += result.updated.length;
    }
    for (const paper of papersShownIn([key], result.selections, batchDate)) shown.set(paper.id, paper);
  }
  return {
    issueOf: (segmentId, key, chineseOf) => buildSegmentIssue(filtered.get(segmentId) ?? selections, key, batchDate, chineseOf),
    shown: [...shown.values()],
    repeats,
  };
}

/** The active readers' ids by the segment they would be in now (a dry run and the preview have no frozen audience). */
export async function activeReadersBySegment(db: Kysely<Database>, domainOrder: readonly string[]): Promise<ReaderScope> {
  const bySegment = new Map<string, number[]>();
  for await (const page of iterateActiveSubscribers(db)) {
    for (const [segmentId, group] of groupIntoSegments(page, domainOrder).segments) {
      bySegment.set(segmentId, [...(bySegment.get(segmentId) ?? []), ...group.readers.map((r) => r.id)]);
    }
  }
  return { kind: 'readers', bySegment };
}

function papersOf(issue: SegmentIssue): Array<{ id: string; version: number }> {
  return issue.sections.flatMap((s) => s.entries.map((e) => ({ id: e.paper.id, version: e.paper.version })));
}

/** The run lock as the sender sees it, also "lost" once a stop signal came: sending ends after the claims in flight. */
function stopOnSignal(lock: HeldLock | null, signal: AbortSignal | undefined): { lost(): string | null } | null {
  if (!signal) return lock;
  return {
    lost: () =>
      signal.aborted
        ? 'stopped by SIGTERM/SIGINT: the mails in flight were recorded, the rest goes out with the next run'
        : (lock?.lost() ?? null),
  };
}
