import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/context.ts';
import { runCli } from '../../src/cli/main.ts';
import { serveCommand } from '../../src/cli/commands/serve.ts';
import { openDatabase } from '../../src/store/database.ts';
import { findSubscriber } from '../../src/store/subscribers.ts';
import { openSignup } from '../../src/store/web-subscribers.ts';
import { ListenError } from '../../src/errors.ts';
import { listenError } from '../../src/web/start-server.ts';

const SECRET = 'serve-secret-0123456789abcdef0123456789';

function io(env: NodeJS.ProcessEnv = { PAPERBOY_SECRET: SECRET }) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), env, now: () => new Date(), isTTY: false };
  return { cli, out, err };
}

describe('paperboy serve', () => {
  it('clears expired sign-ups at start, answers on the port it prints, and stops cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-serve-'));
    const file = join(dir, 'serve.db');
    const db = await openDatabase({ file });
    const old = await openSignup(db, { email: 'old@example.org', name: null, topics: ['llm'], language: 'en' }, new Date(Date.now() - 73 * 3600_000), null);
    const fresh = await openSignup(db, { email: 'new@example.org', name: null, topics: ['llm'], language: 'en' }, new Date(), null);
    await db.destroy();

    const { cli, out, err } = io();
    let stop!: () => void;
    const stopped = new Promise<void>((done) => (stop = done));
    const running = serveCommand({ db: file, port: '0', host: '127.0.0.1', outbox: join(dir, 'outbox') }, cli, stopped);
    await expect.poll(() => out.join('\n'), { timeout: 10_000 }).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out.join('\n'))![1]!;
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    stop();
    expect(await running).toBe(0);
    expect(err.join('\n')).toContain('removed 1 unconfirmed sign-ups');
    expect(err.join('\n')).toContain('RESEND_WEBHOOK_SECRET is not set');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();

    const after = await openDatabase({ file });
    expect(await findSubscriber(after, { id: old.subscriberId })).toBeNull();
    expect((await findSubscriber(after, { id: fresh.subscriberId }))?.status).toBe('pending');
    await after.destroy();
  });

  it.each([
    ['serve', 'web.port'],
    ['preview', 'preview.port'],
  ])('%s on a port already in use says which one and what to do (exit 2, no "unexpected error")', async (command, key) => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const { port } = blocker.address() as AddressInfo;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'paperboy-serve-'));
      const { cli, err } = io();
      const argv = ['--db', join(dir, 'x.db'), command, '--host', '127.0.0.1', '--port', String(port)];
      expect(await runCli(argv, cli)).toBe(2);
      const message = err.join('\n');
      expect(message).toContain(`paperboy: cannot listen on 127.0.0.1:${port}: the port is already in use`);
      expect(message).toContain(`--port <port> or ${key} in the config`);
      expect(message).not.toContain('unexpected error');
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  });

  it.each([
    ['a port that is no number', ['serve', '--port', 'http'], { PAPERBOY_SECRET: SECRET }, /--port "http" is not a port/],
    ['a port out of range', ['serve', '--port', '70000'], { PAPERBOY_SECRET: SECRET }, /is not a port/],
    ['a PAPERBOY_SECRET too short', ['serve', '--port', '0'], { PAPERBOY_SECRET: 'short' }, /PAPERBOY_SECRET is 5 characters long/],
  ])('refuses %s with exit code 2', async (_name, argv, env, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-serve-'));
    const { cli, err } = io(env);
    expect(await runCli(['--db', join(dir, 'x.db'), ...argv], cli)).toBe(2);
    expect(err.join('\n')).toMatch(message);
  });
});

describe('listenError', () => {
  const errno = (code: string) => Object.assign(new Error(code), { code });
  it.each([
    ['EADDRINUSE', { host: '::1', port: 8787, configSection: 'web' }, 'cannot listen on [::1]:8787: the port is already in use (another paperboy, or another program). Stop that process, or pick another port with --port <port> or web.port in the config (--port 0 picks a free one)'],
    ['EACCES', { host: '0.0.0.0', port: 80, configSection: 'web' }, 'cannot listen on 0.0.0.0:80: permission denied (ports below 1024 need root); use a port from 1024 up behind a reverse proxy: pick another port with --port <port> or web.port in the config (--port 0 picks a free one)'],
    ['EADDRNOTAVAIL', { host: '192.0.2.1', port: 8788, configSection: 'preview' }, 'cannot listen on 192.0.2.1:8788: 192.0.2.1 is not an address of this machine; use --host 127.0.0.1 (this machine only) or 0.0.0.0 (every interface) or preview.host in the config'],
  ])('%s', (code, options, message) => {
    const error = listenError(errno(code), options);
    expect(error).toBeInstanceOf(ListenError);
    expect(error.message).toBe(message);
  });

  it('passes any other error through', () => {
    const other = errno('EMFILE');
    expect(listenError(other, { host: '127.0.0.1', port: 1 })).toBe(other);
  });
});
