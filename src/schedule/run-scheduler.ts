// The scheduler's edge: the croner schedule, the clock, the waits, the lock between schedulers and the run history.
// Every decision (which batch, how long to wait, when it is late) is taken by the pure functions of plan-tick.ts;
// the clock and the sleep are injected, so tests drive whole weeks with a fake clock in milliseconds.
import { randomBytes } from 'node:crypto';
import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import { feedDateOf, formatHours } from '../arxiv/index.ts';
import type { PaperboyConfig } from '../config/schema.ts';
import { tryTakeLock, type HeldLock, type MailTransport } from '../deliver/index.ts';
import { EXIT } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { runIssue, type RunDependencies } from '../run-issue.ts';
import { emptyReport, errorReport, finishReport, type RunReport, type ScheduleReport } from '../run-report.ts';
import { isBatchStored } from '../store/batches.ts';
import { isIssueSent } from '../store/deliveries.ts';
import { readLock } from '../store/run-locks.ts';
import { processName, recordRun, type RunTrigger } from '../store/runs.ts';
import { dialectOf } from '../store/database.ts';
import type { Database } from '../store/schema.ts';
import type { ISODate } from '../types.ts';
import { dueBatch, nextPollStep, planTick, policyOf, type SchedulePolicy, type TickPlan } from './plan-tick.ts';
import { probeBatch, type Probe } from './probe-batch.ts';

export interface SchedulerDeps {
  db: Kysely<Database>;
  config: PaperboyConfig;
  holidays: ReadonlySet<ISODate>;
  secret: string;
  clock: () => Date;
  /** Resolves after `ms`, or as soon as `signal` is aborted. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readFeed: (source: string) => Promise<string>;
  /** Reads an arXiv listing page (schedule.listingCheck). */
  readPage: (url: string) => Promise<string>;
  createTransport: (batchDate: ISODate) => MailTransport;
  outboxDir: string;
  /** Every decision, every fetch with its next try and the deadline, every outcome. */
  log: Logger;
  /** Each tick's report, once it is stored. */
  onReport?: ((report: RunReport) => void) | undefined;
  /** What else the run takes from the command line: translation, progress, delivery switches. */
  run?: Pick<RunDependencies, 'translation' | 'onProgress' | 'delivery'> | undefined;
  /** Who holds the scheduler lock, for messages; default `host/pid`. */
  owner?: string | undefined;
}

/** Real waits are cut into pieces so a suspended machine or a changed wall clock is noticed within a minute. */
const MAX_SLEEP_MS = 60_000;

export function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}

async function sleepUntil(deps: SchedulerDeps, until: Date, signal: AbortSignal): Promise<void> {
  for (let left = until.getTime() - deps.clock().getTime(); left > 0 && !signal.aborted; left = until.getTime() - deps.clock().getTime()) {
    await deps.sleep(Math.min(left, MAX_SLEEP_MS), signal);
  }
}

/** The scheduler that holds a batch's `schedule:<date>` lock, as another scheduler finds it. */
interface TickLockHolder {
  /** `host/pid` (its tick's nonce left out). */
  owner: string;
  since: string | null;
}

function describeScheduler(holder: TickLockHolder): string {
  return holder.since ? `${holder.owner} (since ${holder.since})` : holder.owner;
}

/**
 * One scheduler fetches a batch: a row in `run_locks` named `schedule:<date>`, beside the `issue:<date>` lock every
 * run takes (the same lease, deliver/run-lock.ts). It is renewed after every wait (fake clocks included) and by a
 * heartbeat while the run sends, so it only lapses when its scheduler is gone. Returns who holds it when busy.
 */
async function acquireTickLock(deps: SchedulerDeps, batchDate: ISODate, policy: SchedulePolicy): Promise<{ held: HeldLock } | { busy: TickLockHolder }> {
  const name = `schedule:${batchDate}`;
  // A nonce per tick: two schedulers in one process (or a pid reused) must never pass for each other.
  const owner = `${deps.owner ?? processName()}/${randomBytes(4).toString('hex')}`;
  const ttlMs = policy.pollIntervalMs + 10 * 60_000;
  const attempt = await tryTakeLock(deps.db, name, { owner, ttlMs, heartbeatMs: Math.min(MAX_SLEEP_MS, ttlMs / 3), clock: deps.clock });
  if ('held' in attempt) return attempt;
  const holder = attempt.busy ?? (await readLock(deps.db, name));
  return { busy: holder ? { owner: holder.owner.replace(/\/[0-9a-f]{8}$/, ''), since: holder.acquiredAt } : { owner: 'another scheduler', since: null } };
}

async function store(deps: SchedulerDeps, trigger: RunTrigger, report: RunReport, startedAt: Date): Promise<RunReport> {
  try {
    await recordRun(deps.db, { trigger, report, startedAt, finishedAt: deps.clock(), host: deps.owner });
  } catch (error) {
    deps.log.error(`could not store the run in the history: ${(error as Error).message}`);
  }
  deps.onReport?.(report);
  return report;
}

type CollectPlan = Extract<TickPlan, { kind: 'collect' }>;

/** What a tick knows once it has its plan: when it started, and how it stores its report. */
interface Tick {
  deps: SchedulerDeps;
  trigger: RunTrigger;
  signal: AbortSignal;
  plan: CollectPlan;
  policy: SchedulePolicy;
  tickAt: Date;
  /** Date.now() at the start, for the report's duration. */
  started: number;
}

/**
 * One tick: decide, wait for the batch, send it, store the report. Returns the stored report, or null when this
 * tick leaves the batch to another scheduler (nothing to store: that one stores its own). Never throws for a failed
 * run: the failure is the report.
 *
 * Two schedulers on one batch: one fetches it (the `schedule:<date>` lock). On PostgreSQL the other joins it: it
 * waits for the batch to be stored and then runs the issue as well, sending a share beside the first (run-issue.ts:
 * several runs send one issue together). On SQLite one run sends an issue, so the other stands aside.
 */
export async function runTick(deps: SchedulerDeps, trigger: RunTrigger, signal: AbortSignal): Promise<RunReport | null> {
  const tickAt = deps.clock();
  const started = Date.now();
  const policy = policyOf(deps.config.schedule);
  // The plan asks about the due batch, or about today's when none is due (to tell "late" from "sent already").
  const asked = dueBatch(tickAt, deps.holidays, policy) ?? feedDateOf(tickAt);
  const done = await isIssueSent(deps.db, asked);
  const plan = planTick(tickAt, deps.holidays, policy, (d) => d === asked && done);
  if (plan.kind === 'late') {
    deps.log.warn(plan.reason);
    return store(deps, trigger, finishReport(emptyReport(plan.batchDate), Date.now() - started, 'late', plan.reason, EXIT.failed), tickAt);
  }
  if (plan.kind !== 'collect') {
    deps.log.info(plan.reason);
    const report = finishReport(emptyReport(plan.kind === 'done' ? plan.batchDate : null), Date.now() - started, 'no-issue', plan.reason, EXIT.ok);
    return store(deps, trigger, report, tickAt);
  }

  const tick: Tick = { deps, trigger, signal, plan, policy, tickAt, started };
  const { batchDate } = plan;
  const lock = await acquireTickLock(deps, batchDate, policy);
  if ('held' in lock) return collectAndSend(tick, lock.held);
  if (dialectOf(deps.db) !== 'postgres') {
    deps.log.info(
      `the batch of ${batchDate} is being handled by the scheduler ${describeScheduler(lock.busy)}: nothing to do here ` +
        '(on SQLite one run sends an issue)',
    );
    return null;
  }
  const joined = await waitToJoin(tick, lock.busy);
  if (joined.kind === 'none') return null;
  if (joined.kind === 'fetch') return collectAndSend(tick, joined.lock);
  return sendShare(tick, joined.holder, joined.waitedMs);
}

/**
 * How often a joining scheduler looks at the batch it waits for, at most: the fetching scheduler's run holds the
 * issue's lock while it prepares, so joining a little late costs nothing but a share of the sending.
 */
const JOIN_POLL_MS = 30_000;

/**
 * A scheduler that found another fetching the batch (PostgreSQL): it waits, without fetching, until the batch is
 * stored (the other's run has begun and holds the issue's lock while it prepares) and then sends a share; or until
 * the issue is sent, the plan's give-up time passes or the signal aborts (nothing to do here); or until the
 * schedule lock is free again (its holder gave up or is gone), which it then takes to fetch the batch itself.
 */
async function waitToJoin(
  { deps, plan, policy, signal }: Tick,
  firstHolder: TickLockHolder,
): Promise<{ kind: 'none' } | { kind: 'fetch'; lock: HeldLock } | { kind: 'join'; holder: TickLockHolder; waitedMs: number }> {
  const { batchDate } = plan;
  const deadline = plan.giveUpAt.toISOString();
  const pollMs = Math.min(policy.pollIntervalMs, JOIN_POLL_MS);
  const waitStarted = deps.clock().getTime();
  let holder = firstHolder;
  deps.log.info(
    `the batch of ${batchDate} is being fetched by the scheduler ${describeScheduler(holder)}: joining it to send a share once it is prepared`,
    { deadline },
  );
  for (;;) {
    if (await isIssueSent(deps.db, batchDate)) {
      deps.log.info(`no share to send: the batch of ${batchDate} has been sent already (the scheduler ${holder.owner} was sending it)`);
      return { kind: 'none' };
    }
    if (await isBatchStored(deps.db, batchDate)) {
      deps.log.info(`the batch of ${batchDate} is stored: sending a share beside the scheduler ${holder.owner}`);
      return { kind: 'join', holder, waitedMs: deps.clock().getTime() - waitStarted };
    }
    if (signal.aborted) {
      deps.log.info(`stopped while waiting to join the scheduler ${holder.owner} on the batch of ${batchDate}; nothing sent here`);
      return { kind: 'none' };
    }
    if (deps.clock() >= plan.giveUpAt) {
      deps.log.warn(
        `stopped waiting to join the scheduler ${holder.owner} on the batch of ${batchDate}: it was not stored by ${deadline} ` +
          '(the give-up time); nothing sent here, the other scheduler reports its own outcome',
      );
      return { kind: 'none' };
    }
    const lock = await acquireTickLock(deps, batchDate, policy);
    if ('held' in lock) {
      deps.log.info(`the scheduler ${holder.owner} let go of the batch of ${batchDate} before it was stored: fetching it here`);
      return { kind: 'fetch', lock: lock.held };
    }
    holder = lock.busy;
    // One short sleep per look (not sleepUntil): a look is what the wait is for, whatever the clock did meanwhile.
    await deps.sleep(Math.min(pollMs, plan.giveUpAt.getTime() - deps.clock().getTime()), signal);
  }
}

/** The run a tick starts, with the same switches whichever scheduler starts it: the cutoff is enforced. */
function runScheduledIssue(deps: SchedulerDeps, batchDate: ISODate, signal: AbortSignal, fetched: ReadonlyMap<string, string>): Promise<RunReport> {
  return runIssue(
    {
      db: deps.db,
      config: deps.config,
      holidays: deps.holidays,
      now: deps.clock(),
      clock: deps.clock,
      secret: deps.secret,
      readFeed: (source) => {
        const text = fetched.get(source);
        return text === undefined ? deps.readFeed(source) : Promise.resolve(text);
      },
      createTransport: deps.createTransport,
      log: deps.log,
      ...deps.run,
    },
    { date: batchDate, outboxDir: deps.outboxDir, enforceCutoff: true, signal },
  );
}

/** What a tick reports of its schedule before it has fetched or waited. */
function scheduleReportOf(plan: CollectPlan, tickAt: Date): ScheduleReport {
  return { tickAt: tickAt.toISOString(), feedDueAt: plan.dueAt.toISOString(), polls: 0, failedFetches: 0, waitedMs: 0, lastProbe: null, listing: [] };
}

/** A joining scheduler's run: its report is its own share of the issue (the fetching scheduler stores its own). */
async function sendShare({ deps, trigger, signal, plan, tickAt }: Tick, holder: TickLockHolder, waitedMs: number): Promise<RunReport> {
  const { batchDate } = plan;
  const schedule: ScheduleReport = { ...scheduleReportOf(plan, tickAt), waitedMs, joined: holder.owner };
  try {
    const report = await runScheduledIssue(deps, batchDate, signal, new Map());
    report.schedule = schedule;
    deps.log[report.exitCode === EXIT.ok ? 'info' : 'warn'](`${batchDate} (a share beside the scheduler ${holder.owner}): ${report.message}`);
    return await store(deps, trigger, report, tickAt);
  } catch (error) {
    const report = errorReport(batchDate, error);
    report.schedule = schedule;
    deps.log.error(`${batchDate} (a share beside the scheduler ${holder.owner}): ${report.message}`);
    return await store(deps, trigger, report, tickAt);
  }
}

/** The scheduler that holds the batch's lock: wait for the feed, fetch it until it carries the batch, run the issue. */
async function collectAndSend({ deps, trigger, signal, plan, policy, tickAt, started }: Tick, lock: HeldLock): Promise<RunReport | null> {
  const { batchDate } = plan;
  const schedule = scheduleReportOf(plan, tickAt);
  // The times every fetch line repeats, so a log read from any point says how long the wait can still last.
  const deadline = plan.giveUpAt.toISOString();
  const giveUp = (status: 'failed' | 'late', message: string) => {
    const report = finishReport(emptyReport(batchDate), Date.now() - started, status, message, EXIT.failed);
    report.schedule = schedule;
    return store(deps, trigger, report, tickAt);
  };
  try {
    // Another scheduler (or a manual run) may have finished the batch between the plan and the lock.
    if (await isIssueSent(deps.db, batchDate)) {
      deps.log.info(`no issue today: the batch of ${batchDate} has been sent already`);
      return null;
    }
    if (plan.startAt > tickAt) {
      deps.log.info(`waiting for the batch of ${batchDate}: its feed is due at ${plan.dueAt.toISOString()}`, {
        firstFetchAt: plan.startAt.toISOString(),
        deadline,
      });
      await sleepUntil(deps, plan.startAt, signal);
    }
    let texts = new Map<string, string>();
    for (;;) {
      if (signal.aborted) {
        return await giveUp('failed', `stopped while waiting for the batch of ${batchDate} (${schedule.polls} fetches); nothing sent`);
      }
      let probe: Probe | null = null;
      if (!(await isBatchStored(deps.db, batchDate))) {
        probe = await probeBatch({ config: deps.config, readFeed: deps.readFeed, readPage: deps.readPage }, batchDate);
        schedule.polls += 1;
        schedule.lastProbe = probe.summary;
        schedule.listing = probe.listing;
        schedule.failedFetches = (schedule.failedFetches ?? 0) + probe.failures.length;
        texts = probe.texts;
      }
      const step = nextPollStep(deps.clock(), plan, probe?.verdict ?? 'current', policy);
      if (probe) {
        // A feed that could not be read (no network, arXiv down) is a warning at every fetch, not only at the end.
        const line = `fetch ${schedule.polls} for ${batchDate}: ${probe.summary}`;
        const when = step.kind === 'wait' ? { nextFetchAt: step.until.toISOString(), deadline } : {};
        if (probe.failures.length > 0) deps.log.warn(line, when);
        else deps.log.info(line, when);
      }
      if (step.kind === 'run') break;
      if (step.kind === 'give-up') {
        const waited = formatHours(deps.clock().getTime() - plan.dueAt.getTime());
        const why = schedule.lastProbe ?? 'no fetch was made';
        const message = step.late
          ? `gave up on the batch of ${batchDate} ${waited} after its feed was due, at the late cutoff ` +
            `(schedule.lateCutoffHours ${deps.config.schedule.lateCutoffHours}): ${why}; nothing mailed`
          : `gave up on the batch of ${batchDate} after ${schedule.polls} fetches (schedule.pollDeadlineMinutes ` +
            `${deps.config.schedule.pollDeadlineMinutes}): ${why}; nothing mailed`;
        deps.log.error(message);
        return await giveUp(step.late ? 'late' : 'failed', message);
      }
      const before = deps.clock().getTime();
      await sleepUntil(deps, step.until, signal);
      schedule.waitedMs += deps.clock().getTime() - before;
      await lock.renew();
    }

    const report = await runScheduledIssue(deps, batchDate, signal, texts);
    report.schedule = schedule;
    deps.log[report.exitCode === EXIT.ok ? 'info' : 'warn'](`${batchDate}: ${report.message}`);
    return await store(deps, trigger, report, tickAt);
  } catch (error) {
    const report = errorReport(batchDate, error);
    report.schedule = schedule;
    deps.log.error(`${batchDate}: ${report.message}`);
    return await store(deps, trigger, report, tickAt);
  } finally {
    await lock.release();
  }
}

/** The next tick of schedule.cron in schedule.timezone strictly after `from`, or null for a pattern with none left. */
export function nextTick(config: PaperboyConfig, from: Date): Date | null {
  const cron = new Cron(config.schedule.cron, { timezone: config.schedule.timezone, paused: true });
  return cron.nextRun(from);
}

/**
 * Ticks at every cron time until `signal` is aborted; a tick in progress finishes (or records where it stopped)
 * first. At start, a batch that is already due, unsent and not yet late is handled at once, so a scheduler
 * restarted after the tick time (a reboot, a deploy) does not skip the day.
 */
export async function runScheduler(deps: SchedulerDeps, signal: AbortSignal): Promise<void> {
  const { schedule } = deps.config;
  const policy = policyOf(schedule);
  const now = deps.clock();
  const missed = planTick(now, deps.holidays, policy, () => false);
  if (missed.kind === 'collect' && missed.dueAt <= now && !(await isIssueSent(deps.db, missed.batchDate))) {
    deps.log.info(`the batch of ${missed.batchDate} is due and not sent yet: handling it now`);
    await runTick(deps, 'schedule', signal);
  }
  while (!signal.aborted) {
    const next = nextTick(deps.config, deps.clock());
    if (next === null) {
      deps.log.warn(`schedule.cron "${schedule.cron}" has no future time: stopping`);
      return;
    }
    deps.log.info(`next tick at ${next.toISOString()} (${schedule.cron} in ${schedule.timezone})`);
    await sleepUntil(deps, next, signal);
    if (signal.aborted) break;
    await runTick(deps, 'schedule', signal);
  }
}
