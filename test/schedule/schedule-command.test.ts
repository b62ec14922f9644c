import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleCommand } from '../../src/cli/commands/schedule.ts';
import type { CliIO } from '../../src/cli/context.ts';
import { runCli } from '../../src/cli/main.ts';
import type { RunReport } from '../../src/run-report.ts';

// The commands through the real CLI: `run --force` past the late cutoff, `runs`, `schedule --once` against a local
// arXiv, `schedule` stopping on SIGTERM (in-process and as a real process).

const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const SECRET = 'cli-secret-0123456789abcdef0123456789';

function captureIO(now: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIO = {
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    env: { PAPERBOY_SECRET: SECRET },
    now: () => new Date(now),
    isTTY: false,
  };
  return { io, stdout: () => stdout.join('\n'), stderr: () => stderr.join('\n') };
}

let dir: string;
let server: Server;
let baseUrl: string;
let requests = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'paperboy-schedule-cli-'));
  // A local rss.arxiv.org serving the real feed of Fri 2025-11-14 for any category list.
  server = createServer((req, res) => {
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(readFileSync(FEED));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

function workspace(name: string, config = '') {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `newsletter:\n  publicBaseUrl: "https://digest.example.org"\narxiv:\n  baseUrl: "${baseUrl}"\n  retries: 0\n${config}`,
  );
  return { args: ['--config', file, '--db', join(dir, `${name}.db`)], outbox: join(dir, `${name}-outbox`), config: file };
}

async function withReaders(name: string, config = '') {
  const ws = workspace(name, config);
  expect(await runCli([...ws.args, 'subscribers', 'import', 'subscribers/sample.csv'], captureIO('2025-11-14T00:00:00Z').io)).toBe(0);
  return ws;
}

describe('paperboy run --force and paperboy runs', () => {
  it('refuses the day\'s batch past the late cutoff (exit 1), sends it with --force, and keeps both in the history', async () => {
    const ws = await withReaders('late');
    // 18:00 UTC is 13 h after the feed of Fri 14 Nov went up (05:00 UTC); the cutoff is 12 h.
    const late = captureIO('2025-11-14T18:00:00Z');
    expect(await runCli([...ws.args, 'run', '--feed', FEED, '--outbox', ws.outbox], late.io)).toBe(1);
    expect(late.stdout()).toMatch(/LATE\nthe batch of 2025-11-14 went up 13 h ago, past schedule\.lateCutoffHours \(12 h\): not sent/);

    const forced = captureIO('2025-11-14T18:00:00Z');
    expect(await runCli([...ws.args, 'run', '--feed', FEED, '--outbox', ws.outbox, '--force'], forced.io)).toBe(0);
    expect(forced.stdout()).toMatch(/SENT\nsent 8 mails/);

    // An explicit date is a deliberate catch-up and needs no --force; a dry run records nothing.
    const dry = captureIO('2025-11-20T18:00:00Z');
    expect(await runCli([...ws.args, 'run', '--date', '2025-11-14', '--outbox', ws.outbox, '--dry-run'], dry.io)).toBe(0);

    const list = captureIO('2025-11-20T00:00:00Z');
    expect(await runCli([...ws.args, 'runs'], list.io)).toBe(0);
    const lines = list.stdout().split('\n');
    expect(lines[0]).toMatch(/^started \(UTC\)\s+trigger\s+batch\s+status \(exit\)\s+mails\s+took\s+message$/);
    // The runs, then the issue they worked on as a whole.
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('issue 2025-11-14: 8 readers, 8 sent, 0 failed, 0 bounced, 0 unknown, 0 skipped, 0 not sent yet');
    expect(lines[1]).toMatch(/run\s+2025-11-14\s+sent \(0\)\s+8 sent\s+.*sent 8 mails/);
    expect(lines[2]).toMatch(/run\s+2025-11-14\s+late \(1\)\s+0 sent\s+.*past schedule\.lateCutoffHours/);

    const json = captureIO('2025-11-20T00:00:00Z');
    expect(await runCli([...ws.args, 'runs', '--json', '--limit', '1'], json.io)).toBe(0);
    const [latest] = JSON.parse(json.stdout()) as Array<{ status: string; report: RunReport }>;
    expect(latest).toMatchObject({ status: 'sent', trigger: 'run', report: { status: 'sent', mails: { sent: 8 } } });
    expect(latest!.report.segments).toHaveLength(8);

    expect(await runCli([...ws.args, 'runs', '--limit', 'x'], captureIO('2025-11-20T00:00:00Z').io)).toBe(2);
  });
});

describe('paperboy schedule', () => {
  it('--once sends the due batch from arXiv and exits 0; run again it says the batch went out already', async () => {
    const ws = await withReaders('once');
    const first = captureIO('2025-11-14T05:31:00Z');
    expect(await runCli([...ws.args, 'schedule', '--once', '--outbox', ws.outbox], first.io)).toBe(0);
    expect(first.stdout()).toMatch(/batch 2025-11-14 · SENT\nsent 8 mails/);
    expect(first.stderr()).toMatch(/fetch 1 for 2025-11-14: the feed carries the batch of 2025-11-14 \(20 papers\)/);
    const before = requests;

    const again = captureIO('2025-11-14T06:31:00Z');
    expect(await runCli([...ws.args, 'schedule', '--once', '--outbox', ws.outbox, '--json'], again.io)).toBe(0);
    expect(JSON.parse(again.stdout())).toMatchObject({ status: 'no-issue', message: 'no issue today: the batch of 2025-11-14 has been sent already' });
    expect(requests).toBe(before);

    const saturday = captureIO('2025-11-15T05:30:00Z');
    expect(await runCli([...ws.args, 'schedule', '--once', '--outbox', ws.outbox], saturday.io)).toBe(0);
    expect(saturday.stderr()).toMatch(/no issue today: arXiv announced no batch for 2025-11-15/);
  });

  it('--once exits 1 when the feed stays stale until the deadline', async () => {
    const ws = await withReaders('stale', 'schedule:\n  pollDeadlineMinutes: 0\n');
    // Monday's tick: the server still serves Friday's batch.
    const c = captureIO('2025-11-17T05:31:00Z');
    expect(await runCli([...ws.args, 'schedule', '--once', '--outbox', ws.outbox], c.io)).toBe(1);
    expect(c.stdout()).toMatch(/FAILED\ngave up on the batch of 2025-11-17 after 1 fetches.*still carries the batch of 2025-11-14/);
  });

  it('rejects a cron pattern or a time zone it cannot run (exit 2)', async () => {
    const ws = workspace('bad', 'schedule:\n  cron: "61 13 * * *"\n  timezone: Mars/Olympus\n');
    const c = captureIO('2025-11-14T05:31:00Z');
    expect(await runCli([...ws.args, 'schedule', '--once'], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/schedule\.cron: expected a cron pattern/);
    expect(c.stderr()).toMatch(/schedule\.timezone: expected an IANA time zone/);
  });

  it('stops on SIGTERM while waiting for the next tick, and exits 0', async () => {
    const ws = await withReaders('term');
    const c = captureIO('2025-11-15T00:00:00Z');
    const signals = new EventEmitter();
    let slept = 0;
    const code = await scheduleCommand(
      { config: ws.config, db: ws.args[3], outbox: ws.outbox },
      c.io,
      {
        signals,
        sleep: async () => {
          slept += 1;
          signals.emit('SIGTERM');
        },
      },
    );
    expect(code).toBe(0);
    expect(slept).toBe(1);
    expect(c.stderr()).toMatch(/next tick at 2025-11-15T05:30:00.000Z/);
    expect(c.stderr()).toMatch(/SIGTERM received: finishing the batch in flight, taking no new work[\s\S]*paperboy schedule: stopped/);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('as a real process, exits 0 on SIGTERM', async () => {
    const ws = await withReaders('process');
    const child = spawn(process.execPath, ['bin/paperboy.js', ...ws.args, 'schedule', '--outbox', ws.outbox], {
      env: { ...process.env, PAPERBOY_SECRET: SECRET, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`no wait announced:\n${stderr}`)), 20_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // Waiting either for the next tick, or (when the wall clock falls in a due batch's window, as it does on
        // weekday mornings UTC) for that batch's feed: both waits end at SIGTERM.
        if (/next tick at|fetch \d+ for /.test(stderr)) {
          clearTimeout(timer);
          ready();
        }
      });
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM received[\s\S]*paperboy schedule: stopped/);
  });
});
