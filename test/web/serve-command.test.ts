import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/context.ts';
import { runCli } from '../../src/cli/main.ts';
import { serveCommand } from '../../src/cli/commands/serve.ts';
import { openDatabase } from '../../src/store/database.ts';
import { findSubscriber } from '../../src/store/subscribers.ts';
import { openSignup } from '../../src/store/web-subscribers.ts';

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
