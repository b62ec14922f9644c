import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeNewSecret, resolveSigningSecret } from '../../src/config/signing-secret.ts';

const ENV_SECRET = 'env-secret-0123456789abcdef0123456789';

function sqliteIn(dir: string) {
  return { dialect: 'sqlite' as const, file: join(dir, 'nested', 'paperboy.db') };
}

describe('resolveSigningSecret', () => {
  it('makes one secret beside a SQLite database, owner-only, and reads it back afterwards', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-secret-'));
    const first = resolveSigningSecret({}, sqliteIn(dir));
    const file = join(dir, 'nested', 'paperboy.secret');
    expect(first.source).toEqual({ kind: 'file', file, created: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.secret);
    expect(describeNewSecret(first.source)).toContain(file);

    const second = resolveSigningSecret({}, sqliteIn(dir));
    expect(second).toEqual({ secret: first.secret, source: { kind: 'file', file, created: false } });
    expect(describeNewSecret(second.source)).toBeUndefined();
  });

  it('lets PAPERBOY_SECRET win and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-secret-'));
    expect(resolveSigningSecret({ PAPERBOY_SECRET: ENV_SECRET }, sqliteIn(dir))).toEqual({ secret: ENV_SECRET, source: { kind: 'env' } });
    expect(() => statSync(join(dir, 'nested', 'paperboy.secret'))).toThrow();
  });

  it.each([
    ['PostgreSQL, where hosts must share one key', {}, { dialect: 'postgres' as const, url: 'postgres://x@127.0.0.1/db' }, /every host .* same key/],
    ['a PAPERBOY_SECRET too short', { PAPERBOY_SECRET: 'short' }, { dialect: 'sqlite' as const, file: '/tmp/x.db' }, /5 characters long/],
  ])('refuses %s', (_name, env, location, message) => {
    expect(() => resolveSigningSecret(env, location)).toThrow(message);
  });

  it.each([
    ['too short to be a secret', 'abc\n', 0o600, /3 characters long/],
    ['readable by other users', `${'b'.repeat(64)}\n`, 0o640, /chmod 600/],
  ])('refuses a kept secret %s', (_name, content, mode, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-secret-'));
    writeFileSync(join(dir, 'paperboy.secret'), content, { mode });
    expect(() => resolveSigningSecret({}, { dialect: 'sqlite', file: join(dir, 'paperboy.db') })).toThrow(message);
  });
});
