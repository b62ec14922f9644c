import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/run-report.ts';
import { listDeliveries } from '../../src/store/deliveries.ts';
import { DIALECTS, notePostgresSkipped, type Dialect } from '../support/test-databases.ts';
import { DRILL_DATE, drillSeed, drillWorkspace, killRepeatedly, runChild } from './crash-drill.ts';
import { startFakeResend } from './fake-resend.ts';
import { startSmtpSink } from './smtp-sink.ts';

// Crash drills: `paperboy run` in a child process, SIGKILLed at random moments at least KILLS times, then run to
// the end. Resend settles a lost answer by its idempotency key, so every reader gets exactly one mail. SMTP cannot
// tell whether a mail whose answer was lost went out: every reader gets exactly one mail except readers whose row
// is `unknown` (0 or 1, and reported), and --resend-unknown gives those at most one more. The four drills run
// side by side: the child processes use both cores while the test process waits.

const READERS = 300;
const KILLS = 10;
const CASES = DIALECTS.flatMap((dialect) => [
  ['smtp', dialect],
  ['resend', dialect],
]) as Array<['smtp' | 'resend', Dialect]>;

async function smtpDrill(dialect: Dialect, seed: number, log: (line: string) => void) {
  // A slow server, so that kills also land between the server's acceptance and the client learning of it.
  const sink = await startSmtpSink({ delayMs: 4 });
  const workspace = await drillWorkspace(dialect, READERS, {
    transport: 'smtp',
    batchSize: 20,
    workers: 2,
    retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 100 },
    smtp: { maxConnections: 3 },
  });
  try {
    const env = { SMTP_URL: sink.url };
    const drill = await killRepeatedly({ workspace, env, seed, kills: KILLS, delivered: () => sink.received.length, log });
    log(`${drill.killed} kills at: ${drill.moments.join('; ')}`);
    expect(drill.killed).toBeGreaterThanOrEqual(KILLS);

    const final = await runChild(workspace, env, []);
    expect([0, 3], final.stderr).toContain(final.exitCode);
    const report = JSON.parse(final.stdout) as RunReport;
    const db = await workspace.open();
    try {
      const rows = await listDeliveries(db, DRILL_DATE);
      expect(rows).toHaveLength(READERS);
      const copies = new Map<string, number>();
      for (const mail of sink.received) copies.set(mail.to[0]!, (copies.get(mail.to[0]!) ?? 0) + 1);
      const unknown = rows.filter((r) => r.status === 'unknown');
      expect(rows.every((r) => r.status === 'sent' || r.status === 'unknown')).toBe(true);
      for (const row of rows) {
        const n = copies.get(row.email) ?? 0;
        if (row.status === 'sent') expect(n, row.email).toBe(1);
        else expect(n, row.email).toBeLessThanOrEqual(1);
      }
      expect(report.mails.unknown).toBe(unknown.length);
      expect(report.delivery.ledger?.unknown).toBe(unknown.length);
      log(`${unknown.length} unknown after the drill (${unknown.filter((r) => copies.get(r.email) === 1).length} of them had arrived)`);

      const forced = await runChild(workspace, env, ['--resend-unknown']);
      expect(forced.exitCode, forced.stderr).toBe(0);
      const after = new Map<string, number>();
      for (const mail of sink.received) after.set(mail.to[0]!, (after.get(mail.to[0]!) ?? 0) + 1);
      const unknownEmails = new Set(unknown.map((r) => r.email));
      let extra = 0;
      for (const row of rows) {
        const n = after.get(row.email) ?? 0;
        expect(n, row.email).toBeGreaterThanOrEqual(1);
        if (n > 1) {
          expect(unknownEmails.has(row.email), row.email).toBe(true);
          extra += n - 1;
        }
      }
      expect(extra).toBeLessThanOrEqual(unknown.length);
      expect((await listDeliveries(db, DRILL_DATE)).every((r) => r.status === 'sent')).toBe(true);
    } finally {
      await db.destroy();
    }
  } finally {
    await sink.close();
    await workspace.cleanup();
  }
}

async function resendDrill(dialect: Dialect, seed: number, log: (line: string) => void) {
  const fake = await startFakeResend({ apiKey: 're_drill' });
  // Answers come late (the mails are recorded first): a kill while waiting loses the answer, not the send.
  fake.delayMs = 40;
  const workspace = await drillWorkspace(dialect, READERS, {
    transport: 'resend',
    batchSize: 10,
    workers: 2,
    retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
    resend: { requestsPerSecond: 50 },
  });
  try {
    const env = { RESEND_API_KEY: 're_drill', RESEND_BASE_URL: fake.url };
    const drill = await killRepeatedly({ workspace, env, seed, kills: KILLS, delivered: () => fake.delivered.length, log });
    log(`${drill.killed} kills at: ${drill.moments.join('; ')}`);
    expect(drill.killed).toBeGreaterThanOrEqual(KILLS);

    const final = await runChild(workspace, env, []);
    expect(final.exitCode, final.stderr).toBe(0);
    const report = JSON.parse(final.stdout) as RunReport;
    expect(report.mails.unknown).toBe(0);
    const db = await workspace.open();
    try {
      const rows = await listDeliveries(db, DRILL_DATE);
      expect(rows).toHaveLength(READERS);
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
      const copies = new Map<string, number>();
      for (const d of fake.delivered) copies.set(d.to, (copies.get(d.to) ?? 0) + 1);
      expect(copies.size).toBe(READERS);
      expect([...copies.entries()].filter(([, n]) => n !== 1)).toEqual([]);
      // Each row's id is the one Resend gave the mail it delivered.
      const idOf = new Map(fake.delivered.map((d) => [d.to, d.id]));
      expect(rows.every((r) => r.messageId === idOf.get(r.email))).toBe(true);
      const byKey = new Map<string, number>();
      for (const r of fake.requests) if (r.key) byKey.set(r.key, (byKey.get(r.key) ?? 0) + 1);
      const replayed = [...byKey.values()].filter((n) => n > 1).length;
      log(`${fake.requests.length} requests, ${replayed} batches sent again under their key after a kill`);
      expect(replayed).toBeGreaterThan(0);
    } finally {
      await db.destroy();
    }
  } finally {
    await fake.close();
    await workspace.cleanup();
  }
}

describe.concurrent('crash drills', () => {
  it.each(CASES)(`%s on %s survives ${KILLS}+ SIGKILLs without a second copy`, async (transport, dialect) => {
    const seed = drillSeed() + (transport === 'smtp' ? 0 : 1) + (dialect === 'sqlite' ? 0 : 2);
    const log = (line: string) => console.log(`[${transport}/${dialect}] ${line}`);
    log(`seed ${seed} (replay with PAPERBOY_DRILL_SEED=${seed})`);
    await (transport === 'smtp' ? smtpDrill : resendDrill)(dialect, seed, log);
  }, 300_000);
});

notePostgresSkipped('deliver/crash-drills');
