// `npx tsx scripts/update-compatibility-baseline.ts`: writes emails/compatibility-baseline.json, the (feature, email
// client) problems caniemail reports for today's template, from every segment of the sample day (Fri 2025-11-14,
// the sample readers, the recorded translations). Run it after a deliberate template change and commit the file:
// from then on the preview and the test only flag problems that are not in it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processIO, runCli } from '../src/cli/main.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { buildPreview } from '../src/preview/build-preview.ts';
import { baselineFileOf, makeBaseline } from '../src/preview/check-compatibility.ts';
import { openDatabase } from '../src/store/database.ts';

const root = resolve(fileURLToPath(import.meta.url), '../..');
process.chdir(root);
const DATE = '2025-11-14';
const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const dir = mkdtempSync(join(tmpdir(), 'paperboy-baseline-'));
try {
  const io = processIO();
  io.env = { ...process.env, PAPERBOY_SECRET: 'baseline-secret-0123456789abcdef0123456789' };
  delete io.env.DATABASE_URL;
  const common = ['--config', 'paperboy.config.example.yaml', '--db', join(dir, 'p.db')];
  for (const args of [
    ['subscribers', 'import', 'subscribers/sample.csv'],
    ['translations', 'import', 'test/fixtures/zh-2025-11-14.json'],
    ['run', '--date', DATE, '--feed', FEED, '--dry-run', '--outbox', join(dir, 'outbox')],
  ]) {
    if ((await runCli([...common, ...args], io)) !== 0) throw new Error(`paperboy ${args.join(' ')} failed`);
  }
  const { config } = loadConfig('paperboy.config.example.yaml', {});
  const db = await openDatabase({ file: join(dir, 'p.db') });
  try {
    const preview = await buildPreview(db, config, DATE, { baseline: null });
    if (!preview) throw new Error(`no stored batch ${DATE}`);
    const pairs = preview.segments.flatMap((s) => s.compatibility.fresh);
    const unavailable = preview.segments.find((s) => s.compatibility.unavailable)?.compatibility.unavailable;
    if (unavailable) throw new Error(unavailable);
    const baseline = makeBaseline(pairs, config.preview.emailClients);
    writeFileSync(baselineFileOf(config.preview.compatibilityBaseline), `${JSON.stringify(baseline, null, 2)}\n`);
    io.out(`wrote ${baselineFileOf(config.preview.compatibilityBaseline)}: ${baseline.problems.length} known (feature, client) problems from ${preview.segments.length} segments`);
  } finally {
    await db.destroy();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
