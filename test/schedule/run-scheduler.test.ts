import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { addDays, hasBatch } from '../../src/arxiv/calendar.ts';
import { createOutboxTransport } from '../../src/deliver/outbox-transport.ts';
import type { MailJob, MailTransport, SendContext } from '../../src/deliver/transport.ts';
import { runScheduler, runTick, type SchedulerDeps } from '../../src/schedule/run-scheduler.ts';
import { openDatabase } from '../../src/store/database.ts';
import { isIssueSent } from '../../src/store/deliveries.ts';
import { releaseLock, tryAcquireLock } from '../../src/store/run-locks.ts';
import { listRuns } from '../../src/store/runs.ts';
import type { Database } from '../../src/store/schema.ts';
import { upsertSubscribers } from '../../src/store/subscribers.ts';
import type { ISODate } from '../../src/types.ts';
import { createPgDatabase, notePostgresSkipped, PG_URL } from '../support/test-databases.ts';
import { makeWorld, READERS, readOutbox, testConfig, type World } from './scheduler-world.ts';

// The scheduler end to end on a fake clock: real croner ticks, the real calendar, the real run (select, render,
// deliver to the outbox, ledger, history), a fake arXiv that serves each batch from midnight New York.

function datesBetween(from: ISODate, to: ISODate): ISODate[] {
  const out: ISODate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

async function simulate(world: World, until: Date) {
  const controller = new AbortController();
  await runScheduler(world.deps({ until, controller }), controller.signal);
}

/** Every reader got every batch exactly once, and never an arXiv id they had already been mailed. */
async function expectEachBatchOnceAndNoRepeats(world: World, batches: ISODate[]) {
  const mails = await readOutbox(world.outbox);
  for (const reader of READERS) {
    const mine = mails.filter((m) => m.to === reader.email);
    expect(mine.map((m) => m.batchDate)).toEqual(batches);
    const seen = new Map<string, ISODate>();
    for (const mail of mine) {
      for (const id of mail.ids) {
        expect(seen.get(id), `${reader.email} got ${id} on ${seen.get(id)} and again on ${mail.batchDate}`).toBeUndefined();
        seen.set(id, mail.batchDate);
      }
    }
  }
  return mails;
}

describe('paperboy schedule on a fake clock', () => {
  it('sends the right batch on the right day across the 2025 autumn DST change, weekends and Thanksgiving (Thu)', async () => {
    const world = await makeWorld({ start: new Date('2025-10-29T00:00:00Z') });
    try {
      await simulate(world, new Date('2025-12-02T00:00:00Z'));
      const days = datesBetween('2025-10-29', '2025-12-01');
      const expected = days.filter((d) => hasBatch(d, world.holidays));
      expect(expected).not.toContain('2025-11-28'); // after Thanksgiving
      expect(expected).toContain('2025-11-03'); // the first Monday in EST

      // One tick a day at 13:30 Beijing (05:30 UTC); a batch day sends that day's batch, any other day nothing.
      const ticks = world.reports.map((r) => ({ batch: r.batchDate, status: r.status }));
      expect(ticks).toEqual(
        days.map((d) => (expected.includes(d) ? { batch: d, status: 'sent' } : { batch: null, status: 'no-issue' })),
      );
      for (const report of world.reports.filter((r) => r.status === 'no-issue')) expect(report.message).toMatch(/^no issue today/);
      const sent = world.reports.filter((r) => r.status === 'sent');
      for (const report of sent) {
        expect(report.mails.sent).toBe(READERS.length);
        expect(report.schedule?.polls).toBe(1);
      }
      // Every day but the first re-announces yesterday's first paper as a cross-list: each segment leaves it out.
      expect(sent.slice(1).every((r) => r.repeats.dropped === 2 && r.repeats.segments.length === 2)).toBe(true);
      expect(sent[0]!.repeats.dropped).toBe(0);

      await expectEachBatchOnceAndNoRepeats(world, expected);
      const history = await listRuns(world.db, { limit: 100 });
      expect(history).toHaveLength(days.length);
      expect(history.every((r) => r.trigger === 'schedule')).toBe(true);
    } finally {
      await world.close();
    }
  });

  it.each([
    ['the 2026 spring DST change', '2026-03-05T00:00:00Z', '2026-03-11T00:00:00Z', ['2026-03-05', '2026-03-06', '2026-03-09', '2026-03-10']],
    ['Juneteenth 2026 (a Friday holiday: no Monday batch)', '2026-06-17T00:00:00Z', '2026-06-24T00:00:00Z', ['2026-06-17', '2026-06-18', '2026-06-19', '2026-06-23']],
    ['the 2026 autumn DST change', '2026-10-29T00:00:00Z', '2026-11-04T00:00:00Z', ['2026-10-29', '2026-10-30', '2026-11-02', '2026-11-03']],
  ])('across %s', async (_name, start, until, batches) => {
    const world = await makeWorld({ start: new Date(start) });
    try {
      await simulate(world, new Date(until));
      expect(world.reports.filter((r) => r.status === 'sent').map((r) => r.batchDate)).toEqual(batches);
      expect(world.reports.filter((r) => r.status !== 'sent').every((r) => r.status === 'no-issue')).toBe(true);
      await expectEachBatchOnceAndNoRepeats(world, batches);
    } finally {
      await world.close();
    }
  });

  it('never mails a stale feed (yesterday\'s batch served again): polls until the deadline, then gives up', async () => {
    const world = await makeWorld({
      start: new Date('2025-11-14T04:00:00Z'),
      staleForMs: (d) => (d === '2025-11-14' ? Number.POSITIVE_INFINITY : 0),
    });
    try {
      await simulate(world, new Date('2025-11-14T12:00:00Z'));
      expect(world.reports).toHaveLength(1);
      const [report] = world.reports;
      expect(report).toMatchObject({ batchDate: '2025-11-14', status: 'failed', exitCode: 1 });
      expect(report!.message).toMatch(/gave up on the batch of 2025-11-14 after 17 fetches.*still carries the batch of 2025-11-13.*nothing mailed/);
      // 05:30 to 09:30 UTC every 15 minutes, each time yesterday's batch.
      expect(world.arxiv.served).toHaveLength(17);
      expect(world.arxiv.served.every((s) => s.batch === '2025-11-13')).toBe(true);
      expect(world.arxiv.served.at(-1)!.at).toBe('2025-11-14T09:30:00.000Z');
      expect(await readOutbox(world.outbox)).toEqual([]);
      expect((await listRuns(world.db))[0]).toMatchObject({ status: 'failed', mailsSent: 0 });
    } finally {
      await world.close();
    }
  });

  it('sends an issue arXiv is an hour late with, once the feed carries it', async () => {
    const world = await makeWorld({
      start: new Date('2025-11-14T04:00:00Z'),
      // Due at 05:00 UTC; the new batch only appears at 06:30, an hour after the 05:30 tick.
      staleForMs: (d) => (d === '2025-11-14' ? 90 * 60_000 : 0),
    });
    try {
      await simulate(world, new Date('2025-11-14T12:00:00Z'));
      expect(world.reports).toHaveLength(1);
      const [report] = world.reports;
      expect(report).toMatchObject({ batchDate: '2025-11-14', status: 'sent', exitCode: 0 });
      expect(report!.schedule).toMatchObject({ polls: 5, waitedMs: 60 * 60_000 });
      expect(world.arxiv.served.map((s) => s.batch)).toEqual(['2025-11-13', '2025-11-13', '2025-11-13', '2025-11-13', '2025-11-14']);
      const mails = await readOutbox(world.outbox);
      expect(mails.map((m) => m.batchDate)).toEqual(['2025-11-14', '2025-11-14', '2025-11-14']);
      expect(mails.every((m) => !m.ids.includes('2511.1310') || m.ids.length === 4)).toBe(true);
    } finally {
      await world.close();
    }
  });

  it('two schedulers at once on SQLite: one run sends, the other stands aside', async () => {
    const a = await makeWorld({ start: new Date('2025-11-14T04:00:00Z') });
    const b = await makeWorld({ start: new Date('2025-11-14T04:00:00Z'), db: a.db, dir: a.dir, sameClockAs: a });
    try {
      const until = new Date('2025-11-14T12:00:00Z');
      await Promise.all([simulate(a, until), simulate(b, until)]);
      const reports = [...a.reports, ...b.reports];
      expect(reports.filter((r) => r.status === 'sent')).toHaveLength(1);
      const mails = await readOutbox(a.outbox);
      expect(mails).toHaveLength(READERS.length);
      const logs = [...a.logs, ...b.logs].join('\n');
      expect(logs).toMatch(/is being handled by the scheduler .*on SQLite one run sends an issue|has been sent already/);
      expect((await listRuns(a.db)).filter((r) => r.status === 'sent')).toHaveLength(1);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('SIGTERM mid-send: the mails in flight are recorded, and the next start sends the rest without a duplicate', async () => {
    const config = testConfig({ delivery: { batchSize: 1, workers: 1 } });
    const world = await makeWorld({ start: new Date('2025-11-14T05:29:00Z'), config });
    const sends = new Map<string, number>();
    const counting = (controller: AbortController | null) => (batchDate: ISODate): MailTransport => {
      const outbox = createOutboxTransport({ dir: world.outbox, batchDate });
      return {
        ...outbox,
        async send(mails, context) {
          for (const mail of mails) sends.set(mail.to, (sends.get(mail.to) ?? 0) + 1);
          // The signal arrives while the first mail is on its way.
          controller?.abort();
          return outbox.send(mails, context);
        },
      };
    };
    try {
      const first = new AbortController();
      await runScheduler(world.deps({ controller: first, createTransport: counting(first) }), first.signal);
      expect(world.reports).toHaveLength(1);
      const [stopped] = world.reports;
      expect(stopped).toMatchObject({ batchDate: '2025-11-14', status: 'partial', exitCode: 3 });
      expect(stopped!.mails).toMatchObject({ sent: 1, remaining: READERS.length - 1 });
      expect(stopped!.message).toMatch(/stopped by SIGTERM\/SIGINT/);

      // Restarted ten minutes later: the batch is due, not done, and not late, so it is finished at once.
      world.setClock(new Date('2025-11-14T05:45:00Z'));
      const second = new AbortController();
      await runScheduler(world.deps({ until: new Date('2025-11-14T06:00:00Z'), controller: second, createTransport: counting(null) }), second.signal);
      const resumed = world.reports[1]!;
      expect(resumed).toMatchObject({ batchDate: '2025-11-14', status: 'sent', exitCode: 0 });
      expect(resumed.mails).toMatchObject({ sent: READERS.length - 1, alreadySent: 1 });
      expect([...sends.values()]).toEqual(READERS.map(() => 1));
      expect(sends.size).toBe(READERS.length);
      expect(await readOutbox(world.outbox)).toHaveLength(READERS.length);
    } finally {
      await world.close();
    }
  });

  it('a tick that finds the batch sent by a manual run sends nothing and says so', async () => {
    const world = await makeWorld({ start: new Date('2025-11-14T05:31:00Z') });
    try {
      const controller = new AbortController();
      const first = await runTick(world.deps(), 'schedule-once', controller.signal);
      expect(first?.status).toBe('sent');
      const again = await runTick(world.deps(), 'schedule-once', controller.signal);
      expect(again).toMatchObject({ status: 'no-issue', batchDate: '2025-11-14', message: 'no issue today: the batch of 2025-11-14 has been sent already' });
      expect(await readOutbox(world.outbox)).toHaveLength(READERS.length);
    } finally {
      await world.close();
    }
  });
});

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A fresh PostgreSQL database with `readers` in it, for one test. */
async function withPostgres(
  readers: ReadonlyArray<(typeof READERS)[number]>,
  at: Date,
  body: (db: Kysely<Database>) => Promise<void>,
): Promise<void> {
  const created = await createPgDatabase('paperboy_sched');
  const db = await openDatabase({ url: created.url });
  try {
    await upsertSubscribers(db, readers.map((r) => ({ ...r, name: null })), at);
    await body(db);
  } finally {
    await db.destroy();
    await created.drop();
  }
}

/**
 * A scheduler whose waits only poll: a few real milliseconds each, on a fake clock that stands still (the clock
 * the run's leases are judged by, so no lease lapses while the other scheduler works).
 */
const pollOnly: SchedulerDeps['sleep'] = (_ms, signal) => (signal.aborted ? Promise.resolve() : pause(5));

/**
 * Outbox transports whose sends each wait until both schedulers' transports have been called once, so both take
 * part whichever starts first (for at most 30 s, so a scheduler that never sends fails the counts, not the clock).
 */
function meetingOutboxes(world: World) {
  const arrived = new Set<number>();
  let allArrived!: () => void;
  const met = new Promise<void>((resolve) => (allArrived = resolve));
  let created = 0;
  return (batchDate: ISODate): MailTransport => {
    const i = created++;
    const outbox = createOutboxTransport({ dir: world.outbox, batchDate });
    return {
      ...outbox,
      async send(mails: MailJob[], context: SendContext) {
        arrived.add(i);
        if (arrived.size === 2) allArrived();
        await Promise.race([met, pause(30_000)]);
        return outbox.send(mails, context);
      },
    };
  };
}

describe.skipIf(!PG_URL)('paperboy schedule on PostgreSQL', () => {
  const start = new Date('2025-11-14T05:31:00Z');
  const many = Array.from({ length: 200 }, (_, i) => ({
    email: `reader${String(i).padStart(3, '0')}@example.org`,
    topics: ['llm'],
    language: i % 2 === 0 ? ('en' as const) : ('zh' as const),
  }));

  it('two schedulers at once: one fetches the batch, the other joins it, and each sends a share', async () => {
    await withPostgres(many, start, async (db) => {
      const config = testConfig({ delivery: { batchSize: 10, workers: 2 } });
      const a = await makeWorld({ start, db, config });
      const b = await makeWorld({ start, db, config, dir: a.dir, sameClockAs: a });
      try {
        const transports = meetingOutboxes(a);
        const signal = new AbortController().signal;
        const [ra, rb] = await Promise.all([
          runTick(a.deps({ sleep: pollOnly, owner: 'sched-a', createTransport: transports }), 'schedule', signal),
          runTick(b.deps({ sleep: pollOnly, owner: 'sched-b', createTransport: transports }), 'schedule', signal),
        ]);
        const reports = [ra!, rb!];
        expect(reports.map((r) => r.exitCode)).toEqual([0, 0]);
        const joiner = reports.find((r) => r.schedule?.joined !== undefined)!;
        const fetcher = reports.find((r) => r !== joiner)!;
        const [fetcherName, joinerName] = fetcher === ra ? ['sched-a', 'sched-b'] : ['sched-b', 'sched-a'];
        expect(fetcher.schedule).toMatchObject({ polls: 1 });
        expect(fetcher.schedule?.joined).toBeUndefined();
        expect(joiner.schedule).toMatchObject({ polls: 0, joined: fetcherName });
        // Only the scheduler that holds the batch's lock asks arXiv.
        expect(a.arxiv.served.length + b.arxiv.served.length).toBe(1);

        // Each report is its own share; together they are the issue, to every reader once.
        expect(fetcher.mails.sent).toBeGreaterThan(0);
        expect(joiner.mails.sent).toBeGreaterThan(0);
        expect(fetcher.mails.sent + joiner.mails.sent).toBe(many.length);
        const mails = await readOutbox(a.outbox);
        expect(mails).toHaveLength(many.length);
        expect(new Set(mails.map((m) => m.to)).size).toBe(many.length);
        expect(await isIssueSent(db, '2025-11-14')).toBe(true);

        const runs = await listRuns(db);
        expect(runs.map((r) => [r.host, r.trigger, r.mailsSent]).sort()).toEqual(
          [
            [fetcherName, 'schedule', fetcher.mails.sent],
            [joinerName, 'schedule', joiner.mails.sent],
          ].sort(),
        );
        const joinerLogs = (fetcher === ra ? b : a).logs.join('\n');
        expect(joinerLogs).toMatch(
          new RegExp(`the batch of 2025-11-14 is being fetched by the scheduler ${fetcherName} \\(since [^)]+\\): joining it to send a share once it is prepared`),
        );
        expect(joinerLogs).toContain(`the batch of 2025-11-14 is stored: sending a share beside the scheduler ${fetcherName}`);
      } finally {
        await b.close();
        await a.close();
      }
    });
  });

  it('a joining scheduler whose holder lets go before storing the batch fetches it itself', async () => {
    await withPostgres(READERS, start, async (db) => {
      const world = await makeWorld({ start, db });
      const other = 'other-host.example/7/deadbeef';
      await tryAcquireLock(db, 'schedule:2025-11-14', other, { now: start, ttlMs: 24 * 3_600_000 });
      let polls = 0;
      try {
        // The other scheduler gives up its lock while this one waits to join it.
        const sleep: SchedulerDeps['sleep'] = async (ms, signal) => {
          polls += 1;
          if (polls === 2) await releaseLock(db, 'schedule:2025-11-14', other);
          await pollOnly(ms, signal);
        };
        const report = await runTick(world.deps({ sleep, owner: 'sched-a' }), 'schedule', new AbortController().signal);
        expect(polls).toBe(2);
        expect(report).toMatchObject({ batchDate: '2025-11-14', status: 'sent', exitCode: 0 });
        expect(report!.mails.sent).toBe(READERS.length);
        expect(report!.schedule).toMatchObject({ polls: 1 });
        expect(report!.schedule?.joined).toBeUndefined();
        expect(world.arxiv.served).toHaveLength(1);
        const logs = world.logs.join('\n');
        expect(logs).toMatch(/the batch of 2025-11-14 is being fetched by the scheduler other-host\.example\/7 .*: joining it/);
        expect(logs).toContain('the scheduler other-host.example/7 let go of the batch of 2025-11-14 before it was stored: fetching it here');
        expect(await readOutbox(world.outbox)).toHaveLength(READERS.length);
      } finally {
        await world.close();
      }
    });
  });

  it('a joining scheduler stops at the plan\'s give-up time when the batch is never stored, and stores nothing', async () => {
    await withPostgres(READERS, start, async (db) => {
      const world = await makeWorld({ start, db });
      // A holder that keeps its lock (renewed, as a scheduler waiting for a late feed does) and never stores the batch.
      await tryAcquireLock(db, 'schedule:2025-11-14', 'other-host.example/7/deadbeef', { now: start, ttlMs: 24 * 3_600_000 });
      try {
        const report = await runTick(world.deps({ owner: 'sched-a' }), 'schedule', new AbortController().signal);
        expect(report).toBeNull();
        // 05:31 until the deadline (four hours after the tick, schedule.pollDeadlineMinutes) in polls of 30 s.
        expect(world.now().toISOString()).toBe('2025-11-14T09:31:00.000Z');
        expect(world.arxiv.served).toEqual([]);
        expect(world.reports).toEqual([]);
        expect(await listRuns(db)).toEqual([]);
        expect(world.logs.join('\n')).toMatch(
          /stopped waiting to join the scheduler other-host\.example\/7 on the batch of 2025-11-14: it was not stored by 2025-11-14T09:31:00\.000Z/,
        );
      } finally {
        await world.close();
      }
    });
  });
});
notePostgresSkipped('paperboy schedule');
