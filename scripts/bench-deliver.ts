// npm run bench:deliver — delivery at scale: 100,000 synthetic readers (12 topic combinations × 3 languages = 36
// segments) get the sample day through `paperboy run --transport smtp` against an SMTP sink in another process, on
// SQLite and (when BENCH_DATABASE_URL or TEST_DATABASE_URL names a PostgreSQL server) on PostgreSQL. Prints the
// time to prepare the issue (freeze the audience), mails/s, the run's peak RSS, and how much cheaper rendering once
// per segment is than compiling MJML once per reader, at 10,000 readers. After each run, Postfix's `smtp-source`
// (found in /usr/sbin, or installed from Debian's `postfix` package; the service is never started) sends the same
// number of mails of the same size over the same number of connections to the same sink, and the ratio of the
// two rates is printed. Targets: ≥ 1,000 mails/s, ≥ 0.5× smtp-source, peak RSS < 300 MB, ≥ 100× cheaper.
// Numbers, not a test: a miss sets exit code 1. The run is the compiled program (`npm run build` first, then
// dist/ as `paperboy` runs it; --no-build uses dist/ as it is, --source runs src/ through tsx instead).
// --no-compile skips the rendering comparison, --no-install never installs postfix.
//
// Options: --readers N (100000), --compare N (10000), --sample N (per-reader compiles actually timed, 200; the rest
// is extrapolated, --full-compare compiles all N), --connections N (16), --workers N (6), --db sqlite,postgres.
// Diagnostics: BENCH_NODE_ARGS="--max-old-space-size=192" runs `paperboy run` with those node flags, BENCH_HEAP=1
// prints its memory every 5 s (BENCH_HEAP=<ms>: that often), BENCH_PROFILE=<dir> writes a CPU profile of it.

import { fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
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
const readers = Number(flag('readers', '100000'));
const compareAt = Number(flag('compare', '10000'));
const fullCompare = process.argv.includes('--full-compare');
const sample = fullCompare ? compareAt : Math.min(compareAt, Number(flag('sample', '200')));
const connections = Number(flag('connections', '16'));
const workers = Number(flag('workers', '6'));
const databases = flag('db', 'sqlite,postgres')
  .split(',')
  .filter((kind) => kind === 'sqlite' || kind === 'postgres');
const pgAdmin = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
const fromSource = process.argv.includes('--source');
const CHILD = fileURLToPath(new URL('./bench-deliver-child.mjs', import.meta.url));

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const keyOf = (i: number): SegmentKey => ({ topics: COMBOS[i % COMBOS.length]!, language: LANGUAGES[Math.floor(i / COMBOS.length) % 3]! });

// ——— sink mode: an SMTP server that counts and discards ———
if (process.argv[2] === '--sink') {
  const { SMTPServer } = await import('smtp-server');
  let messages = 0;
  let bytes = 0;
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
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.server.address() as AddressInfo).port }));
  process.on('message', () => {
    const cpu = process.cpuUsage();
    process.send?.({ messages, bytes, cpuMs: (cpu.user + cpu.system) / 1000 });
  });
  await new Promise(() => {});
}

interface SinkHandle {
  url: string;
  count(): Promise<{ messages: number; bytes: number; cpuMs: number }>;
  stop(): void;
}

async function startSink(): Promise<SinkHandle> {
  const child = fork(fileURLToPath(import.meta.url), ['--sink'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const port = await new Promise<number>((resolvePort) => child.once('message', (m: { port: number }) => resolvePort(m.port)));
  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () => new Promise((r) => (child.once('message', r), child.send('count'))),
    stop: () => child.kill(),
  };
}

async function createPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `paperboy_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: pgAdmin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database "${name}"`);
  const url = new URL(pgAdmin!);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists "${name}" with (force)`) };
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

async function runChild(args: string[], env: NodeJS.ProcessEnv) {
  // The compiled program (dist/, what `paperboy` runs) by default; --source runs src/ through tsx, whose loader
  // thread and transform caches add some 40 MB of RSS that the installed program does not have.
  const program = fromSource ? ['--import', 'tsx', CHILD, 'src'] : [CHILD, 'dist'];
  const nodeArgs = [...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROFILE] : []), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [...nodeArgs, ...program, JSON.stringify(args)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((r) => child.on('exit', r));
  return JSON.parse(out.trim().split('\n').at(-1)!) as { exitCode: number; wallMs: number; maxRssBytes: number; cpuMs: number; report: RunReport };
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
  const before = await sink.count();
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
  return { mailsPerSecond: mails / (ms / 1000), ms, sinkMessages: after.messages - before.messages, sinkCpu: (after.cpuMs - before.cpuMs) / ms };
}

interface DeliveryFigures {
  db: string;
  seedMs: number;
  prepareMs: number;
  sendMs: number;
  /** Of sendMs, rendering the 36 segments (once each, when their turn comes). */
  renderMs: number;
  sent: number;
  mailsPerSecond: number;
  peakRss: number;
  wallMs: number;
  /** CPU (user + system) of the whole `paperboy run` process. */
  cpuMs: number;
  sinkMessages: number;
  sinkBytes: number;
  /** Share of one core the sink used while the run sent. */
  sinkCpu: number;
  retried: number;
}

async function benchDelivery(kind: string, sink: SinkHandle): Promise<DeliveryFigures | null> {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-'));
  let url = `sqlite://${join(dir, 'bench.db')}`;
  let drop = async () => {};
  if (kind === 'postgres') {
    if (!pgAdmin) {
      console.log('postgres: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL to a server where a database may be created)');
      return null;
    }
    ({ url, drop } = await createPgDatabase());
  }
  try {
    const seedMs = await seedDatabase(url);
    const config = join(dir, 'paperboy.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        newsletter: { from: 'Lab arXiv digest <digest@example.org>', publicBaseUrl: 'https://digest.example.org' },
        delivery: { transport: 'smtp', outboxDir: join(dir, 'outbox'), workers, smtp: { maxConnections: connections } },
      }),
    );
    const before = await sink.count();
    const result = await runChild(['--config', config, 'run', '--date', DATE, '--json'], {
      DATABASE_URL: url,
      SMTP_URL: sink.url,
      PAPERBOY_SECRET: SECRET,
    });
    const after = await sink.count();
    const transport = result.report.transports[0];
    // Mails that needed more than one try (a retry waits its backoff, which the rate shows).
    const check = await openDatabase({ url });
    const retried = Number(
      (await check.selectFrom('deliveries').select((eb) => eb.fn.countAll().as('n')).where('attempts', '>', 1).executeTakeFirst())?.n ?? 0,
    );
    await check.destroy();
    if (result.exitCode !== 0 || !transport) throw new Error(`the run exited ${result.exitCode}: ${result.report.message}`);
    return {
      db: kind,
      seedMs,
      prepareMs: result.report.delivery.prepareMs,
      sendMs: transport.durationMs,
      renderMs: result.report.segments.reduce((n, s) => n + s.renderMs, 0),
      sent: transport.sent,
      mailsPerSecond: transport.mailsPerSecond,
      peakRss: result.maxRssBytes,
      wallMs: result.wallMs,
      cpuMs: result.cpuMs,
      sinkMessages: after.messages - before.messages,
      sinkBytes: after.bytes - before.bytes,
      sinkCpu: (after.cpuMs - before.cpuMs) / transport.durationMs,
      retried,
    };
  } finally {
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
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
console.log(`SMTP: ${connections} connections to a sink in another process, ${workers} claims in flight\n`);
const sink = await startSink();
const figures: DeliveryFigures[] = [];
const sourceRatios: Array<{ db: string; ratio: number }> = [];
try {
  for (const kind of databases) {
    const result = await benchDelivery(kind, sink);
    if (!result) continue;
    figures.push(result);
    console.log(`${kind}:`);
    console.log(`  seed ${readers.toLocaleString('en-US')} readers (bulk insert, not measured): ${(result.seedMs / 1000).toFixed(1)} s`);
    console.log(`  prepare the issue (freeze the audience): ${(result.prepareMs / 1000).toFixed(2)} s`);
    console.log(
      `  send: ${result.sent.toLocaleString('en-US')} mails in ${(result.sendMs / 1000).toFixed(1)} s = ${Math.round(result.mailsPerSecond).toLocaleString('en-US')} mails/s ` +
        `(sink got ${result.sinkMessages.toLocaleString('en-US')} mails, ${mb(result.sinkBytes)}, using ${Math.round(result.sinkCpu * 100)}% of a core; ${result.retried} mails needed a retry)`,
    );
    const pure = result.sent / ((result.sendMs - result.renderMs) / 1000);
    console.log(`  of which rendering 36 segments ${(result.renderMs / 1000).toFixed(1)} s; sending alone ${Math.round(pure).toLocaleString('en-US')} mails/s`);
    console.log(`  whole run ${(result.wallMs / 1000).toFixed(1)} s, ${(result.cpuMs / 1000).toFixed(1)} s CPU, peak RSS ${mb(result.peakRss)}`);
    const source = await runSmtpSource(sink, result.sent, Math.round(result.sinkBytes / Math.max(1, result.sinkMessages)), connections);
    if (source) {
      const ratio = result.mailsPerSecond / source.mailsPerSecond;
      sourceRatios.push({ db: kind, ratio });
      console.log(
        `  smtp-source (Postfix, same sink, ${connections} sessions, same size): ${Math.round(source.mailsPerSecond).toLocaleString('en-US')} mails/s ` +
          `(sink using ${Math.round(source.sinkCpu * 100)}% of a core) → paperboy's send phase is ${ratio.toFixed(2)}× smtp-source`,
      );
    } else {
      console.log('  smtp-source: not available, no ratio');
    }
  }
} finally {
  sink.stop();
}

const compile = process.argv.includes('--no-compile') ? null : await benchCompile();
if (compile) console.log(`\nrendering at ${compareAt.toLocaleString('en-US')} readers:`);
if (compile) console.log(`  once per segment: 36 MJML compiles ${(compile.renderMs / 1000).toFixed(2)} s + filling ${compareAt.toLocaleString('en-US')} mails ${(compile.fillMs / 1000).toFixed(2)} s`);
if (compile) console.log(
  `  once per reader: ${(compile.perReaderMs / 1000).toFixed(0)} s` +
    (sample < compareAt ? ` (${sample} compiles timed, ${(compile.perReaderSampleMs / sample).toFixed(1)} ms each, × ${compareAt.toLocaleString('en-US')})` : ''),
);
if (compile) console.log(`  ratio: per-segment rendering is ${Math.round(compile.ratio)}× cheaper`);

const misses: string[] = [];
for (const f of figures) {
  if (f.mailsPerSecond < 1000) misses.push(`${f.db}: ${Math.round(f.mailsPerSecond)} mails/s < 1,000`);
  if (f.peakRss >= 300 * 1024 * 1024) misses.push(`${f.db}: peak RSS ${mb(f.peakRss)} ≥ 300 MB`);
}
for (const r of sourceRatios) if (r.ratio < 0.5) misses.push(`${r.db}: ${r.ratio.toFixed(2)}× smtp-source < 0.5×`);
if (compile && compile.ratio < 100) misses.push(`compile ratio ${Math.round(compile.ratio)}× < 100×`);
console.log(misses.length ? `\nMISSED: ${misses.join('; ')}` : '\nall targets met');
process.exitCode = misses.length ? 1 : 0;
