import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/context.ts';
import { runCli } from '../../src/cli/main.ts';
import { verifyLinkToken } from '../../src/links/link-tokens.ts';
import { writeTruncatedAtomFeed } from '../support/truncated-feed.ts';

const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
// The full feed cut in the middle of an entry, written to a temporary file (test/support/truncated-feed.ts).
const TRUNCATED = writeTruncatedAtomFeed();

function captureIO(env: NodeJS.ProcessEnv = { PAPERBOY_SECRET: 'cli-secret-0123456789abcdef0123456789' }) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIO = {
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    env,
    now: () => new Date('2025-11-15T12:00:00Z'),
    isTTY: false,
  };
  return { io, stdout: () => stdout.join('\n'), stderr: () => stderr.join('\n') };
}

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-cli-'));
  const args = ['--config', 'paperboy.config.example.yaml', '--db', join(dir, 'db.sqlite')];
  return { dir, args, outbox: join(dir, 'outbox') };
}

async function withReaders() {
  const ws = workspace();
  const c = captureIO();
  expect(await runCli([...ws.args, 'subscribers', 'import', 'subscribers/sample.csv'], c.io)).toBe(0);
  return ws;
}

describe('paperboy CLI', () => {
  it('exits 2 on an unknown command or option', async () => {
    const c = captureIO();
    expect(await runCli(['frobnicate'], c.io)).toBe(2);
    expect(await runCli(['run', '--bogus'], c.io)).toBe(2);
    expect(c.stderr()).toContain("unknown option '--bogus'");
  });

  it('exits 2 with the key named when the config is wrong', async () => {
    const ws = workspace();
    const file = join(ws.dir, 'bad.yaml');
    writeFileSync(file, 'domains:\n  - id: llm\n    cap: lots\n');
    const c = captureIO();
    expect(await runCli(['--config', file, 'domains'], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/domains\[0\]\.cap/);
    expect(c.stderr()).toMatch(/domains\[0\]\.name/);
  });

  it('makes a signing secret on the first run without PAPERBOY_SECRET, says so once and keeps using it', async () => {
    const ws = await withReaders();
    const secretFile = join(ws.dir, 'paperboy.secret');
    const first = captureIO({});
    expect(await runCli([...ws.args, 'run', '--date', '2025-11-14', '--feed', FEED, '--outbox', ws.outbox], first.io)).toBe(0);
    expect(first.stderr()).toContain(`made a new signing secret and kept it in ${secretFile}`);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, 'utf8').trim();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    // The unsubscribe link of a mail just sent is signed with the kept secret.
    const mail = readFileSync(join(ws.outbox, '2025-11-14', readdirSync(join(ws.outbox, '2025-11-14')).find((f) => f.endsWith('.eml'))!), 'utf8');
    const token = /\/unsubscribe\/([A-Za-z0-9_.-]+)/.exec(mail)?.[1];
    expect(verifyLinkToken(token!, 'unsubscribe', secret, new Date('2025-11-15T12:00:00Z')).ok).toBe(true);

    const again = captureIO({});
    expect(await runCli([...ws.args, 'run', '--date', '2025-11-14', '--feed', FEED, '--outbox', ws.outbox], again.io)).toBe(0);
    expect(again.stderr()).not.toContain('signing secret');
    expect(readFileSync(secretFile, 'utf8').trim()).toBe(secret);
  });

  it('lets PAPERBOY_SECRET win over a kept secret, and refuses a kept secret others can read', async () => {
    const ws = await withReaders();
    const secretFile = join(ws.dir, 'paperboy.secret');
    expect(await runCli([...ws.args, 'run', '--date', '2025-11-14', '--feed', FEED, '--outbox', ws.outbox], captureIO().io)).toBe(0);
    expect(existsSync(secretFile)).toBe(false);

    writeFileSync(secretFile, `${'a'.repeat(64)}\n`, { mode: 0o644 });
    chmodSync(secretFile, 0o644);
    const c = captureIO({});
    expect(await runCli([...ws.args, 'run', '--date', '2025-11-14', '--feed', FEED, '--outbox', ws.outbox], c.io)).toBe(2);
    expect(c.stderr()).toContain(`chmod 600 ${secretFile}`);
  });

  it.each(['2025-11-31', '14/11/2025', 'yesterday'])('exits 2 on a bad --date %s', async (date) => {
    const c = captureIO();
    expect(await runCli(['run', '--date', date], c.io)).toBe(2);
    expect(c.stderr()).toContain('expected YYYY-MM-DD');
  });

  it.each([
    ['2025-11-15', 'a Saturday'],
    ['2025-11-28', 'the day after Thanksgiving'],
    ['2026-06-22', 'the Monday after the Juneteenth Friday'],
  ])('says "no issue" and exits 0 for %s (%s)', async (date) => {
    const ws = await withReaders();
    const c = captureIO();
    expect(await runCli([...ws.args, 'run', '--date', date, '--outbox', ws.outbox], c.io)).toBe(0);
    expect(c.stdout()).toContain('NO-ISSUE');
    expect(existsSync(ws.outbox)).toBe(false);
  });

  it('says "no issue today" when the calendar expects nothing now (Saturday in New York)', async () => {
    const ws = await withReaders();
    const c = captureIO();
    c.io.now = () => new Date('2025-11-15T17:00:00Z');
    expect(await runCli([...ws.args, 'run', '--outbox', ws.outbox], c.io)).toBe(0);
    expect(c.stdout()).toContain('no issue today');
  });

  it('never mails a stale feed as another day: exit 1, nothing written', async () => {
    const ws = await withReaders();
    const c = captureIO();
    expect(await runCli([...ws.args, 'run', '--date', '2025-11-13', '--feed', FEED, '--outbox', ws.outbox], c.io)).toBe(1);
    expect(c.stdout()).toContain('carries the batch of 2025-11-14, not 2025-11-13');
    expect(existsSync(join(ws.outbox, '2025-11-13'))).toBe(false);
  });

  it('fails a broken feed alone and sends the rest: exit 3 with the feed named', async () => {
    const ws = await withReaders();
    const c = captureIO();
    const code = await runCli(
      [...ws.args, 'run', '--date', '2025-11-14', '--feed', FEED, '--feed', TRUNCATED, '--outbox', ws.outbox],
      c.io,
    );
    expect(code).toBe(3);
    expect(c.stdout()).toContain(`${TRUNCATED}: FAILED`);
    expect(c.stdout()).toMatch(/8 sent/);
    expect(readdirSync(join(ws.outbox, '2025-11-14')).filter((f) => f.endsWith('.eml'))).toHaveLength(8);
  });

  it('exits 1 when the only feed is broken', async () => {
    const ws = await withReaders();
    const c = captureIO();
    expect(await runCli([...ws.args, 'run', '--date', '2025-08-20', '--feed', TRUNCATED, '--outbox', ws.outbox], c.io)).toBe(1);
    expect(c.stdout()).toMatch(/malformed or truncated/);
  });

  it('--dry-run renders previews and sends and records nothing', async () => {
    const ws = await withReaders();
    const c = captureIO();
    expect(await runCli([...ws.args, 'run', '--date', '2025-11-14', '--feed', FEED, '--outbox', ws.outbox, '--dry-run'], c.io)).toBe(0);
    expect(c.stdout()).toContain('nothing sent');
    const day = join(ws.outbox, '2025-11-14');
    expect(readdirSync(day)).toEqual(['segments']);
    // The real run afterwards still sends to everyone: the dry run recorded nothing.
    const again = captureIO();
    expect(await runCli([...ws.args, 'run', '--date', '2025-11-14', '--outbox', ws.outbox, '--json'], again.io)).toBe(0);
    expect(JSON.parse(again.stdout()).mails).toMatchObject({ sent: 8, alreadySent: 0 });
  });

  it('domains --json prints ids with both names', async () => {
    const c = captureIO();
    expect(await runCli(['domains', '--json'], c.io)).toBe(0);
    const domains = JSON.parse(c.stdout()) as Array<{ id: string; name: { en: string; zh: string } }>;
    expect(domains[0]).toMatchObject({ id: 'llm', name: { en: 'Large language models', zh: '大语言模型' } });
    expect(domains.map((d) => d.id)).toContain('robotics');
  });

  it('subscribers import reports bad rows by line, imports the rest, and re-import changes nothing', async () => {
    const ws = workspace();
    const csv = join(ws.dir, 'readers.csv');
    writeFileSync(
      csv,
      [
        'email,name,topics,language',
        'good@example.org,Good,llm,en',
        'not-an-email,Bad,llm,en',
        'topic@example.org,T,llm;quantum-gravity,en',
        'lang@example.org,L,llm,klingon',
        'good@example.org,Dup,agents,zh',
        'second@example.org,"Second, Reader",agents;vision,zh',
      ].join('\n'),
    );
    const first = captureIO();
    expect(await runCli([...ws.args, 'subscribers', 'import', csv], first.io)).toBe(3);
    expect(first.stdout()).toContain('2 added, 0 updated, 0 unchanged');
    expect(first.stderr()).toMatch(new RegExp(`${csv}:3: .*email`));
    expect(first.stderr()).toMatch(new RegExp(`${csv}:4: .*quantum-gravity`));
    expect(first.stderr()).toMatch(new RegExp(`${csv}:5: .*klingon`));
    expect(first.stderr()).toMatch(new RegExp(`${csv}:6: .*line 2`));
    const second = captureIO();
    await runCli([...ws.args, 'subscribers', 'import', csv], second.io);
    expect(second.stdout()).toContain('0 added, 0 updated, 2 unchanged');
    const list = captureIO();
    expect(await runCli([...ws.args, 'subscribers', 'list', '--json'], list.io)).toBe(0);
    expect(JSON.parse(list.stdout())).toHaveLength(2);
  });

  it('subscribers import names a missing file', async () => {
    const c = captureIO();
    expect(await runCli(['subscribers', 'import', '/nonexistent/readers.csv'], c.io)).toBe(2);
    expect(c.stderr()).toContain('cannot read /nonexistent/readers.csv: ENOENT');
  });
});
