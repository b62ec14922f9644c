#!/usr/bin/env node
// Runs the built CLI (`node bin/paperboy.js`) many times under the Node that runs this script and counts how each
// call ended. It guards against native-module crashes at exit, such as better-sqlite3 12 on Node >= 24.19 aborting
// with `Assertion failed: (env) != nullptr` (exit 134) when a statement is finalised during shutdown.
//
// Each command below is called 50 times (--calls N to change), one call after another, in a temporary folder with
// a temporary SQLite database seeded with the sample subscribers. Plain Node, no tsx: run it with any Node version.
//
//   node scripts/loop-cli.mjs [--calls N]
//
// Exits 1 if any call did not end cleanly (exit 0, no signal), or if the database could not be seeded.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'paperboy.js');

const callsArg = process.argv.indexOf('--calls');
const calls = callsArg > 0 ? Number(process.argv[callsArg + 1]) : 50;
if (!Number.isInteger(calls) || calls < 1) {
  console.error('usage: node scripts/loop-cli.mjs [--calls N]  (N a positive integer)');
  process.exit(2);
}

// Commands that open the database (runs, subscribers list), load the config (domains), or only start the program.
const commands = [['runs'], ['subscribers', 'list'], ['domains'], ['--version']];

const work = mkdtempSync(join(tmpdir(), 'paperboy-loop-'));
const db = join(work, 'paperboy.db');
const env = { ...process.env, PAPERBOY_SECRET: 'loop-cli-secret-0123456789abcdef0123456789', NO_COLOR: '1' };
for (const name of ['DATABASE_URL', 'PAPERBOY_CONFIG']) delete env[name];

function call(args) {
  return spawnSync(process.execPath, [bin, '--db', db, ...args], {
    cwd: work,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
}

function excerpt(text) {
  const lines = String(text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('warning:'));
  const interesting = lines.find((line) => /assert|error|abort|fatal|segmentation/i.test(line)) ?? lines[0] ?? '';
  return interesting.length > 160 ? `${interesting.slice(0, 157)}...` : interesting;
}

function driverLabel() {
  const name = Number(process.versions.node.split('.')[0]) >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3';
  const manifest = join(root, 'node_modules', name, 'package.json');
  const version = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : 'not installed';
  return `${name} ${version}`;
}

let exitCode = 0;
try {
  console.log(`loop-cli: Node ${process.version}, SQLite driver ${driverLabel()}, ${calls} calls per command`);
  const seed = call(['subscribers', 'import', join(root, 'subscribers', 'sample.csv')]);
  if (seed.status !== 0 || seed.signal) {
    console.log(`loop-cli: could not seed the database (exit ${seed.status}, signal ${seed.signal}): ${excerpt(seed.stderr)}`);
    exitCode = 1;
  } else {
    let total = 0;
    let clean = 0;
    for (const args of commands) {
      const label = args.join(' ');
      let ok = 0;
      let crashed = 0;
      let failed = 0;
      const notes = new Map(); // excerpt -> count
      for (let i = 0; i < calls; i++) {
        const r = call(args);
        if (r.status === 0 && !r.signal && !r.error) {
          ok++;
          continue;
        }
        // A crash: killed by a signal (including our timeout), or 128+signal such as 134 (SIGABRT) from a shell.
        const crash = r.signal != null || (r.status != null && r.status > 128);
        if (crash) crashed++;
        else failed++;
        const why = r.error
          ? r.error.message
          : `${r.signal ? `signal ${r.signal}` : `exit ${r.status}`}: ${excerpt(r.stderr) || '(no stderr)'}`;
        notes.set(why, (notes.get(why) ?? 0) + 1);
      }
      total += calls;
      clean += ok;
      console.log(
        `  ${label.padEnd(17)} calls ${calls}, clean ${ok}, crashes ${crashed}, other non-zero exits ${failed}`,
      );
      for (const [why, count] of notes) console.log(`      ${count}x ${why}`);
    }
    console.log(`loop-cli: Node ${process.version}: ${clean} of ${total} calls exited cleanly`);
    if (clean !== total) exitCode = 1;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
