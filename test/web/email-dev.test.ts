import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { findPreviewServer } from '../../scripts/find-preview-server.ts';

// `npm run email:dev` on loopback: react-email's preview server starts without asking anything (it prompts, and
// would hang, when react-email and @react-email/ui differ in version) and renders the transactional mails and the
// compiled newsletter. @react-email/ui is no dependency (~380 MB, see scripts/email-dev.ts), so where
// `npm run email:dev` has not installed it yet (CI, a fresh clone) this test is skipped rather than fetching it.
const { wanted, installed } = findPreviewServer();
const skipReason =
  installed === wanted
    ? undefined
    : `@react-email/ui@${wanted} is not installed (${installed ?? 'absent'}); \`npm run email:dev\` installs it`;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('email dev (react-email preview server)', () => {
  let child: ChildProcess | undefined;

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((done) => child!.once('exit', done));
      // The preview server starts workers of its own: end the whole process group this test started.
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  });

  it('serves a preview of each transactional mail and of the compiled newsletter', async ({ skip }) => {
    if (skipReason) skip(skipReason);
    const port = await freePort();
    // Through the npm script's own program, so its pass-through of options is tested too.
    child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'scripts/email-dev.ts', '--port', String(port)], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += String(chunk)));
    child.stderr?.on('data', (chunk) => (output += String(chunk)));
    await expect.poll(() => output, { timeout: 30_000, interval: 200 }).toMatch(/Ready in/);
    for (const [name, text] of [
      ['confirm-subscription', '请确认订阅'],
      ['welcome', '订阅已确认'],
      ['unsubscribed', '您已退订'],
    ] as const) {
      const res = await fetch(`http://localhost:${port}/preview/${name}`);
      expect(res.status, output).toBe(200);
      expect(await res.text()).toContain(text);
    }
    // The newsletter as MJML compiled it (its column classes), not an error page or MJML's raw React output.
    const res = await fetch(`http://localhost:${port}/preview/newsletter`);
    expect(res.status, output).toBe(200);
    expect(await res.text(), output).toContain('mj-column-per-100');
    expect(output).toMatch(/Successfully rendered newsletter\.tsx/);
  }, 120_000);
});
