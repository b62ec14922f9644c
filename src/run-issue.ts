import { join } from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import {
  ARXIV_API_URL,
  detailsForRun,
  digestWeekOf,
  expectedBatchDate,
  feedSourcesOf,
  formatHours,
  hasBatch,
  lateness,
  obtainBatch,
  type DetailsForRunOptions,
  type ObtainedBatch,
} from './arxiv/index.ts';
import type { PaperboyConfig } from './config/schema.ts';
import {
  acquireRunLock,
  deliverIssue,
  holdSenderLease,
  lockPollOf,
  ownerId,
  prepareIssue,
  type HeldLock,
  type IssueDelivery,
  type MailTransport,
  type OutboxTransport,
  type SegmentMail,
  type SendProgress,
} from './deliver/index.ts';
import { EXIT } from './errors.ts';
import type { Logger } from './log/logger.ts';
import { personalize, sampleReader } from './render/index.ts';
import { assembleRunReport, concludeRun, emptyReport, finishReport, type RunEnding, type RunReport, type RunResults } from './run-report.ts';
import { deliverySettingsOf } from './run-wiring.ts';
import {
  activeReadersBySegment,
  attachExtras,
  planDailyAndWeekly,
  READER_PAGE,
  segmentIdOf,
  selectPapers,
  surveyAudience,
  type AudienceSegment,
} from './select/index.ts';
import { dialectOf } from './store/database.ts';
import { recordIssuePapers } from './store/mailed-papers.ts';
import type { Database } from './store/schema.ts';
import { chineseForRun, type TranslationSetup } from './translate/index.ts';
import type { ISODate, Paper, SegmentIssue, SegmentKey } from './types.ts';

// The daily job, top to bottom: read (decide the batch, collect or load it) → plan (select, freeze the audience,
// segment, never-twice, Chinese text) → write (render once per segment, deliver per reader). Each stage returns what
// it did; the report is assembled from those results once, at the end (run-report.ts). This file only wires the
// stages to the database, the feeds and the transport.
//
// Time: `now` is the instant the run is for (it picks the batch, judges lateness and stamps what the run stores), a
// value read once by the caller so that tests fix the day. `clock` is the one clock that ticks: the run lock's
// leases and the ledger's timestamps, which other processes compare, so it stays the real wall clock even when
// `now` is fixed. Durations are measured on `monotonicMs` (performance.now by default): a wall clock can jump.

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
  /** The instant the run is for (see the note on time above). */
  now: Date;
  secret: string;
  readFeed: (source: string) => Promise<string>;
  createTransport: (batchDate: ISODate) => MailTransport;
  /** Progress notes and problems (stderr). */
  log: Logger;
  /** The wall clock for the run lock and the ledger while sending; default: the real one. */
  clock?: (() => Date) | undefined;
  /** Milliseconds from a monotonic source, for durations; default: performance.now. */
  monotonicMs?: (() => number) | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Sending progress, once per claim (a progress bar, or a JSON log line). */
  onProgress?: ((progress: SendProgress) => void) | undefined;
  /** Delivery switches of the command line. */
  delivery?: { resendUnknown?: boolean | undefined; lockWaitSeconds?: number | undefined } | undefined;
  /** The translate stage: provider, settings, --retranslate. Absent: stored translations only. */
  translation?: TranslationSetup | undefined;
}

/** A run's own view of time, with the defaults filled in. */
interface RunTime {
  now: Date;
  clock: () => Date;
  monotonicMs: () => number;
  started: number;
}

export async function runIssue(deps: RunDependencies, options: RunOptions): Promise<RunReport> {
  const monotonicMs = deps.monotonicMs ?? (() => performance.now());
  const time: RunTime = { now: deps.now, clock: deps.clock ?? (() => new Date()), monotonicMs, started: monotonicMs() };
  const ended = (report: RunReport, ending: RunEnding) =>
    finishReport(report, Math.round(time.monotonicMs() - time.started), ending.status, ending.message, ending.exitCode);

  const batchDate = options.date ?? expectedBatchDate(deps.now, deps.holidays);
  if (batchDate === null) {
    return ended(emptyReport(batchDate), { status: 'no-issue', message: 'no issue today: arXiv announces nothing for this day', exitCode: EXIT.ok });
  }
  if (!hasBatch(batchDate, deps.holidays)) {
    const message = `no issue for ${batchDate}: arXiv has no announcement batch on that day (weekend or holiday)`;
    return ended(emptyReport(batchDate), { status: 'no-issue', message, exitCode: EXIT.ok });
  }
  const cutoffMs = deps.config.schedule.lateCutoffHours * 3_600_000;
  const ago = lateness(batchDate, deps.now);
  if ((options.date === undefined || options.enforceCutoff) && !options.force && !options.dryRun && ago > cutoffMs) {
    const message =
      `the batch of ${batchDate} went up ${formatHours(ago)} ago, past schedule.lateCutoffHours ` +
      `(${formatHours(cutoffMs)}): not sent; \`paperboy run --date ${batchDate} --force\` sends it anyway`;
    return ended(emptyReport(batchDate), { status: 'late', message, exitCode: EXIT.failed });
  }

  // On SQLite one run per issue at a time: the issue's lock is held to the end, and a second run waits for it
  // (lock.waitSeconds) and then gives up. On PostgreSQL any number of runs, on any number of machines, send one
  // issue together: the issue's lock is held only while the issue is prepared (the batch read, the audience frozen,
  // the Chinese text and what each segment carries recorded), so that happens once; each run then sends under a
  // lease of its own (see write() and deliver/send-issue.ts). A run that finds another preparing waits for it as
  // long as it is alive (its lock renewed), up to PREPARE_WAIT_MS; a dry run records nothing and needs no lock.
  const lockConfig = deps.config.delivery.lock;
  const sharing = !options.dryRun && dialectOf(deps.db) === 'postgres';
  const waitMs = (deps.delivery?.lockWaitSeconds ?? lockConfig.waitSeconds) * 1000;
  const locks: RunLocks = {
    sharing,
    owner: ownerId(),
    issue: null,
    sender: null,
  };
  locks.issue = options.dryRun
    ? null
    : await acquireRunLock(deps.db, `issue:${batchDate}`, {
        ttlMs: lockConfig.timeoutSeconds * 1000,
        waitMs: sharing ? Math.max(waitMs, PREPARE_WAIT_MS) : waitMs,
        clock: time.clock,
        sleep: deps.sleep,
        owner: locks.owner,
        log: (line) => deps.log.info(line),
      });
  try {
    const results = await readPlanWrite(deps, options, batchDate, time, locks);
    const report = assembleRunReport(results);
    return ended(report, results.ending ?? concludeRun(report, Boolean(options.dryRun)));
  } finally {
    await locks.issue?.release();
    await locks.sender?.release();
  }
}

/** How long a run on PostgreSQL waits for another run that is preparing the issue (and still alive) before giving up. */
const PREPARE_WAIT_MS = 30 * 60_000;

/**
 * The locks of one run: the issue's lock (`issue:<date>`), and on PostgreSQL, once the issue is prepared, this
 * run's sender lease in its place (`sender:<date>:<owner>`).
 */
interface RunLocks {
  /** Several runs may send this issue together (PostgreSQL). */
  sharing: boolean;
  /** This process: `host/pid/nonce`. */
  owner: string;
  issue: HeldLock | null;
  sender: HeldLock | null;
}

/** The stages' results, and how the run ended when it stopped before delivery. */
type StageResults = RunResults & { ending?: RunEnding | undefined };

/** One run of one issue, as its stages see it. */
interface Run {
  deps: RunDependencies;
  options: RunOptions;
  batchDate: ISODate;
  time: RunTime;
  locks: RunLocks;
  dryRun: boolean;
}

async function readPlanWrite(
  deps: RunDependencies,
  options: RunOptions,
  batchDate: ISODate,
  time: RunTime,
  locks: RunLocks,
): Promise<StageResults> {
  const run: Run = { deps, options, batchDate, time, locks, dryRun: Boolean(options.dryRun) };
  const collected = await read(run);
  if (collected.papers === null) {
    return { batchDate, collected, ending: { status: 'failed', message: `${collected.missing}; nothing sent`, exitCode: EXIT.failed } };
  }
  const planned = await plan(run, collected.papers, collected.sources);
  if ('ending' in planned) return { batchDate, collected, ...planned };
  const written = await write(run, planned);
  return {
    batchDate,
    collected,
    selections: planned.selections,
    audience: planned.audience,
    repeats: planned.repeats,
    translated: planned.translated,
    details: planned.details,
    delivered: written.delivered,
    outbox: written.outbox,
  };
}

/** read: the batch's papers, stored or collected. */
function read({ deps, options, batchDate, time }: Run): Promise<ObtainedBatch> {
  return obtainBatch(deps.db, batchDate, {
    feeds: options.feeds,
    defaultSources: feedSourcesOf(deps.config),
    readFeed: deps.readFeed,
    log: deps.log,
    now: time.now,
  });
}

/**
 * plan: select; freeze the audience (readers with the same topics and language get the same mail) once per issue,
 * a page of readers at a time (a dry run only counts it; later runs of the issue reuse it); each segment's papers,
 * never twice; Chinese text only for the papers some reader will see (topics × caps), not for the whole feed.
 *
 * Weekly digests (issue 12, part 5): when the arXiv calendar says this batch carries the week's digests
 * (digestWeekOf, `digest.weeklyOn`), weekly readers who have none yet this week are frozen in, in `weekly.`
 * segments, whose papers are the week's stored batches up to this one, selected and capped like a day's. Other days
 * they are left out, so a daily reader's mail is exactly what it was.
 */
async function plan({ deps, batchDate, time, dryRun }: Run, papers: Paper[], sources: readonly string[]) {
  const { db, config } = deps;
  const selections = selectPapers(papers, config.domains);
  const domainOrder = config.domains.map((d) => d.id);
  const week = digestWeekOf(batchDate, config.digest.weeklyOn, deps.holidays);
  const prepareStarted = time.monotonicMs();
  const frozen = dryRun
    ? await surveyAudience(db, domainOrder, READER_PAGE, week)
    : await prepareIssue(db, batchDate, domainOrder, time.now, READER_PAGE, week);
  const audience = { ...frozen, prepareMs: Math.round(time.monotonicMs() - prepareStarted) };
  if (audience.segments.length === 0) {
    const waiting = audience.weeklyWaiting ?? 0;
    // Only weekly readers, none due with this batch: a quiet day, not a failure (nothing to retry).
    const ending: RunEnding =
      waiting > 0
        ? {
            status: 'no-issue',
            message: `no reader is due: ${waiting} weekly reader${waiting > 1 ? 's' : ''} not in this issue (not their digest's day, or they have this week's)`,
            exitCode: EXIT.ok,
          }
        : { status: 'failed', message: 'no active reader with a known topic; nothing to send', exitCode: EXIT.failed };
    return { selections, audience, ending };
  }
  const segmentPlan = await planDailyAndWeekly(db, batchDate, { papers, selections, domains: config.domains }, audience.segments, {
    scope: dryRun ? await activeReadersBySegment(db, domainOrder, week) : { kind: 'ledger' },
    showUpdatedVersions: config.schedule.showUpdatedVersions,
    week,
  });
  const { shown } = segmentPlan;
  const translated = await chineseForRun(db, shown, deps.translation, time.now, deps.log);
  const { chinese } = translated;
  const chineseOf = (paper: Paper) => chinese.get(paper.id) ?? null;
  const details = await detailsForRun(db, shown, detailsOptions(deps, sources, dryRun, time.now));
  const issueOf = (segmentId: string, key: SegmentKey) => attachExtras(segmentPlan.issueOf(segmentId, key, chineseOf), details.extras);
  const issues = new Map(audience.segments.map((s) => [s.segmentId, issueOf(s.segmentId, s.key)]));
  const chineseCounts = {
    papers: shown.length,
    titles: shown.filter((p) => chinese.get(p.id)?.titleZh).length,
    abstracts: shown.filter((p) => chinese.get(p.id)?.abstractZh).length,
  };
  return {
    selections,
    audience,
    repeats: segmentPlan.repeats,
    translated: { report: translated.report, chinese: chineseCounts },
    details: details.report,
    issues,
    issueOf: (key: SegmentKey) => issues.get(segmentIdOf(key)) ?? issueOf(segmentIdOf(key), key),
  };
}

/**
 * Whether the details step may ask arXiv's API: not when it is switched off, not for a dry run (which records
 * nothing), and not when the papers were read from files (a demo, a test, a replayed day): those runs stay offline.
 * Papers read from another server than arXiv (a mirror, a test server) are not sent to arXiv's API either, unless
 * `arxiv.details.apiUrl` names another API on purpose.
 */
function detailsOptions(deps: RunDependencies, sources: readonly string[], dryRun: boolean, now: Date): DetailsForRunOptions {
  const { arxiv } = deps.config;
  const base = { log: deps.log };
  if (!arxiv.details.enabled) return { ...base, fetch: { enabled: false, reason: 'arxiv.details.enabled is false' } };
  if (dryRun) return { ...base, fetch: { enabled: false, reason: 'dry run' } };
  const urls = sources.filter((s) => /^https?:\/\//i.test(s));
  if (urls.length === 0) return { ...base, fetch: { enabled: false, reason: 'the feeds were read from files' } };
  const fromArxiv = urls.some((s) => /(^|\.)arxiv\.org$/i.test(new URL(s).hostname));
  if (!fromArxiv && arxiv.details.apiUrl === ARXIV_API_URL) {
    return { ...base, fetch: { enabled: false, reason: 'the feeds came from another server than arXiv' } };
  }
  return {
    ...base,
    fetch: {
      enabled: true,
      now,
      options: {
        apiUrl: arxiv.details.apiUrl,
        idsPerRequest: arxiv.details.idsPerRequest,
        minGapMs: arxiv.details.minGapSeconds * 1000,
        timeoutMs: arxiv.timeoutSeconds * 1000,
        retries: arxiv.retries,
        userAgent: arxiv.userAgent,
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
      },
    },
  };
}

/**
 * write: what each segment's mail carries is recorded before any mail goes out (a reader who gets this mail and
 * then a crash still has it in their history); then each segment's mail is rendered once (and its browsable copy
 * written) and delivered per reader.
 */
async function write(
  { deps, options, batchDate, time, locks, dryRun }: Run,
  planned: { audience: { segments: AudienceSegment[] }; issues: ReadonlyMap<string, SegmentIssue>; issueOf: (key: SegmentKey) => SegmentIssue },
) {
  const { issues } = planned;
  const { db, log } = deps;
  if (!dryRun) {
    const carried = [...issues].map(([segmentId, issue]) => ({ segmentId, papers: papersOf(issue) }));
    await recordIssuePapers(db, batchDate, carried, time.now);
  }
  const ttlMs = deps.config.delivery.lock.timeoutSeconds * 1000;
  if (locks.sharing && locks.issue) {
    // Prepared: the other runs of the issue may join now. The lease is taken before the issue's lock goes, so
    // there is no moment at which this run holds neither.
    locks.sender = await holdSenderLease(db, batchDate, { owner: locks.owner, ttlMs, clock: time.clock });
    await locks.issue.release();
    locks.issue = null;
  }
  const lock = locks.sender ?? locks.issue;
  const sender = locks.sender ? { owner: locks.owner, pollMs: lockPollOf(ttlMs) } : undefined;
  const outboxDay = join(options.outboxDir, batchDate);
  const transport = dryRun ? null : deps.createTransport(batchDate);
  // Setting up the outbox clears the half-written mails of a crashed run: worth a line when there were any.
  const removedPartials = await (transport as Partial<OutboxTransport> | null)?.removedPartials;
  if (removedPartials) {
    log.info(`removed ${removedPartials} half-written mail${removedPartials > 1 ? 's' : ''} (.partial) a stopped run left in ${outboxDay}`);
  }
  const previews = new Map<string, string>();
  const previewDir = join(outboxDay, 'segments');
  const settings = deliverySettingsOf(deps.config, { resendUnknown: deps.delivery?.resendUnknown });
  let delivered: IssueDelivery;
  try {
    delivered = await deliverIssue(
      {
        db,
        now: time.now,
        settings,
        secret: deps.secret,
        clock: time.clock,
        monotonicMs: time.monotonicMs,
        sleep: deps.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
        onProgress: deps.onProgress,
        lock: stopOnSignal(lock, options.signal),
        sender,
        onSegment: async (segment) => {
          log.info(describeSegment(segment));
          previews.set(segment.id, await writeSegmentPreview(previewDir, segment, settings.sender.publicBaseUrl));
        },
      },
      { batchDate, segments: planned.audience.segments, issueOf: planned.issueOf },
      transport,
    );
  } finally {
    await transport?.close();
  }
  return {
    delivered: { ...delivered, transport: transport?.name ?? null, previews },
    outbox: transport?.name === 'outbox' ? outboxDay : null,
  };
}

function describeSegment(segment: SegmentMail): string {
  const how = segment.reused ? 'kept from an earlier run' : `${segment.renderMs} ms`;
  return `segment ${segment.id}: ${segment.readers} readers, ${segment.matching} papers matching, ${segment.papers} shown, ${segment.htmlBytes} B, ${how}`;
}

/** A browsable copy of what the segment gets, with harmless sample links in place of the per-reader ones. */
async function writeSegmentPreview(dir: string, segment: SegmentMail, publicBaseUrl: string): Promise<string> {
  const sample = personalize(segment.mail, sampleReader(publicBaseUrl));
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${segment.id}.html`);
  await writeFile(file, sample.html);
  await writeFile(join(dir, `${segment.id}.txt`), sample.text);
  return file;
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
