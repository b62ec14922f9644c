// npm run bench:deliver — delivery at scale: 20,000 synthetic readers (--readers 100000 for the full list; 12 topic
// combinations × 3 languages = 36 segments) get the sample day through `paperboy run --transport smtp` against an
// SMTP sink in another process, on SQLite and (when BENCH_DATABASE_URL or TEST_DATABASE_URL names a PostgreSQL
// server) on PostgreSQL. Prints the time to prepare the issue (freeze the audience), mails/s, the run's peak RSS,
// and how much cheaper rendering once per segment is than compiling MJML once per reader, at 10,000 readers. After
// each single-process run, Postfix's `smtp-source` (found in /usr/sbin, or installed from Debian's `postfix`
// package; the service is never started) sends the same number of mails of the same size over the same number of
// connections to the same sink, before and after the run, and the ratio to the mean of the two rates is printed.
//
// --workers N (N ≥ 2, PostgreSQL only): the same issue is then sent again by N `paperboy run` processes started
// together on one PostgreSQL database, each with its own working directory and config file (nothing local shared,
// as on N hosts), the same DATABASE_URL and PAPERBOY_SECRET, and the rates of 1 and of N processes are printed side
// by side with their ratio. Both rates are the sink's: mails received between its first and its last mail, so
// they measure the same thing whoever sent. What each worker sent, how it ended, and the CPU (user + system) of
// each worker, of the sink, of the PostgreSQL server and of the whole machine are printed, with the rate the
// machine's cores could carry at the measured CPU per mail: when that is below the target, the cores are what
// limits scaling, not the program.
//
// Targets: ≥ 1,000 mails/s, ≥ 0.5× smtp-source, peak RSS < 300 MB at 100,000 readers, ≥ 100× cheaper rendering,
// N workers ≥ 0.8·N × one (1.6× for 2). Numbers, not a test: a miss sets exit code 1. The run is the compiled
// program (`npm run build` first, then dist/ as `paperboy` runs it; --no-build uses dist/ as it is, --source runs
// src/ through tsx instead). --no-compile skips the rendering comparison, --no-install never installs postfix.
//
// Options: --readers N (20000), --workers N (processes, 1), --compare N (10000), --sample N (per-reader compiles
// actually timed, 200; the rest is extrapolated, --full-compare compiles all N), --connections N (16 per process),
// --claims N (claims in flight per process, `delivery.workers`, 6), --db sqlite,postgres.
// Diagnostics: BENCH_NODE_ARGS="--max-old-space-size=192" runs `paperboy run` with those node flags, BENCH_HEAP=1
// prints its memory every 5 s (BENCH_HEAP=<ms>: that often), BENCH_PROFILE=<dir> writes a CPU profile of it.

import { fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { cpuBetween, startCpuSampler } from './proc-cpu.ts';
import pg from 'pg';
import { collectFeeds } from '../src/arxiv/collect.ts';
import { validateConfig } from '../src/config/load-config.ts';
import { buildMimeTemplate } from '../src/deliver/mime-template.ts';
import { renderSettingsOf } from '../src/run-wiring.ts';
import { renderIssue } from '../src/render/render-issue.ts';
import type { RunReport } from '../src/run-report.ts';
import { buildSegmentIssue, segmentIdOf } from '../src/select/build-segment-issue.ts';
import { selectPapers } from '../src/select/select-papers.ts';
import { saveBatch } from '../src/store/batches.ts';
import { chunkRows } from '../src/store/chunk-rows.ts';
import { openDatabase } from '../src/store/database.ts';
import { findTranslations } from '../src/store/translations.ts';
import { importTranslations } from '../src/translate/import-translations.ts';
import type { ChineseText, Language, SegmentKey } from '../src/types.ts';
import { readerLinks } from '../src/links/link-tokens.ts';

const root = resolve(fileURLToPath(import.meta.url), '../..');
process.chdir(root);

const DATE = '2025-11-14';
const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const TRANSLATIONS = 'test/fixtures/zh-2025-11-14.json';
const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
const NOW = new Date('2025-11-14T06:00:00Z');
const COMBOS: string[][] = [
  ['llm'],
  ['agents'],
  ['vision'],
  ['robotics'],
  ['reasoning'],
  ['multimodal'],
  ['llm', 'agents'],
  ['llm', 'reasoning'],
  ['evaluation', 'llm'],
  ['multimodal', 'vision'],
  ['agents', 'robotics'],
  ['llm', 'agents', 'reasoning', 'evaluation'],
];
const LANGUAGES: Language[] = ['bilingual', 'zh', 'en'];

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const readers = Number(flag('readers', '20000'));
const compareAt = Number(flag('compare', '10000'));
const fullCompare = process.argv.includes('--full-compare');
const sample = fullCompare ? compareAt : Math.min(compareAt, Number(flag('sample', '200')));
const connections = Number(flag('connections', '16'));
/** Claims in flight within one process (`delivery.workers`). */
const claims = Number(flag('claims', '6'));
/** `paperboy run` processes sharing one PostgreSQL issue in the scaling comparison; 1: no comparison. */
const workers = Math.max(1, Math.floor(Number(flag('workers', '1'))));
/** The peak RSS target is set for the full list. */
const RSS_TARGET_READERS = 100_000;
const databases = flag('db', 'sqlite,postgres')
  .split(',')
  .filter((kind) => kind === 'sqlite' || kind === 'postgres');
const pgAdmin = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
const fromSource = process.argv.includes('--source');
const CHILD = fileURLToPath(new URL('./bench-deliver-child.mjs', import.meta.url));

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const keyOf = (i: number): SegmentKey => ({ topics: COMBOS[i % COMBOS.length]!, language: LANGUAGES[Math.floor(i / COMBOS.length) % 3]! });

// ——— sink mode: an SMTP server that counts and discards ———
// It keeps, since the last reset, the mails and bytes it received, when the first and the last mail arrived (the
// window the rates are measured over, whoever sent), and its own CPU (user and system).
if (process.argv[2] === '--sink') {
  const { SMTPServer } = await import('smtp-server');
  let messages = 0;
  let bytes = 0;
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  let cpuAtReset = process.cpuUsage();
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 20 * 1024 * 1024,
    onData(stream, _session, callback) {
      stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
      stream.on('end', () => {
        messages += 1;
        lastAt = Date.now();
        firstAt ??= lastAt;
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.server.address() as AddressInfo).port }));
  process.on('message', (command: string) => {
    if (command === 'reset') {
      messages = 0;
      bytes = 0;
      firstAt = null;
      lastAt = null;
      cpuAtReset = process.cpuUsage();
    }
    const cpu = process.cpuUsage(cpuAtReset);
    process.send?.({ messages, bytes, firstAt, lastAt, userCpuMs: cpu.user / 1000, systemCpuMs: cpu.system / 1000 });
  });
  await new Promise(() => {});
}

interface SinkCount {
  messages: number;
  bytes: number;
  /** Epoch ms of the first and the last mail since the reset; null before any. */
  firstAt: number | null;
  lastAt: number | null;
  userCpuMs: number;
  systemCpuMs: number;
}

interface SinkHandle {
  url: string;
  pid: number;
  /** Zeroes the counts (and the CPU baseline), and answers them. */
  reset(): Promise<SinkCount>;
  count(): Promise<SinkCount>;
  stop(): void;
}

async function startSink(): Promise<SinkHandle> {
  const child = fork(fileURLToPath(import.meta.url), ['--sink'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const port = await new Promise<number>((resolvePort) => child.once('message', (m: { port: number }) => resolvePort(m.port)));
  const ask = (command: string) => new Promise<SinkCount>((r) => (child.once('message', (m: SinkCount) => r(m)), child.send(command)));
  return {
    url: `smtp://127.0.0.1:${port}`,
    pid: child.pid!,
    reset: () => ask('reset'),
    count: () => ask('count'),
    stop: () => child.kill(),
  };
}

interface PgDatabase {
  name: string;
  url: string;
  drop: () => Promise<void>;
}

async function pgAdminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgAdmin });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new database; from `template` (a seeded one: PostgreSQL copies it file by file, far faster than seeding). */
async function createPgDatabase(template?: string): Promise<PgDatabase> {
  const name = `paperboy_bench_${randomBytes(4).toString('hex')}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await pgAdminQuery(`create database "${name}"${template ? ` template "${template}"` : ''}`);
      break;
    } catch (error) {
      // A template still has a connection for a moment after the seeding closed its own.
      if (!template || attempt >= 10 || !/being accessed by other users/.test(String(error))) throw error;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  const url = new URL(pgAdmin!);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => pgAdminQuery(`drop database if exists "${name}" with (force)`) };
}

/** Readers go in with plain multi-row inserts: an import of 100,000 one at a time is not what is measured here. */
async function seedDatabase(url: string): Promise<number> {
  const started = performance.now();
  const db = await openDatabase({ url });
  try {
    const at = NOW.toISOString();
    const ids = Array.from({ length: readers }, (_, i) => i + 1);
    for (const chunk of chunkRows(ids, 500)) {
      await db
        .insertInto('subscribers')
        .values(
          chunk.map((id) => ({
            id,
            email: `reader${id}@bench.example.org`,
            name: null,
            language: keyOf(id).language,
            status: 'active' as const,
            source: 'bench',
            created_at: at,
            updated_at: at,
            status_changed_at: at,
          })),
        )
        .execute();
      await db
        .insertInto('subscriber_topics')
        .values(chunk.flatMap((id) => keyOf(id).topics.map((domain_id) => ({ subscriber_id: id, domain_id }))))
        .execute();
    }
    const collected = await collectFeeds([FEED], async (source) => readFileSync(source, 'utf8'));
    await saveBatch(db, DATE, collected.feeds.flatMap((f) => f.papers), [FEED], NOW);
    await importTranslations(db, TRANSLATIONS, JSON.parse(readFileSync(TRANSLATIONS, 'utf8')), NOW);
  } finally {
    await db.destroy();
  }
  return performance.now() - started;
}

interface ChildResult {
  pid: number;
  exitCode: number;
  wallMs: number;
  maxRssBytes: number;
  cpuMs: number;
  userCpuMs: number;
  systemCpuMs: number;
  report: RunReport;
}

/** Starts one `paperboy run` in `cwd`; `started` is called with its pid, so its CPU can be watched while it runs. */
async function runChild(args: string[], env: NodeJS.ProcessEnv, cwd: string, started: (pid: number) => void): Promise<ChildResult> {
  // The compiled program (dist/, what `paperboy` runs) by default; --source runs src/ through tsx, whose loader
  // thread and transform caches add some 40 MB of RSS that the installed program does not have.
  const program = fromSource ? ['--import', import.meta.resolve('tsx'), CHILD, 'src'] : [CHILD, 'dist'];
  const nodeArgs = [...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROFILE] : []), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [...nodeArgs, ...program, JSON.stringify(args)], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started(child.pid!);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((r) => child.on('exit', r));
  const last = out.trim().split('\n').at(-1);
  if (!last) throw new Error(`a paperboy run (pid ${child.pid}) printed nothing: see its stderr above`);
  return { pid: child.pid!, ...(JSON.parse(last) as Omit<ChildResult, 'pid'>) };
}

/** Postfix's smtp-source on PATH or in /usr/sbin; installed with apt-get (Debian's `postfix` package) when missing. */
function findSmtpSource(): string | null {
  const candidates = ['/usr/sbin/smtp-source', '/usr/bin/smtp-source'];
  const found = () => candidates.find((path) => existsSync(path)) ?? null;
  if (found() || process.argv.includes('--no-install')) return found();
  console.log('smtp-source not found: installing Debian\'s postfix package (the service is not started)…');
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'postfix'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: 'ignore',
  });
  // The package's maintainer scripts may start the daemon; the benchmark wants only the two tools.
  spawnSync('service', ['postfix', 'stop'], { stdio: 'ignore' });
  if (install.status !== 0) console.log('  apt-get install postfix failed: run it as root, or put smtp-source on PATH');
  return found();
}

/**
 * Postfix smtp-source (C, no pipelining) against the same sink: `mails` messages of `bodyBytes` over `sessions`
 * connections kept open (-d). Returns mails/s and its CPU seconds, or null when it is not available.
 */
async function runSmtpSource(sink: SinkHandle, mails: number, bodyBytes: number, sessions: number) {
  const binary = findSmtpSource();
  if (!binary) return null;
  const port = new URL(sink.url).port;
  await sink.reset();
  const started = performance.now();
  const child = spawn(binary, ['-d', '-s', String(sessions), '-m', String(mails), '-l', String(bodyBytes), '-f', 'digest@example.org', '-t', 'reader@bench.example.org', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (c: Buffer) => (errors += c.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const ms = performance.now() - started;
  const after = await sink.count();
  if (code !== 0) throw new Error(`smtp-source exited ${code}: ${errors.slice(-500)}`);
  return { mailsPerSecond: mails / (ms / 1000), ms, sinkMessages: after.messages, sinkCpu: (after.userCpuMs + after.systemCpuMs) / ms };
}

interface WorkerFigures {
  /** 1-based, in start order. */
  worker: number;
  exitCode: number;
  status: string;
  message: string;
  /** Mails this process's report says it sent. */
  sent: number;
  /** This process's own send phase, as its report gives it. */
  sendMs: number;
  mailsPerSecond: number;
  /** Of sendMs, rendering segments. */
  renderMs: number;
  /** Whether this process froze the audience, and how long that took. */
  preparedNow: boolean;
  prepareMs: number;
  wallMs: number;
  userCpuMs: number;
  systemCpuMs: number;
  /** CPU seconds within the sink's window (first to last mail), from /proc; null without /proc. */
  windowCpuSeconds: number | null;
  peakRss: number;
}

interface DeliveryFigures {
  db: string;
  processes: number;
  workers: WorkerFigures[];
  /** What the sink received, and its rate between its first and its last mail: the same measure for 1 and N. */
  sinkMessages: number;
  sinkBytes: number;
  sinkWindowMs: number;
  sinkMailsPerSecond: number;
  sinkUserCpuMs: number;
  sinkSystemCpuMs: number;
  /** CPU within the sink's window (± one sample, 200 ms), from /proc; null parts where it cannot be read. */
  window: {
    spanMs: number;
    cores: number | null;
    machineBusySeconds: number | null;
    postgresSeconds: number | null;
    sinkSeconds: number | null;
    workersSeconds: number | null;
  };
  /** Ledger rows by status after the run, and rows that needed more than one try. */
  ledger: Record<string, number>;
  retried: number;
  wallMs: number;
}

/** Sends the issue in `source` (a seeded database) with `processes` `paperboy run` processes started together. */
async function sendWithWorkers(kind: string, databaseUrl: string, processes: number, sink: SinkHandle): Promise<DeliveryFigures> {
  // Each worker has a directory and a config file of its own, as on a host of its own: only the database and
  // the secret are shared. --wait: today a second run waits for the issue lock rather than giving up at once.
  const dirs = Array.from({ length: processes }, () => mkdtempSync(join(tmpdir(), 'paperboy-bench-worker-')));
  const pids: number[] = [process.pid];
  try {
    const configs = dirs.map((dir) => {
      const config = join(dir, 'paperboy.yaml');
      writeFileSync(
        config,
        JSON.stringify({
          newsletter: { from: 'Lab arXiv digest <digest@example.org>', publicBaseUrl: 'https://digest.example.org' },
          delivery: { transport: 'smtp', outboxDir: join(dir, 'outbox'), workers: claims, smtp: { maxConnections: connections } },
        }),
      );
      return config;
    });
    await sink.reset();
    pids.push(sink.pid);
    const sampler = startCpuSampler(() => pids);
    const started = performance.now();
    const results = await Promise.all(
      configs.map((config, i) =>
        runChild(['--config', config, 'run', '--date', DATE, '--json', '--wait', '3600'], { DATABASE_URL: databaseUrl, SMTP_URL: sink.url, PAPERBOY_SECRET: SECRET }, dirs[i]!, (pid) => pids.push(pid)),
      ),
    );
    const wallMs = performance.now() - started;
    sampler.stop();
    const sinkCount = await sink.count();
    const windowMs = sinkCount.firstAt !== null && sinkCount.lastAt !== null ? sinkCount.lastAt - sinkCount.firstAt : 0;
    const cpu = sinkCount.firstAt !== null && sinkCount.lastAt !== null ? cpuBetween(sampler.samples, sinkCount.firstAt, sinkCount.lastAt) : null;
    const hasProc = cpu !== null && cpu.machineBusySeconds !== null;

    const check = await openDatabase({ url: databaseUrl });
    const ledger: Record<string, number> = {};
    let retried = 0;
    try {
      for (const row of await check.selectFrom('deliveries').select((eb) => ['status', eb.fn.countAll().as('n')]).groupBy('status').execute()) {
        ledger[String(row.status)] = Number(row.n);
      }
      retried = Number((await check.selectFrom('deliveries').select((eb) => eb.fn.countAll().as('n')).where('attempts', '>', 1).executeTakeFirst())?.n ?? 0);
    } finally {
      await check.destroy();
    }
    const workers = results.map((result, i): WorkerFigures => {
      const transport = result.report.transports[0];
      return {
        worker: i + 1,
        exitCode: result.exitCode,
        status: result.report.status,
        message: result.report.message,
        sent: transport?.sent ?? 0,
        sendMs: transport?.durationMs ?? 0,
        mailsPerSecond: transport?.mailsPerSecond ?? 0,
        renderMs: result.report.segments.reduce((n, s) => n + s.renderMs, 0),
        preparedNow: result.report.delivery.preparedNow,
        prepareMs: result.report.delivery.prepareMs,
        wallMs: result.wallMs,
        userCpuMs: result.userCpuMs,
        systemCpuMs: result.systemCpuMs,
        windowCpuSeconds: hasProc ? (cpu.processes.get(result.pid) ?? 0) : null,
        peakRss: result.maxRssBytes,
      };
    });
    return {
      db: kind,
      processes,
      workers,
      sinkMessages: sinkCount.messages,
      sinkBytes: sinkCount.bytes,
      sinkWindowMs: windowMs,
      // n mails arrive over n−1 gaps; with one mail there is no window to speak of.
      sinkMailsPerSecond: windowMs > 0 ? (sinkCount.messages - 1) / (windowMs / 1000) : 0,
      sinkUserCpuMs: sinkCount.userCpuMs,
      sinkSystemCpuMs: sinkCount.systemCpuMs,
      window: {
        spanMs: cpu?.spanMs ?? 0,
        cores: cpu?.cores ?? null,
        machineBusySeconds: cpu?.machineBusySeconds ?? null,
        postgresSeconds: cpu?.postgresSeconds ?? null,
        sinkSeconds: hasProc ? (cpu.processes.get(sink.pid) ?? 0) : null,
        workersSeconds: hasProc ? workers.reduce((n, w) => n + (w.windowCpuSeconds ?? 0), 0) : null,
      },
      ledger,
      retried,
      wallMs,
    };
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rate = (n: number) => `${Math.round(n).toLocaleString('en-US')} mails/s`;

function printWorkers(f: DeliveryFigures): void {
  for (const w of f.workers) {
    console.log(
      `    worker ${w.worker}: sent ${w.sent.toLocaleString('en-US')}` +
        (w.sent ? ` in ${seconds(w.sendMs)} (${rate(w.mailsPerSecond)} by its report)` : '') +
        `, exit ${w.exitCode} (${w.status}: ${w.message.slice(0, 140)})`,
    );
    console.log(
      `      ${w.preparedNow ? `froze the audience (${seconds(w.prepareMs)}), ` : ''}whole life ${seconds(w.wallMs)}: CPU ${seconds(w.userCpuMs)} user + ${seconds(w.systemCpuMs)} system` +
        (w.windowCpuSeconds !== null ? `, ${w.windowCpuSeconds.toFixed(1)} s of it while the sink received` : '') +
        `, peak RSS ${mb(w.peakRss)}`,
    );
  }
}

interface CpuPerMail {
  cores: number;
  /** CPU seconds per mail of the workers, the sink and the PostgreSQL server together. */
  perMail: number;
  /** Of that, the paperboy workers'. */
  workerPerMail: number;
}

/** Where the cores went while the sink received, and the CPU per mail that follows. */
function printCpuAccounting(f: DeliveryFigures): CpuPerMail | null {
  const w = f.window;
  console.log(
    `    sink (a third process): CPU ${seconds(f.sinkUserCpuMs)} user + ${seconds(f.sinkSystemCpuMs)} system` +
      ` for ${f.sinkMessages.toLocaleString('en-US')} mails`,
  );
  if (w.machineBusySeconds === null || w.cores === null || w.workersSeconds === null || w.sinkSeconds === null) {
    console.log('    CPU accounting: /proc not readable here, no breakdown');
    return null;
  }
  const span = w.spanMs / 1000;
  const pgSeconds = w.postgresSeconds ?? 0;
  const ours = w.workersSeconds + w.sinkSeconds + pgSeconds;
  const other = Math.max(0, w.machineBusySeconds - ours);
  const share = (s: number) => `${s.toFixed(1)} s = ${((s / span) * 100).toFixed(0)}% of a core`;
  console.log(`    CPU while the sink received (${span.toFixed(1)} s, ${w.cores} cores = ${(span * w.cores).toFixed(1)} CPU-s available):`);
  console.log(`      paperboy worker(s) ${share(w.workersSeconds)}; sink ${share(w.sinkSeconds)}; PostgreSQL server ${w.postgresSeconds === null ? 'not visible (remote?)' : share(pgSeconds)}`);
  console.log(
    `      whole machine busy ${share(w.machineBusySeconds)} (${((w.machineBusySeconds / (span * w.cores)) * 100).toFixed(0)}% of all cores), ` +
      `of which ${other.toFixed(1)} s other processes (not this benchmark's)`,
  );
  const perMail = ours / Math.max(1, f.sinkMessages);
  const workerPerMail = w.workersSeconds / Math.max(1, f.sinkMessages);
  const ms = (perMailSeconds: number) => `${(perMailSeconds * 1000).toFixed(2)} ms`;
  console.log(
    `      CPU per mail: ${ms(workerPerMail)} paperboy + ${ms(w.sinkSeconds / Math.max(1, f.sinkMessages))} sink + ` +
      `${ms(pgSeconds / Math.max(1, f.sinkMessages))} PostgreSQL = ${ms(perMail)}`,
  );
  const busy = w.machineBusySeconds / (span * w.cores);
  if (busy > 0.95 && other / (span * w.cores) > 0.1) {
    console.log(
      `      the machine was saturated (${(busy * 100).toFixed(0)}% of all cores busy, ${((other / (span * w.cores)) * 100).toFixed(0)}% of them by other processes): ` +
        'these rates measure that load as much as paperboy',
    );
  }
  return { cores: w.cores, perMail, workerPerMail };

}

/** Rendering once per segment + filling per reader, against one MJML compile per reader, at `compareAt` readers. */
async function benchCompile() {
  const { config } = validateConfig({
    newsletter: { from: 'Lab arXiv digest <digest@example.org>', publicBaseUrl: 'https://digest.example.org' },
  });
  if (!config) throw new Error('the benchmark config does not validate');
  const collected = await collectFeeds([FEED], async (source) => readFileSync(source, 'utf8'));
  const papers = collected.feeds.flatMap((f) => f.papers);
  const selections = selectPapers(papers, config.domains);
  const db = await openDatabase({ url: 'sqlite::memory:' });
  await importTranslations(db, TRANSLATIONS, JSON.parse(readFileSync(TRANSLATIONS, 'utf8')), NOW);
  const stored = await findTranslations(db, papers);
  await db.destroy();
  const chineseOf = (p: { id: string }): ChineseText | null => stored.get(p.id) ?? null;
  const { site, options } = renderSettingsOf(config);
  const issueOf = (key: SegmentKey) => buildSegmentIssue(selections, key, DATE, chineseOf);
  const envelope = { from: config.newsletter.from, batchDate: DATE };

  // Warm the compiler up once, so neither side pays for the first compile.
  await renderIssue(issueOf(keyOf(0)), site, options);

  const segmentStarted = performance.now();
  const templates = new Map<string, ReturnType<typeof buildMimeTemplate>>();
  for (let i = 0; i < COMBOS.length * LANGUAGES.length; i++) {
    const key = keyOf(i);
    const rendered = await renderIssue(issueOf(key), site, options);
    templates.set(segmentIdOf(key), buildMimeTemplate(rendered, { ...envelope, segmentId: segmentIdOf(key) }));
  }
  const renderMs = performance.now() - segmentStarted;
  const fillStarted = performance.now();
  let bytes = 0;
  for (let id = 1; id <= compareAt; id++) {
    const to = `reader${id}@bench.example.org`;
    const fields = { ...readerLinks(site.publicBaseUrl, id, SECRET), email: to };
    bytes += templates.get(segmentIdOf(keyOf(id)))!.fill({ subscriberId: id, to, fields, date: NOW })!.length;
  }
  const fillMs = performance.now() - fillStarted;

  const perReaderStarted = performance.now();
  for (let id = 1; id <= sample; id++) {
    const rendered = await renderIssue(issueOf(keyOf(id)), site, options);
    const fields = { ...readerLinks(site.publicBaseUrl, id, SECRET), email: `reader${id}@bench.example.org` };
    buildMimeTemplate(rendered, { ...envelope, segmentId: segmentIdOf(keyOf(id)) }).fill({ subscriberId: id, to: fields.email, fields, date: NOW });
  }
  const perReaderSampleMs = performance.now() - perReaderStarted;
  const perReaderMs = (perReaderSampleMs / sample) * compareAt;
  return { renderMs, fillMs, bytes, perReaderMs, perReaderSampleMs, ratio: perReaderMs / (renderMs + fillMs) };
}

if (!fromSource && !process.argv.includes('--no-build')) {
  // The run measured is the compiled program: built from this checkout first, so it is what the source says.
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed: the benchmark measures the compiled program (or pass --source)');
}
console.log(`paperboy delivery benchmark: ${readers.toLocaleString('en-US')} readers, ${COMBOS.length} topic combinations × 3 languages`);
console.log(`program: ${fromSource ? 'src/ through tsx (--source)' : 'the compiled program in dist/ (as `paperboy` runs it), built first'}, default Node flags${process.env.BENCH_NODE_ARGS ? ` + ${process.env.BENCH_NODE_ARGS}` : ''}`);
console.log(`SMTP: ${connections} connections per process to a sink in another process, ${claims} claims in flight per process`);
if (workers > 1) console.log(`scaling: 1 and then ${workers} \`paperboy run\` processes on one PostgreSQL issue, each with its own directory and config`);
console.log('');

interface Seeded {
  seedMs: number;
  /** A database (or file) with the readers and the day, nothing sent: a fresh copy per run. */
  fresh(): Promise<{ url: string; drop: () => Promise<void> }>;
  drop(): Promise<void>;
}

async function seed(kind: string): Promise<Seeded | null> {
  if (kind === 'postgres') {
    if (!pgAdmin) {
      console.log('postgres: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL to a server where a database may be created)');
      return null;
    }
    const template = await createPgDatabase();
    const seedMs = await seedDatabase(template.url);
    return { seedMs, fresh: () => createPgDatabase(template.name), drop: template.drop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-'));
  const file = join(dir, 'seeded.db');
  const seedMs = await seedDatabase(`sqlite://${file}`);
  let copies = 0;
  return {
    seedMs,
    async fresh() {
      const copy = join(dir, `run-${++copies}.db`);
      copyFileSync(file, copy);
      return { url: `sqlite://${copy}`, drop: async () => rmSync(copy, { force: true }) };
    },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function sendFresh(kind: string, seeded: Seeded, processes: number): Promise<DeliveryFigures> {
  const database = await seeded.fresh();
  try {
    return await sendWithWorkers(kind, database.url, processes, sink);
  } finally {
    await database.drop();
  }
}

const sink = await startSink();
const singles: DeliveryFigures[] = [];
const sourceRatios: Array<{ db: string; ratio: number }> = [];
/** The size of the mails smtp-source sends: the last paperboy run's average at the sink (the sample day's ≈ 30 KB before any). */
let mailBytes = 30_000;
const scaling: Array<{ one: DeliveryFigures; many: DeliveryFigures; cpu: CpuPerMail | null }> = [];
const problems: string[] = [];
try {
  for (const kind of databases) {
    const seeded = await seed(kind);
    if (!seeded) continue;
    try {
      // The reference runs on both sides of the paperboy run, so a drift of this shared machine during it (the
      // sink's own rate moved 2× between runs here) weighs on both: the ratio is to their mean.
      const sourceBefore = await runSmtpSource(sink, readers, mailBytes, connections);
      const result = await sendFresh(kind, seeded, 1);
      singles.push(result);
      const [only] = result.workers;
      console.log(`${kind}:`);
      console.log(`  seed ${readers.toLocaleString('en-US')} readers (bulk insert, not measured): ${seconds(seeded.seedMs)}`);
      console.log(`  prepare the issue (freeze the audience): ${(only!.prepareMs / 1000).toFixed(2)} s`);
      console.log(
        `  send: ${only!.sent.toLocaleString('en-US')} mails in ${seconds(only!.sendMs)} = ${rate(only!.mailsPerSecond)} ` +
          `(sink got ${result.sinkMessages.toLocaleString('en-US')} mails, ${mb(result.sinkBytes)}; ${result.retried} mails needed a retry)`,
      );
      const pure = only!.sent / ((only!.sendMs - only!.renderMs) / 1000);
      console.log(`  of which rendering 36 segments ${seconds(only!.renderMs)}; sending alone ${rate(pure)}`);
      console.log(`  whole run ${seconds(only!.wallMs)}, CPU ${seconds(only!.userCpuMs)} user + ${seconds(only!.systemCpuMs)} system, peak RSS ${mb(only!.peakRss)}`);
      const oneCpu = printCpuAccounting(result);
      if (result.sinkMessages !== readers) problems.push(`${kind}, 1 process: the sink got ${result.sinkMessages} mails for ${readers} readers`);
      mailBytes = Math.round(result.sinkBytes / Math.max(1, result.sinkMessages));
      const sourceAfter = await runSmtpSource(sink, only!.sent, mailBytes, connections);
      if (sourceBefore && sourceAfter) {
        const reference = (sourceBefore.mailsPerSecond + sourceAfter.mailsPerSecond) / 2;
        const ratio = only!.mailsPerSecond / reference;
        sourceRatios.push({ db: kind, ratio });
        const side = (name: string, run: typeof sourceAfter) => `${name} ${rate(run.mailsPerSecond)} (sink using ${Math.round(run.sinkCpu * 100)}% of a core)`;
        console.log(
          `  smtp-source (Postfix, same sink, ${connections} sessions, mails of the same size): ${side('before', sourceBefore)}, ` +
            `${side('after', sourceAfter)} → paperboy's send phase is ${ratio.toFixed(2)}× their mean ` +
            `(${(only!.mailsPerSecond / sourceBefore.mailsPerSecond).toFixed(2)}× / ${(only!.mailsPerSecond / sourceAfter.mailsPerSecond).toFixed(2)}×)`,
        );
      } else {
        console.log('  smtp-source: not available, no ratio');
      }

      if (workers > 1 && kind === 'postgres') {
        const many = await sendFresh(kind, seeded, workers);
        console.log(`  ${workers} processes on the same issue (a fresh copy of the same database):`);
        console.log(
          `    the sink got ${many.sinkMessages.toLocaleString('en-US')} mails (ledger: ${Object.entries(many.ledger).map(([k, n]) => `${n} ${k}`).join(', ')}), ` +
            `first to last in ${seconds(many.sinkWindowMs)}; all processes ended after ${seconds(many.wallMs)}`,
        );
        printWorkers(many);
        printCpuAccounting(many);
        const reported = many.workers.reduce((n, w) => n + w.sent, 0);
        if (reported !== many.sinkMessages) problems.push(`${workers} processes: their reports add up to ${reported} mails, the sink got ${many.sinkMessages}`);
        if (many.sinkMessages !== readers) problems.push(`${workers} processes: the sink got ${many.sinkMessages} mails for ${readers} readers`);
        scaling.push({ one: result, many, cpu: oneCpu });
      }
    } finally {
      await seeded.drop();
    }
  }
  if (workers > 1 && !scaling.length) console.log(`--workers ${workers}: needs PostgreSQL (--db postgres and BENCH_DATABASE_URL or TEST_DATABASE_URL); SQLite is one process by design`);
} finally {
  sink.stop();
}

for (const { one, many, cpu } of scaling) {
  const ratio = many.sinkMailsPerSecond / Math.max(1e-9, one.sinkMailsPerSecond);
  const active = many.workers.filter((w) => w.sent > 0).length;
  console.log(`\nscaling on ${one.db} (rates at the sink, first to last mail):`);
  console.log('  | processes | mails/s | mails sent by each |');
  console.log('  | --- | --- | --- |');
  console.log(`  | 1 | ${Math.round(one.sinkMailsPerSecond).toLocaleString('en-US')} | ${one.workers.map((w) => w.sent).join(' / ')} |`);
  console.log(`  | ${many.processes} | ${Math.round(many.sinkMailsPerSecond).toLocaleString('en-US')} | ${many.workers.map((w) => w.sent).join(' / ')} |`);
  console.log(`  ratio: ${many.processes} processes = ${ratio.toFixed(2)}× one (target ≥ ${(0.8 * many.processes).toFixed(1)}×); ${active} of ${many.processes} processes sent mail`);
  if (active < 2) {
    console.log(
      `  only one process sent: the issue went through one process both times, and the ratio is the difference between two runs of one ` +
        `process (the machine's other load, which varies), not scaling; see above how the others ended.`,
    );
  }
  if (cpu !== null) {
    // A bound from the one-process run's CPU per mail: a worker (one JavaScript thread) uses at most about one
    // core, and the machine's cores carry the workers, the sink and the PostgreSQL server together.
    const n = many.processes;
    const machine = cpu.cores / cpu.perMail;
    const oneMax = Math.min(1 / cpu.workerPerMail, machine);
    const manyMax = Math.min(n / cpu.workerPerMail, machine);
    const idleBound = manyMax / oneMax;
    const measuredBound = Math.min(n, machine / one.sinkMailsPerSecond);
    console.log(
      `  CPU bound (the one-process run's CPU per mail): ${cpu.cores} cores carry at most ${rate(machine)} of paperboy + sink + PostgreSQL; ` +
        `one worker alone at most ${rate(1 / cpu.workerPerMail)} (one core). On a machine with nothing else running, 1 process ≤ ${rate(oneMax)} and ` +
        `${n} ≤ ${rate(manyMax)}: at most ${idleBound.toFixed(2)}×. From the ${rate(one.sinkMailsPerSecond)} measured for one process: at most ${measuredBound.toFixed(2)}×` +
        (Math.min(idleBound, measuredBound) < 0.8 * n
          ? ` — below the target ${(0.8 * n).toFixed(1)}×: on this machine the cores that the sink and PostgreSQL share with the workers limit ${n} processes, not the sending`
          : ''),
    );
  }
}

const compile = process.argv.includes('--no-compile') ? null : await benchCompile();
if (compile) console.log(`\nrendering at ${compareAt.toLocaleString('en-US')} readers:`);
if (compile) console.log(`  once per segment: 36 MJML compiles ${(compile.renderMs / 1000).toFixed(2)} s + filling ${compareAt.toLocaleString('en-US')} mails ${(compile.fillMs / 1000).toFixed(2)} s`);
if (compile) console.log(
  `  once per reader: ${(compile.perReaderMs / 1000).toFixed(0)} s` +
    (sample < compareAt ? ` (${sample} compiles timed, ${(compile.perReaderSampleMs / sample).toFixed(1)} ms each, × ${compareAt.toLocaleString('en-US')})` : ''),
);
if (compile) console.log(`  ratio: per-segment rendering is ${Math.round(compile.ratio)}× cheaper`);

const misses: string[] = [...problems];
for (const f of singles) {
  const [only] = f.workers;
  if (only!.mailsPerSecond < 1000) misses.push(`${f.db}: ${Math.round(only!.mailsPerSecond)} mails/s < 1,000`);
  if (readers >= RSS_TARGET_READERS && only!.peakRss >= 300 * 1024 * 1024) misses.push(`${f.db}: peak RSS ${mb(only!.peakRss)} ≥ 300 MB`);
}
if (readers < RSS_TARGET_READERS) console.log(`\n(peak RSS target < 300 MB is set at ${RSS_TARGET_READERS.toLocaleString('en-US')} readers: --readers ${RSS_TARGET_READERS} checks it)`);
for (const r of sourceRatios) if (r.ratio < 0.5) misses.push(`${r.db}: ${r.ratio.toFixed(2)}× smtp-source < 0.5×`);
for (const { one, many } of scaling) {
  const ratio = many.sinkMailsPerSecond / Math.max(1e-9, one.sinkMailsPerSecond);
  if (ratio < 0.8 * many.processes) misses.push(`${many.processes} processes ${ratio.toFixed(2)}× one < ${(0.8 * many.processes).toFixed(1)}×`);
}
if (compile && compile.ratio < 100) misses.push(`compile ratio ${Math.round(compile.ratio)}× < 100×`);
console.log(misses.length ? `\nMISSED: ${misses.join('; ')}` : '\nall targets met');
process.exitCode = misses.length ? 1 : 0;
