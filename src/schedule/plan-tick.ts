// What the scheduler does at a tick, decided from `now`, the arXiv calendar and the config alone (no clock, no I/O):
// which batch is due, when to start fetching it, how long to wait for a stale feed, and when it is too late.
import { addDays, feedDateOf, feedDueAt, formatHours, hasBatch, lateness } from '../arxiv/index.ts';
import type { ISODate } from '../types.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * rss.arxiv.org rebuilds at 00:00 ET and the new batch is in place seconds later (lastBuildDate 04:00:01–04:00:19
 * UTC in EDT): a tick that comes before that waits until a minute past midnight ET before the first fetch.
 */
export const FEED_SETTLE_MS = MINUTE_MS;

export interface SchedulePolicy {
  /** Between two fetches of a feed that still carries another batch. */
  pollIntervalMs: number;
  /** How long after the tick the scheduler keeps waiting for the batch. */
  pollDeadlineMs: number;
  /** An issue whose feed went up longer ago than this is not sent unless forced. */
  lateCutoffMs: number;
}

export function policyOf(schedule: {
  pollIntervalMinutes: number;
  pollDeadlineMinutes: number;
  lateCutoffHours: number;
}): SchedulePolicy {
  return {
    pollIntervalMs: schedule.pollIntervalMinutes * MINUTE_MS,
    pollDeadlineMs: schedule.pollDeadlineMinutes * MINUTE_MS,
    lateCutoffMs: schedule.lateCutoffHours * HOUR_MS,
  };
}

export type TickPlan =
  /** No batch is due around this tick (weekend, holiday): nothing to send. */
  | { kind: 'no-issue'; reason: string }
  /** The batch of the day went up longer ago than the late cutoff: the tick itself comes too late to send it. */
  | { kind: 'late'; batchDate: ISODate; reason: string }
  /** The due batch's issue has been sent already (by an earlier tick, another scheduler or a manual run). */
  | { kind: 'done'; batchDate: ISODate; reason: string }
  | {
      kind: 'collect';
      batchDate: ISODate;
      /** 00:00 ET on the batch date. */
      dueAt: Date;
      /** The first fetch: now, or just after the feed is due. */
      startAt: Date;
      /** No fetch after this: the tick's deadline or the late cutoff, whichever comes first. */
      giveUpAt: Date;
      /** Past this the issue is late and is not sent. */
      cutoffAt: Date;
    };

/**
 * The batch a tick at `now` goes for: the latest batch whose feed is due in (now − lateCutoff, now + pollDeadline],
 * or null. A batch due later than that is the next tick's; one due earlier than the cutoff was an earlier tick's
 * (and sending it now would be late). With the default 13:30 Asia/Shanghai tick this is the batch of the ET date at
 * the tick, before and after each DST change (00:30 ET in winter, 01:30 ET in summer); a tick set a little before
 * midnight ET (12:05 Beijing in winter) waits for the batch due minutes later instead of going back to yesterday's.
 */
export function dueBatch(now: Date, holidays: ReadonlySet<ISODate>, policy: SchedulePolicy): ISODate | null {
  const horizon = now.getTime() + policy.pollDeadlineMs;
  const oldest = now.getTime() - policy.lateCutoffMs;
  // A feed date is due at its own ET midnight, so walking back from the ET date at the horizon meets every
  // candidate; the cutoff (a few days at most) bounds the walk.
  for (let d = feedDateOf(new Date(horizon)); feedDueAt(d).getTime() > oldest; d = addDays(d, -1)) {
    if (feedDueAt(d).getTime() <= horizon && hasBatch(d, holidays)) return d;
  }
  return null;
}

/** What to do at a tick: nothing (no batch due, or it went out already), or wait for the due batch and send it. */
export function planTick(
  now: Date,
  holidays: ReadonlySet<ISODate>,
  policy: SchedulePolicy,
  isDone: (batchDate: ISODate) => boolean,
): TickPlan {
  const batchDate = dueBatch(now, holidays, policy);
  if (batchDate === null) {
    const today = feedDateOf(now);
    if (hasBatch(today, holidays) && !isDone(today)) {
      return {
        kind: 'late',
        batchDate: today,
        reason:
          `the batch of ${today} went up ${formatHours(lateness(today, now))} ago, past schedule.lateCutoffHours ` +
          `(${formatHours(policy.lateCutoffMs)}): not sent; \`paperboy run --date ${today} --force\` sends it anyway`,
      };
    }
    return {
      kind: 'no-issue',
      reason: `no issue today: arXiv announced no batch for ${feedDateOf(now)} (New York date; a weekend or an arXiv holiday)`,
    };
  }
  if (isDone(batchDate)) {
    return { kind: 'done', batchDate, reason: `no issue today: the batch of ${batchDate} has been sent already` };
  }
  const dueAt = feedDueAt(batchDate);
  const cutoffAt = new Date(dueAt.getTime() + policy.lateCutoffMs);
  const startAt = new Date(Math.max(now.getTime(), dueAt.getTime() + FEED_SETTLE_MS));
  const giveUpAt = new Date(Math.max(startAt.getTime(), Math.min(now.getTime() + policy.pollDeadlineMs, cutoffAt.getTime())));
  return { kind: 'collect', batchDate, dueAt, startAt, giveUpAt, cutoffAt };
}

/** What one fetch of the feed found. */
export type ProbeVerdict = 'current' | 'not-yet';

export type PollStep =
  | { kind: 'run' }
  | { kind: 'wait'; until: Date }
  | { kind: 'give-up'; late: boolean };

/**
 * After a fetch at `now`: send when the feed carries the batch (unless the cutoff has passed meanwhile), else fetch
 * again after the interval (or at `giveUpAt`, whichever is first), and give up once `giveUpAt` has come. `late`
 * says the cutoff, not the tick's deadline, ended the wait.
 */
export function nextPollStep(
  now: Date,
  plan: Extract<TickPlan, { kind: 'collect' }>,
  verdict: ProbeVerdict,
  policy: SchedulePolicy,
): PollStep {
  if (verdict === 'current') {
    return now.getTime() > plan.cutoffAt.getTime() ? { kind: 'give-up', late: true } : { kind: 'run' };
  }
  if (now.getTime() >= plan.giveUpAt.getTime()) {
    return { kind: 'give-up', late: plan.giveUpAt.getTime() >= plan.cutoffAt.getTime() };
  }
  // The last wait is cut short so that one fetch happens right at the deadline.
  return { kind: 'wait', until: new Date(Math.min(now.getTime() + policy.pollIntervalMs, plan.giveUpAt.getTime())) };
}
