import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';

// The installed command as a user meets it: the compiled bin/paperboy.js started from a temporary folder with no
// tsconfig, no package.json and no checkout around it, no PAPERBOY_SECRET and only default paths. This is where tsx
// used to break ("React is not defined") and where paths relative to the checkout would go wrong.

const BIN = resolve('bin/paperboy.js');
const FEED = resolve('test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml');
const READERS = resolve('subscribers/sample.csv');
const PACKAGE_VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['PAPERBOY_SECRET', 'PAPERBOY_CONFIG', 'DATABASE_URL', 'LLM_BASE_URL', 'LLM_MODEL', 'LLM_API_KEY']) delete env[name];
  return env;
}

function paperboy(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, env: userEnv(), encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the built paperboy, run from an unrelated folder', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'paperboy-elsewhere-'));

  it('prints its version', () => {
    const { code, stdout } = paperboy(cwd, '--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(PACKAGE_VERSION);
  });

  it('imports readers, runs an issue with rendered mails, and lists the run, with default paths only', async () => {
    copyFileSync(READERS, join(cwd, 'readers.csv'));
    const imported = paperboy(cwd, 'subscribers', 'import', 'readers.csv');
    expect(imported.stderr + imported.stdout).toContain('8 added');
    expect(imported.code).toBe(0);

    const run = paperboy(cwd, 'run', '--date', '2025-11-14', '--feed', FEED);
    expect(run.stderr).not.toMatch(/React is not defined|unexpected error/);
    expect(run.code, run.stderr).toBe(0);
    // No secret was given: one was made beside the default database, owner-only, and said so.
    const secretFile = join(cwd, 'subscribers', 'paperboy.secret');
    expect(run.stderr).toContain(`kept it in ${secretFile}`);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);

    const day = join(cwd, 'outbox', '2025-11-14');
    const mails = readdirSync(day).filter((f) => f.endsWith('.eml'));
    expect(mails).toHaveLength(8);
    const mail = await PostalMime.parse(readFileSync(join(day, mails[0]!), 'utf8'));
    expect(mail.html).toContain('arxiv.org/abs/');
    expect(mail.text).toBeTruthy();

    const runs = paperboy(cwd, 'runs');
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(/2025-11-14\s+sent \(0\)\s+8 sent/);
  });

  it('serves the sign-up page and takes a sign-up (the confirmation mail renders)', async () => {
    const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      cwd,
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    server.stderr.on('data', (chunk) => (stderr += String(chunk)));
    try {
      const origin = await new Promise<string>((done, fail) => {
        let stdout = '';
        server.stdout.on('data', (chunk) => {
          stdout += String(chunk);
          const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout + stderr);
          if (match?.[1]) done(match[1]);
        });
        server.once('exit', (code) => fail(new Error(`paperboy serve exited with ${code}:\n${stderr}`)));
      });
      expect((await fetch(`${origin}/healthz`)).status).toBe(200);
      const page = await fetch(`${origin}/`, { headers: { 'accept-language': 'zh-CN' } });
      const html = await page.text();
      expect(page.status).toBe(200);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
      expect(csrf).toBeTruthy();
      const form = new URLSearchParams({ _csrf: csrf!, email: 'new.reader@example.org', topics: 'llm', language: 'zh' });
      const signUp = await fetch(`${origin}/`, {
        method: 'POST',
        body: form,
        headers: { origin, 'sec-fetch-site': 'same-origin' },
      });
      expect(signUp.status, stderr).toBe(200);
      // The confirmation mail is a react-email component: it renders only if JSX was compiled with the program.
      const confirmations = join(cwd, 'outbox', 'web', 'confirm');
      const [file] = readdirSync(confirmations).filter((f) => f.endsWith('.eml'));
      const confirmation = await PostalMime.parse(readFileSync(join(confirmations, file!), 'utf8'));
      expect(confirmation.to?.[0]?.address).toBe('new.reader@example.org');
      expect(confirmation.html).toMatch(/\/confirm\/[A-Za-z0-9_.-]+/);
    } finally {
      const exited = new Promise((done) => server.once('exit', done));
      server.kill('SIGTERM');
      await exited;
    }
  });
});
