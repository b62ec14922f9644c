import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/capture-io.ts';

// What commands log on stderr: JSON lines when stderr is not a terminal, human lines on one; the level from
// --quiet, --verbose or LOG_LEVEL; the config's warnings only where they matter (commands that send or serve).

const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const SECRET = 'log-secret-0123456789abcdef0123456789abcdef';
const NOW = new Date('2025-11-15T12:00:00Z');

let args: string[];

const cli = async (argv: string[], env: NodeJS.ProcessEnv = {}, isTTY = false) => {
  const io = { ...captureIO({ PAPERBOY_SECRET: SECRET, ...env }, NOW), isTTY };
  const code = await runCli([...args, ...argv], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
};

const records = (lines: string[]) => lines.map((line) => JSON.parse(line) as { level: string; time: string; msg: string });
const levels = (lines: string[]) => [...new Set(records(lines).map((r) => r.level))].sort();

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-log-'));
  // An http public address: a config warning (mailbox providers want https for one-click unsubscribe).
  const config = join(dir, 'paperboy.config.yaml');
  writeFileSync(config, 'newsletter:\n  publicBaseUrl: "http://digest.test"\n');
  args = ['--config', config, '--db', join(dir, 'db.sqlite')];
  expect((await cli(['subscribers', 'import', 'subscribers/sample.csv'])).code).toBe(0);
});

describe('log output', () => {
  it('is one JSON object per line, with level, time and message, when stderr is not a terminal', async () => {
    const run = await cli(['run', '--date', '2025-11-14', '--feed', FEED, '--outbox', join(tmpdir(), 'paperboy-log-outbox')]);
    expect(run.code).toBe(0);
    expect(run.stderr.length).toBeGreaterThan(3);
    for (const record of records(run.stderr)) {
      expect(record).toEqual(expect.objectContaining({ level: expect.any(String), time: NOW.toISOString(), msg: expect.any(String) }));
    }
    const msgs = records(run.stderr).map((r) => r.msg);
    expect(msgs).toContainEqual(expect.stringMatching(/^collecting 1 feed/));
    expect(msgs).toContainEqual(expect.stringMatching(/^segment en\.evaluation\+llm: 1 readers/));
    expect(records(run.stderr).find((r) => r.msg === 'sending')).toMatchObject({ level: 'info', event: 'send-batch', transport: 'outbox', total: 8 });
    // The report is the command's result: on stdout, as text, not a log record.
    expect(run.stdout.join('\n')).toMatch(/^paperboy run · batch 2025-11-14 · SENT/);
  });

  it('is human lines on a terminal', async () => {
    const run = await cli(['run', '--date', '2025-11-14'], {}, true);
    expect(run.code).toBe(0);
    expect(run.stderr).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d WARN {2}newsletter\.publicBaseUrl is http:\/\/digest\.test/));
    expect(run.stderr).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d INFO {2}using the stored batch 2025-11-14 \(20 papers\)$/));
  });
});

describe('log levels', () => {
  it.each([
    ['info by default', [], {}, ['info', 'warn']],
    ['--quiet: warnings and errors only', ['--quiet'], {}, ['warn']],
    ['--verbose: debug too', ['--verbose'], {}, ['debug', 'info', 'warn']],
    ['LOG_LEVEL=warn', [], { LOG_LEVEL: 'warn' }, ['warn']],
    ['LOG_LEVEL=silent', [], { LOG_LEVEL: 'silent' }, []],
    ['--verbose wins over LOG_LEVEL=error', ['--verbose'], { LOG_LEVEL: 'error' }, ['debug', 'info', 'warn']],
    ['--quiet wins over LOG_LEVEL=debug', ['--quiet'], { LOG_LEVEL: 'debug' }, ['warn']],
  ])('%s', async (_name, flags, env, expected) => {
    const run = await cli([...flags, 'run', '--date', '2025-11-14'], env);
    expect(run.code).toBe(0);
    expect(levels(run.stderr)).toEqual(expected);
    // The result does not depend on the level.
    expect(run.stdout.join('\n')).toContain('batch 2025-11-14');
  });

  it('refuses an unknown LOG_LEVEL, and --quiet with --verbose (exit 2)', async () => {
    const bad = await cli(['runs'], { LOG_LEVEL: 'chatty' });
    expect(bad.code).toBe(2);
    expect(bad.stderr.join('\n')).toContain('LOG_LEVEL "chatty" is not a level');
    expect((await cli(['--quiet', '--verbose', 'runs'])).code).toBe(2);
  });
});

describe('config warnings', () => {
  it('are not shown by read-only commands', async () => {
    for (const argv of [['runs'], ['subscribers', 'list'], ['--verbose', 'runs']]) {
      const { code, stderr } = await cli(argv);
      expect(code).toBe(0);
      expect(stderr.join('\n')).not.toContain('publicBaseUrl');
    }
  });

  it('are shown by commands that send, as warnings', async () => {
    const run = await cli(['run', '--date', '2025-11-15']);
    expect(records(run.stderr)).toContainEqual(expect.objectContaining({ level: 'warn', msg: expect.stringContaining('newsletter.publicBaseUrl is http://digest.test') }));
  });
});
