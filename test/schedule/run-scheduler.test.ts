import { describe, expect, it } from 'vitest';
import { addDays, hasBatch } from '../../src/arxiv/calendar.ts';
import { createOutboxTransport } from '../../src/deliver/outbox-transport.ts';
import type { MailTransport } from '../../src/deliver/transport.ts';
import { runScheduler, runTick } from '../../src/schedule/run-scheduler.ts';
import { listRuns } from '../../src/store/runs.ts';
import type { ISODate } from '../../src/types.ts';
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

  it('two schedulers at once: one run sends, the other stands aside', async () => {
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
      expect(logs).toMatch(/is being handled by the scheduler|has been sent already/);
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
