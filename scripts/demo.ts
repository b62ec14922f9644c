// `npm run demo`: the whole pipeline on a real arXiv day (Fri 2025-11-14) with the sample readers (one of them on
// the weekly digest, from a second CSV with a `frequency` column), recorded
// Chinese translations and recorded TL;DRs and key points, so every paper the mails show looks as it does in a
// configured installation. Nothing leaves the machine: mails go to outbox/2025-11-14/.
//
// It uses the default database and config (as `paperboy` does when run from this folder with no flags), so
// `paperboy runs`, `subscribers list`, `preview --date 2025-11-14` and `serve` see the demo's data afterwards. The
// default database starts fresh each time, but only if it holds nothing but an earlier demo: a database with real
// readers or other days is never deleted.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processIO, runCli } from '../src/cli/main.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { EXIT } from '../src/errors.ts';
import { listBatches } from '../src/store/batches.ts';
import { openDatabase } from '../src/store/database.ts';
import { listSubscribers, normalizeEmail } from '../src/store/subscribers.ts';

const root = resolve(fileURLToPath(import.meta.url), '../..');
process.chdir(root);

const DATE = '2025-11-14';
const READERS = 'subscribers/sample.csv';
// Kept apart from sample.csv, which many tests import as the daily list: one reader who chose the weekly digest.
const WEEKLY_READERS = 'subscribers/sample-weekly.csv';
const feed = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
// Titles and abstracts (seed digests, plus titles hand-written for the papers they lacked), then TL;DRs and key
// points (hand-written and checked): see test/fixtures/README.md. Stored side by side, each field is taken from
// whichever import has it.
const translations = 'test/fixtures/zh-2025-11-14.json';
const summaries = 'test/fixtures/summaries-2025-11-14.json';
const io = processIO();

if (process.env.DATABASE_URL) {
  io.err('demo: DATABASE_URL is set; the demo only writes to the default SQLite database. Unset it and run again.');
  process.exit(EXIT.usage);
}

const { config } = loadConfig(undefined, process.env);
const db = resolve(config.database.file);
const outbox = resolve(config.delivery.outboxDir);

/** Why the database must not be replaced, or null when it is empty or holds only an earlier demo. */
async function ownDataIn(file: string): Promise<string | null> {
  if (!existsSync(file)) return null;
  const store = await openDatabase({ file });
  try {
    const sampleEmails = new Set(
      [READERS, WEEKLY_READERS].flatMap((csv) =>
        readFileSync(csv, 'utf8')
          .split('\n')
          .slice(1)
          .map((line) => normalizeEmail(line.split(',')[0] ?? '')),
      ),
    );
    const readers = (await listSubscribers(store)).filter((s) => !sampleEmails.has(s.email));
    if (readers.length > 0) return `${readers.length} readers that are not the sample readers`;
    const days = (await listBatches(store)).filter((b) => b.batchDate !== DATE);
    if (days.length > 0) return `the batches of ${days.map((b) => b.batchDate).join(', ')}`;
    return null;
  } finally {
    await store.destroy();
  }
}

const own = await ownDataIn(db);
if (own) {
  io.err(`demo: ${relative(root, db)} holds ${own}; the demo starts from a fresh database and will not delete it.`);
  io.err('Move it away (or point database.file in paperboy.config.yaml elsewhere) and run the demo again.');
  process.exit(EXIT.usage);
}
for (const file of [db, `${db}-wal`, `${db}-shm`]) rmSync(file, { force: true });
rmSync(join(outbox, DATE), { recursive: true, force: true });

const steps: Array<[string, string[]]> = [
  ['import the sample readers', ['subscribers', 'import', READERS]],
  ['import a sample reader of the weekly digest', ['subscribers', 'import', WEEKLY_READERS]],
  ['import recorded Chinese translations', ['translations', 'import', translations]],
  ['import recorded TL;DRs and key points', ['translations', 'import', summaries]],
  [`build and deliver the issue of ${DATE}`, ['run', '--date', DATE, '--feed', feed]],
];
for (const [title, args] of steps) {
  io.err(`\n── ${title}: paperboy ${args.join(' ')}`);
  const code = await runCli(args, io);
  if (code !== EXIT.ok) {
    io.err(`demo step failed with exit code ${code}`);
    process.exit(code);
  }
}

const day = join(outbox, DATE);
const mails = existsSync(day) ? readdirSync(day).filter((f) => f.endsWith('.eml')) : [];
const previews = existsSync(join(day, 'segments')) ? readdirSync(join(day, 'segments')).filter((f) => f.endsWith('.html')) : [];

/**
 * What became of the weekly reader, read from what the run wrote (a `weekly.` segment), not guessed from the
 * weekday: a run on or after the week's digest day carries the digests, one before it leaves weekly readers out.
 */
function weeklyNote(): string {
  const weekly = readFileSync(WEEKLY_READERS, 'utf8').split('\n')[1]?.split(',')[0] ?? '';
  const digestDay = config.digest.weeklyOn[0]!.toUpperCase() + config.digest.weeklyOn.slice(1);
  const preview = previews.find((file) => file.startsWith('weekly.'));
  if (preview) {
    return [
      `${weekly} chose the weekly digest (digest.weeklyOn: ${digestDay}): this run carries the week's digests, so one`,
      `of the mails is theirs (${join(relative(root, day), 'segments', preview)}). Runs before the digest day leave them out.`,
    ].join('\n');
  }
  return [
    `${weekly} chose the weekly digest (digest.weeklyOn: ${digestDay}): ${DATE} comes before this week's digest day,`,
    `so they have no mail in this issue ("weekly readers not in this issue" above) and wait for ${digestDay}'s run.`,
  ].join('\n');
}

io.out(`\nDone. ${mails.length} mails in ${relative(root, day)}/ (open them in any mail client),`);
io.out(`${previews.length} segment previews to open in a browser:`);
for (const file of previews) io.out(`  ${join(day, 'segments', file)}`);
io.out(`\n${weeklyNote()}`);
io.out('\nThe demo used the default database and config, so from this folder these need no flags');
io.out('(`npm link` once puts `paperboy` on your PATH; `node bin/paperboy.js` works too):');
io.out('  paperboy runs                        # the demo run');
io.out('  paperboy subscribers list            # the sample readers and how often each gets mail');
io.out(`  paperboy preview --date ${DATE}   # every segment's mail at phone and desktop width`);
io.out('  paperboy serve                       # sign-up, preferences and the archive on http://127.0.0.1:8787');
