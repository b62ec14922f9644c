import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { CliIO } from '../../src/cli/context.ts';
import { runCli } from '../../src/cli/main.ts';
import { openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import { upsertSubscribers } from '../../src/store/subscribers.ts';
import type { Language } from '../../src/types.ts';
import { createPgDatabase, PG_URL, type Dialect } from '../support/test-databases.ts';
import { seededRandom } from '../support/seeded-random.ts';

// Crash drills: a real `paperboy run` in a child process, killed with SIGKILL at random moments (mostly while it
// sends, some while it starts or prepares), run again and again until it finishes. The seeds are printed, and
// PAPERBOY_DRILL_SEED=<n> replays a drill.

export const DRILL_DATE = '2025-11-14';
const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const SECRET = 'crash-drill-secret-0123456789abcdef0123456789';
const COMBOS: Array<[string[], Language]> = [
  [['llm'], 'en'],
  [['agents', 'llm'], 'bilingual'],
  [['vision'], 'zh'],
];

export function drillSeed(): number {
  const fixed = Number(process.env.PAPERBOY_DRILL_SEED);
  return Number.isSafeInteger(fixed) && fixed > 0 ? fixed : Date.now() % 1_000_000_000;
}

export interface DrillWorkspace {
  dir: string;
  config: string;
  databaseUrl: string;
  readers: number;
  open(): Promise<Kysely<Database>>;
  cleanup(): Promise<void>;
}

/** A fresh database with `readers` synthetic readers in three segments and the sample day stored. */
export async function drillWorkspace(
  dialect: Dialect,
  readers: number,
  delivery: Record<string, unknown>,
): Promise<DrillWorkspace> {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-drill-'));
  const config = join(dir, 'paperboy.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      newsletter: { from: 'Lab arXiv digest <digest@example.org>', publicBaseUrl: 'https://digest.example.org' },
      delivery: { outboxDir: join(dir, 'outbox'), ...delivery },
    }),
  );
  let databaseUrl = `sqlite://${join(dir, 'drill.db')}`;
  let drop = async () => {};
  if (dialect === 'postgres') {
    const created = await createPgDatabase('paperboy_drill');
    databaseUrl = created.url;
    drop = created.drop;
  }
  const db = await openDatabase({ url: databaseUrl });
  try {
    await upsertSubscribers(
      db,
      Array.from({ length: readers }, (_, i) => {
        const [topics, language] = COMBOS[i % COMBOS.length]!;
        return { email: `reader${String(i + 1).padStart(4, '0')}@example.org`, name: null, topics, language };
      }),
      new Date('2025-11-14T05:00:00Z'),
    );
  } finally {
    await db.destroy();
  }
  // A dry run stores the day, so the drilled runs read it from the database like a cron re-run would.
  const io: CliIO = {
    out: () => {},
    err: () => {},
    env: { PAPERBOY_SECRET: SECRET, DATABASE_URL: databaseUrl },
    now: () => new Date('2025-11-14T06:00:00Z'),
    isTTY: false,
  };
  const code = await runCli(['--config', config, 'run', '--date', DRILL_DATE, '--feed', FEED, '--dry-run'], io);
  if (code !== 0) throw new Error(`the dry run that stores the day exited ${code}`);
  return { dir, config, databaseUrl, readers, open: () => openDatabase({ url: databaseUrl }), cleanup: drop };
}

export interface ChildRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `node bin/paperboy.js run`, and kills it with SIGKILL once `killWhen` says so (polled every 5 ms).
 * Resolves when the process is gone.
 */
export function runChild(
  workspace: DrillWorkspace,
  env: NodeJS.ProcessEnv,
  args: string[],
  killWhen?: (startedMs: number) => boolean,
): Promise<ChildRun> {
  const child = spawn(
    process.execPath,
    ['bin/paperboy.js', '--config', workspace.config, 'run', '--date', DRILL_DATE, '--json', ...args],
    {
      env: { ...process.env, PAPERBOY_SECRET: SECRET, DATABASE_URL: workspace.databaseUrl, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const started = Date.now();
  const timer = killWhen
    ? setInterval(() => {
        if (child.exitCode === null && killWhen(Date.now() - started)) {
          child.kill('SIGKILL');
          clearInterval(timer);
        }
      }, 5)
    : undefined;
  return new Promise((resolve) => {
    child.on('exit', (exitCode, signal) => {
      if (timer) clearInterval(timer);
      // Wait for the pipes to drain before handing the output over.
      setImmediate(() => resolve({ exitCode, signal, stdout, stderr }));
    });
  });
}

/**
 * The kill schedule of one drill: at least `kills` SIGKILLs, each after a random number of mails (most) or a
 * random time after start (some), then one run to the end. `delivered` counts what the server has accepted.
 */
export async function killRepeatedly(options: {
  workspace: DrillWorkspace;
  env: NodeJS.ProcessEnv;
  seed: number;
  kills: number;
  delivered: () => number;
  log: (line: string) => void;
}): Promise<{ killed: number; finishedEarly: number; moments: string[] }> {
  const random = seededRandom(options.seed);
  const moments: string[] = [];
  let killed = 0;
  let finishedEarly = 0;
  for (let attempt = 0; killed < options.kills && attempt < options.kills * 3; attempt++) {
    const before = options.delivered();
    const left = Math.max(1, options.workspace.readers - before);
    const early = random() < 0.2;
    const afterMs = Math.floor(random() * 1500);
    const span = Math.max(1, Math.min(25, Math.floor(left / (options.kills - killed + 2))));
    const afterMails = 1 + Math.floor(random() * span);
    const extraMs = Math.floor(random() * 25);
    let reachedAt: number | null = null;
    const run = await runChild(options.workspace, options.env, [], (elapsed) => {
      if (early) return elapsed >= afterMs;
      if (reachedAt === null && options.delivered() - before >= afterMails) reachedAt = elapsed;
      return reachedAt !== null && elapsed >= reachedAt + extraMs;
    });
    if (run.signal === 'SIGKILL') {
      killed += 1;
      moments.push(early ? `${afterMs} ms after start` : `${options.delivered() - before} mails (+${extraMs} ms)`);
    } else {
      finishedEarly += 1;
      options.log(`  run ${attempt + 1} ended by itself (exit ${run.exitCode}) before its kill: ${run.stderr.split('\n').slice(-3).join(' | ')}`);
      if (run.exitCode === 0 || run.exitCode === 3) break;
    }
  }
  return { killed, finishedEarly, moments };
}

/**
 * A copy of a PostgreSQL drill workspace (readers and the stored day, nothing sent), made with `CREATE DATABASE …
 * TEMPLATE`, so each seed of a drill starts from the same state without preparing it again. The template must
 * have no open connection.
 */
export async function copyWorkspace(template: DrillWorkspace): Promise<DrillWorkspace> {
  if (!PG_URL) throw new Error('TEST_DATABASE_URL is not set');
  const from = new URL(template.databaseUrl).pathname.slice(1);
  const name = `${from}_${randomBytes(3).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database "${name}" template "${from}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    ...template,
    databaseUrl,
    open: () => openDatabase({ url: databaseUrl }),
    cleanup: () => admin(`drop database if exists "${name}" with (force)`),
  };
}
