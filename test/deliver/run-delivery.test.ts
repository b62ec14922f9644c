import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/context.ts';
import { runCli } from '../../src/cli/main.ts';
import type { RunReport } from '../../src/run-report.ts';
import { listDeliveries } from '../../src/store/deliveries.ts';
import { readLock } from '../../src/store/run-locks.ts';
import { describeStore } from '../support/test-databases.ts';
import { startFakeResend, type FakeResend } from './fake-resend.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';

// `paperboy run` end to end with each transport: the sample readers and the sample day, against a local SMTP
// server and a local Resend stand-in, on SQLite and PostgreSQL.

const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const SECRET = 'run-delivery-secret-0123456789abcdef0123456789';
const DATE = '2025-11-14';
const sample = readFileSync('subscribers/sample.csv', 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',')[0] as string);

function captureIO(env: NodeJS.ProcessEnv) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIO = {
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    env: { PAPERBOY_SECRET: SECRET, ...env },
    now: () => new Date('2025-11-14T06:00:00Z'),
    isTTY: false,
  };
  return { io, stdout: () => stdout.join('\n'), stderr: () => stderr.join('\n'), lines: stderr };
}

describeStore('deliver/run-delivery', (store) => {
  let dir: string;
  let config: string;
  let sink: SmtpSink;
  let fake: FakeResend;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paperboy-run-delivery-'));
    config = join(dir, 'paperboy.yaml');
    writeFileSync(
      config,
      [
        'newsletter:',
        '  from: "Lab arXiv digest <digest@example.org>"',
        '  publicBaseUrl: "https://digest.example.org"',
        'delivery:',
        `  outboxDir: ${JSON.stringify(join(dir, 'outbox'))}`,
        '  retry: { baseDelayMs: 10, maxDelayMs: 50 }',
        '  resend: { requestsPerSecond: 20 }',
        '',
      ].join('\n'),
    );
    sink = await startSmtpSink();
    fake = await startFakeResend({ apiKey: 're_cli' });
    const io = captureIO({ DATABASE_URL: store.url });
    expect(await runCli(['--config', config, 'subscribers', 'import', 'subscribers/sample.csv'], io.io)).toBe(0);
    expect(await runCli(['--config', config, 'translations', 'import', 'test/fixtures/zh-2025-11-14.json'], io.io)).toBe(0);
  });
  afterEach(async () => {
    await sink.close();
    await fake.close();
  });

  const env = (extra: NodeJS.ProcessEnv = {}) => ({ DATABASE_URL: store.url, SMTP_URL: sink.url, ...extra });
  const run = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const io = captureIO(env(extra));
    const code = await runCli(['--config', config, 'run', '--date', DATE, ...args], io.io);
    return { code, ...io };
  };

  describe('paperboy run with a real transport', () => {
    it('--transport smtp delivers the sample day to each sample reader once, and a re-run sends nothing', async () => {
      const first = await run(['--feed', FEED, '--transport', 'smtp']);
      expect(first.code).toBe(0);
      expect(first.stdout()).toMatch(/mails: 8 planned, 8 sent, 0 already sent, 0 failed, 0 bounced, 0 unknown, 0 skipped/);
      expect(first.stdout()).toMatch(/smtp: 8 sent, 0 failed, 0 bounced, 0 unknown, 0 skipped \(suppressed\) in [\d.]+ s, [\d.]+ mails\/s/);
      expect(first.stdout()).toContain('audience: 8 readers, frozen now');
      expect(first.stdout()).not.toMatch(/^outbox: \//m);
      expect(sink.received.map((m) => m.to[0]).sort()).toEqual([...sample].sort());
      const records = first.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      expect(records.at(-1)).toMatchObject({ event: 'send-batch', transport: 'smtp', done: 8, total: 8, sent: 8 });
      for (const message of sink.received) {
        const mail = await PostalMime.parse(message.raw);
        expect(mail.to?.[0]?.address).toBe(message.to[0]);
        expect(mail.html).toContain(message.to[0]);
        expect(mail.text?.length).toBeGreaterThan(500);
      }

      const again = await run(['--transport', 'smtp', '--json']);
      expect(again.code).toBe(0);
      const report = JSON.parse(again.stdout()) as RunReport;
      expect(report.mails).toMatchObject({ planned: 8, sent: 0, alreadySent: 8 });
      expect(report.segments.every((s) => s.reused === false)).toBe(true);
      expect(sink.received).toHaveLength(8);
    });

    it('--transport resend delivers through the API in one keyed, permissive batch', async () => {
      const result = await run(['--feed', FEED, '--transport', 'resend', '--json'], { RESEND_API_KEY: 're_cli', RESEND_BASE_URL: fake.url });
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout()) as RunReport;
      expect(report.transports).toEqual([expect.objectContaining({ name: 'resend', sent: 8, failed: 0, unknown: 0 })]);
      expect(report.delivery).toMatchObject({ transport: 'resend', audience: 8, preparedNow: true, ledger: expect.objectContaining({ sent: 8 }) });
      expect(fake.delivered.map((d) => d.to).sort()).toEqual([...sample].sort());
      expect(fake.requests.every((r) => r.validation === 'permissive' && r.key?.startsWith('paperboy/2025-11-14/batch/'))).toBe(true);
      const rows = await listDeliveries(store.db, DATE);
      expect(new Set(rows.map((r) => r.messageId))).toEqual(new Set(fake.delivered.map((d) => d.id)));
    });

    it('stops on a quota error with exit 1 when nothing went out, and names the quota', async () => {
      fake.fault = () => ({ status: 429, name: 'daily_quota_exceeded', message: 'You have reached your daily email sending quota.' });
      const result = await run(['--feed', FEED, '--transport', 'resend'], { RESEND_API_KEY: 're_cli', RESEND_BASE_URL: fake.url });
      expect(result.code).toBe(1);
      expect(result.stdout()).toMatch(/FAILED\nstopped: Resend's daily sending quota is used up/);
      fake.fault = () => null;
      const later = await run(['--transport', 'resend'], { RESEND_API_KEY: 're_cli', RESEND_BASE_URL: fake.url });
      expect(later.code).toBe(0);
      expect(fake.delivered).toHaveLength(8);
    });

    it('exits 2 before anything is prepared when the transport is unknown or its secret is missing', async () => {
      const bad = await run(['--feed', FEED, '--transport', 'pigeon']);
      expect(bad.code).toBe(2);
      expect(bad.stderr()).toMatch(/argument 'pigeon' is invalid/);
      const noKey = await run(['--feed', FEED, '--transport', 'resend']);
      expect(noKey.code).toBe(2);
      expect(noKey.stderr()).toContain('RESEND_API_KEY is not set');
      const noUrl = await run(['--feed', FEED, '--transport', 'smtp'], { SMTP_URL: '' });
      expect(noUrl.code).toBe(2);
      expect(noUrl.stderr()).toContain('SMTP_URL is not set');
      expect(await listDeliveries(store.db, DATE)).toEqual([]);
    });

    it('two runs at once: the second waits for the first, and every reader gets one mail', async () => {
      await run(['--feed', FEED, '--dry-run']);
      sink.faults = { delayMs: 60 };
      const [a, b] = await Promise.all([run(['--transport', 'smtp', '--wait', '30']), run(['--transport', 'smtp', '--wait', '30'])]);
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(sink.received.map((m) => m.to[0]).sort()).toEqual([...sample].sort());
      const sent = [a, b].map((r) => Number(/mails: 8 planned, (\d+) sent/.exec(r.stdout())?.[1]));
      if (store.dialect === 'sqlite') {
        expect(sent.sort()).toEqual([0, 8]);
        expect([a, b].some((r) => /waiting up to 30 s for the run of process/.test(r.stderr()))).toBe(true);
      } else {
        // PostgreSQL: the two runs share the issue; each reports what it sent itself.
        expect(sent[0]! + sent[1]!).toBe(8);
      }
    });

    it.runIf(store.dialect === 'sqlite')('a second run that may not wait exits 1 and says who holds the issue', async () => {
      await run(['--feed', FEED, '--dry-run']);
      sink.faults = { delayMs: 150 };
      const first = run(['--transport', 'smtp']);
      while (!(await readLock(store.db, 'issue:2025-11-14'))) await new Promise((r) => setTimeout(r, 20));
      const second = await run(['--transport', 'smtp']);
      expect(second.code).toBe(1);
      expect(second.stderr()).toMatch(/is already sending this issue \(lock issue:2025-11-14; .*Nothing was sent by this run/);
      expect((await first).code).toBe(0);
      expect(sink.received).toHaveLength(8);
    });

    it.runIf(store.dialect === 'postgres')('on PostgreSQL a second run joins the first, even without --wait: prepared once, one mail per reader', async () => {
      await run(['--feed', FEED, '--dry-run']);
      sink.faults = { delayMs: 150 };
      const first = run(['--transport', 'smtp', '--json']);
      while (!(await readLock(store.db, 'issue:2025-11-14'))) await new Promise((r) => setTimeout(r, 20));
      const second = await run(['--transport', 'smtp', '--json']);
      const done = await first;
      expect([done.code, second.code]).toEqual([0, 0]);
      expect(sink.received.map((m) => m.to[0]).sort()).toEqual([...sample].sort());
      const reports = [done, second].map((r) => JSON.parse(r.stdout()) as RunReport);
      // Each run reports what it sent itself; together, the whole issue, prepared by one of them only.
      expect(reports[0]!.mails.sent + reports[1]!.mails.sent).toBe(8);
      expect(reports.map((r) => r.delivery.preparedNow)).toEqual([true, false]);
      expect(reports.every((r) => r.delivery.ledger?.sent === 8)).toBe(true);
      // The lock was held only while preparing; no sender lease is left behind.
      expect(await store.db.selectFrom('run_locks').select('name').execute()).toEqual([]);
      // `paperboy runs` shows the issue as a whole below the runs.
      const history = captureIO(env());
      expect(await runCli(['--config', config, 'runs'], history.io)).toBe(0);
      expect(history.stdout()).toMatch(/^issue 2025-11-14: 8 readers, 8 sent.*, 0 unknown, 0 skipped, 0 not sent yet$/m);
    });
  });
});
