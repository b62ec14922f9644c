import { expect, it } from 'vitest';
import { createOutboxTransport } from '../../src/deliver/outbox-transport.ts';
import type { MailJob, MailTransport, SendContext, SendOutcome } from '../../src/deliver/transport.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { runIssue } from '../../src/run-issue.ts';
import { listBatches } from '../../src/store/batches.ts';
import { listDeliveries } from '../../src/store/deliveries.ts';
import { upsertSubscribers } from '../../src/store/subscribers.ts';
import type { Frequency, ISODate, Language } from '../../src/types.ts';
import { describeStore } from '../support/test-databases.ts';
import { papersOf, rssFor } from './fake-arxiv.ts';
import { makeWorld, readOutbox, SECRET, testConfig, type World } from './scheduler-world.ts';

// Weekly digests through the real run (issue 12, part 5): five stored batches of one ISO week (Mon 10 – Fri 14
// November 2025), daily readers mailed every day as before, weekly readers once, with the week's best papers they
// have not had, through the same ledger — including a run that dies in the middle of sending the digests.

const WEEK: ISODate[] = ['2025-11-10', '2025-11-11', '2025-11-12', '2025-11-13', '2025-11-14'];

interface Reader {
  email: string;
  language: Language;
  frequency: Frequency;
}
const DAILY: Reader = { email: 'ada@example.org', language: 'en', frequency: 'daily' };
const WEEKLY: Reader[] = [
  { email: 'wei@example.org', language: 'zh', frequency: 'weekly' },
  { email: 'lin@example.org', language: 'en', frequency: 'weekly' },
  { email: 'kim@example.org', language: 'en', frequency: 'weekly' },
];
/** Daily Monday to Wednesday, then switches to weekly: the digest must leave out what the daily mails carried. */
const SWITCHER: Reader = { email: 'sam@example.org', language: 'bilingual', frequency: 'daily' };

async function addReaders(world: World, readers: Reader[], at: Date): Promise<void> {
  await upsertSubscribers(world.db, readers.map((r) => ({ ...r, name: null, topics: ['llm'] })), at);
}

function run(world: World, date: ISODate, extra: { transport?: (d: ISODate) => MailTransport; clock?: () => Date; dryRun?: boolean } = {}) {
  return runIssue(
    {
      db: world.db,
      config: world.config,
      holidays: world.holidays,
      now: new Date(`${date}T06:00:00Z`),
      secret: SECRET,
      readFeed: async () => rssFor(date, papersOf(date, world.holidays)),
      createTransport: extra.transport ?? ((batchDate) => createOutboxTransport({ dir: world.outbox, batchDate })),
      log: silentLogger,
      clock: extra.clock,
    },
    { date, outboxDir: world.outbox, dryRun: extra.dryRun },
  );
}

/**
 * The outbox, one mail per claim, that "crashes" on the claim after `sendBefore` mails: that claim's mail is written
 * (it went out) but the call never returns, as when the process is killed before recording the outcome. `resume`
 * lets the stalled call return afterwards, as a zombie would.
 */
function crashingOutbox(world: World, sendBefore: number) {
  let sent = 0;
  let resume: () => void = () => undefined;
  const stalled = new Promise<void>((resolve) => {
    resume = resolve;
  });
  let reached: () => void = () => undefined;
  const crashed = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const create = (batchDate: ISODate): MailTransport => {
    const outbox = createOutboxTransport({ dir: world.outbox, batchDate });
    return {
      name: outbox.name,
      maxBatch: 1,
      resend: outbox.resend,
      async send(mails: readonly MailJob[], context: SendContext): Promise<SendOutcome[]> {
        const outcomes = await outbox.send(mails, context);
        sent += mails.length;
        if (sent > sendBefore) {
          reached();
          await stalled;
        }
        return outcomes;
      },
      close: () => outbox.close(),
    };
  };
  return { create, crashed, resume: () => resume() };
}

describeStore('weekly digest', (store) => {
  it('sends weekly readers one digest of the week over five stored batches, exactly once through a crash mid-send', async () => {
    const config = testConfig({ digest: { weeklyOn: 'friday' }, domains: [{ ...testConfig().domains[0], cap: 4 }] });
    const world = await makeWorld({ start: new Date('2025-11-10T06:00:00Z'), config, db: store.db });
    try {
      await addReaders(world, [DAILY, ...WEEKLY, SWITCHER], new Date('2025-11-09T12:00:00Z'));

      // Monday to Thursday: daily mails only; weekly readers wait (and are counted as waiting).
      for (const date of WEEK.slice(0, 4)) {
        if (date === '2025-11-13') await addReaders(world, [{ ...SWITCHER, frequency: 'weekly' }], new Date(`${date}T05:00:00Z`));
        const report = await run(world, date);
        expect(report.status).toBe('sent');
        expect(report.readersWaitingForDigest).toBe(date === '2025-11-13' ? 4 : 3);
        const rows = await listDeliveries(world.db, date);
        expect(rows.map((r) => r.email).sort()).toEqual(date === '2025-11-13' ? [DAILY.email] : [DAILY.email, SWITCHER.email].sort());
        expect(rows.every((r) => !r.segmentId.startsWith('weekly.'))).toBe(true);
      }
      const beforeFriday = await readOutbox(world.outbox);
      const samHad = new Set(beforeFriday.filter((m) => m.to === SWITCHER.email).flatMap((m) => m.ids));
      expect(samHad.size).toBeGreaterThan(0);

      // Friday: the digest day. The run dies after two mails went out, one of them sent but never recorded.
      const crash = crashingOutbox(world, 2);
      const crashed = run(world, '2025-11-14', { transport: crash.create });
      await crash.crashed;
      const midway = await listDeliveries(world.db, '2025-11-14');
      expect(midway.some((r) => r.status === 'sending')).toBe(true);
      expect(midway.some((r) => r.status === 'planned')).toBe(true);

      // The re-run (its clock past the dead run's lock lease) finishes the issue: `sending` becomes `unknown`, and
      // the outbox, which overwrites the same file, sends those again; the rest go out once.
      const later = () => new Date(Date.now() + 24 * 3_600_000);
      const rerun = await run(world, '2025-11-14', { clock: later });
      expect(rerun.status).toBe('sent');
      const rows = await listDeliveries(world.db, '2025-11-14');
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
      const weeklyEmails = [...WEEKLY, SWITCHER].map((r) => r.email).sort();
      expect(rows.filter((r) => r.segmentId.startsWith('weekly.')).map((r) => r.email).sort()).toEqual(weeklyEmails);
      expect(rows.filter((r) => !r.segmentId.startsWith('weekly.')).map((r) => r.email)).toEqual([DAILY.email]);

      // The dead run wakes up as a zombie: it must not send anyone a second mail.
      crash.resume();
      await crashed;

      const mails = await readOutbox(world.outbox);
      const friday = mails.filter((m) => m.batchDate === '2025-11-14');
      for (const email of [DAILY.email, ...weeklyEmails]) expect(friday.filter((m) => m.to === email)).toHaveLength(1);
      for (const reader of WEEKLY) expect(mails.filter((m) => m.to === reader.email)).toHaveLength(1);

      // The digest draws on all five stored batches: its shown papers are the week's best (cap 4), and its
      // "more in this topic" lines reach back to Monday.
      expect((await listBatches(world.db)).map((b) => b.batchDate).sort()).toEqual(WEEK);
      const weekIds = new Set(WEEK.flatMap((d) => papersOf(d, world.holidays).map((p) => p.id)));
      const lin = friday.find((m) => m.to === 'lin@example.org')!;
      expect(lin.ids.length).toBe(weekIds.size);
      expect(lin.ids.every((id) => weekIds.has(id))).toBe(true);
      expect(lin.text).toContain('This week: 10–14 November 2025');
      const wei = friday.find((m) => m.to === 'wei@example.org')!;
      expect(wei.text).toContain('本周：2025年11月10日–14日');
      const daily = friday.find((m) => m.to === DAILY.email)!;
      expect(daily.text).not.toContain('This week');
      expect(daily.ids.every((id) => papersOf('2025-11-14', world.holidays).some((p) => p.id === id))).toBe(true);

      // Never twice: the switcher's digest leaves out everything their daily mails carried.
      const sam = friday.find((m) => m.to === SWITCHER.email)!;
      expect(sam.ids.length).toBeGreaterThan(0);
      expect(sam.ids.filter((id) => samHad.has(id))).toEqual([]);
      expect(sam.ids.length).toBe(weekIds.size - samHad.size);

      // Once per week: running Friday again sends nothing.
      const again = await run(world, '2025-11-14', { clock: later });
      expect(again.mails).toMatchObject({ sent: 0, alreadySent: 5 });
      expect((await readOutbox(world.outbox)).length).toBe(mails.length);
    } finally {
      await world.close();
    }
  });

  it('sends the digest with the latest batch before a holiday weekday, and once a week when later days run too', async () => {
    // 2025-11-13 (Thu, ET) a holiday: no announcement that evening, so Friday 14 has no batch; the digest goes out
    // with Thursday's batch (the latest of the week before Friday).
    const config = testConfig({ digest: { weeklyOn: 'friday' }, arxiv: { baseUrl: 'https://rss.example.org', extraHolidays: ['2025-11-13'] } });
    const world = await makeWorld({ start: new Date('2025-11-10T06:00:00Z'), config, db: store.db });
    try {
      await addReaders(world, [DAILY, WEEKLY[0]!], new Date('2025-11-09T12:00:00Z'));
      for (const date of WEEK) {
        const report = await run(world, date);
        expect(report.status).toBe(date === '2025-11-14' ? 'no-issue' : 'sent');
      }
      const mails = await readOutbox(world.outbox);
      expect(mails.filter((m) => m.to === WEEKLY[0]!.email).map((m) => m.batchDate)).toEqual(['2025-11-13']);
      expect(mails.filter((m) => m.to === DAILY.email).map((m) => m.batchDate)).toEqual(WEEK.slice(0, 4));

      // A weekly reader who joins after the digest went out gets the week's digest with the next batch of the
      // week (here none: Friday has no batch), and never a second one: the Wednesday-digest world below shows it.
    } finally {
      await world.close();
    }
  });

  it('a day with only weekly readers, none due, is a quiet day (no issue, exit 0), not a failure', async () => {
    const world = await makeWorld({ start: new Date('2025-11-10T06:00:00Z'), config: testConfig(), db: store.db });
    try {
      await addReaders(world, [WEEKLY[0]!], new Date('2025-11-09T12:00:00Z'));
      const monday = await run(world, '2025-11-10');
      expect([monday.status, monday.exitCode]).toEqual(['no-issue', 0]);
      expect(monday.message).toContain('1 weekly reader not in this issue');
      const friday = await run(world, '2025-11-14');
      expect([friday.status, friday.mails.sent]).toEqual(['sent', 1]);
      expect((await readOutbox(world.outbox)).map((m) => [m.batchDate, m.to])).toEqual([['2025-11-14', WEEKLY[0]!.email]]);
    } finally {
      await world.close();
    }
  });

  it('with weeklyOn: wednesday, a later batch of the week sends no second digest, only a first one to a newcomer', async () => {
    const config = testConfig({ digest: { weeklyOn: 'wednesday' } });
    const world = await makeWorld({ start: new Date('2025-11-10T06:00:00Z'), config, db: store.db });
    try {
      await addReaders(world, [DAILY, WEEKLY[1]!], new Date('2025-11-09T12:00:00Z'));
      for (const date of WEEK) {
        if (date === '2025-11-13') await addReaders(world, [WEEKLY[2]!], new Date(`${date}T05:00:00Z`));
        if (date === '2025-11-12') {
          // A dry run of the digest day shows the digest's segment and records nothing.
          const dry = await run(world, date, { dryRun: true });
          expect(dry.segments.map((s) => s.id)).toEqual(['en.llm', 'weekly.en.llm']);
          expect(await listDeliveries(world.db, date)).toEqual([]);
        }
        const report = await run(world, date);
        expect(report.status).toBe('sent');
      }
      const mails = await readOutbox(world.outbox);
      expect(mails.filter((m) => m.to === WEEKLY[1]!.email).map((m) => m.batchDate)).toEqual(['2025-11-12']);
      expect(mails.filter((m) => m.to === WEEKLY[2]!.email).map((m) => m.batchDate)).toEqual(['2025-11-13']);
      const ledger = await Promise.all(WEEK.map((d) => listDeliveries(world.db, d)));
      const digests = ledger.flat().filter((r) => r.segmentId.startsWith('weekly.'));
      expect(digests.map((r) => [r.batchDate, r.email])).toEqual([
        ['2025-11-12', WEEKLY[1]!.email],
        ['2025-11-13', WEEKLY[2]!.email],
      ]);
    } finally {
      await world.close();
    }
  });
});
