// `npm run demo`: the whole pipeline on a real arXiv day (Fri 2025-11-14), from a fresh database, with the sample
// readers and recorded Chinese translations. Nothing leaves the machine: mails go to outbox/2025-11-14/.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processIO, runCli } from '../src/cli/main.ts';
import { EXIT } from '../src/errors.ts';

const root = resolve(fileURLToPath(import.meta.url), '../..');
process.chdir(root);

const DATE = '2025-11-14';
const db = 'subscribers/demo.db';
const outbox = 'outbox';
const feed = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const translations = 'test/fixtures/zh-2025-11-14.json';

// A fixed secret keeps the demo reproducible; a real installation sets its own (see README).
process.env.PAPERBOY_SECRET ??= 'demo-secret-not-for-production-0123456789abcdef';
delete process.env.DATABASE_URL;

for (const file of [db, `${db}-wal`, `${db}-shm`]) rmSync(file, { force: true });
rmSync(join(outbox, DATE), { recursive: true, force: true });

const io = processIO();
const common = ['--config', 'paperboy.config.example.yaml', '--db', db];
const steps: Array<[string, string[]]> = [
  ['import the sample readers', ['subscribers', 'import', 'subscribers/sample.csv']],
  ['import recorded Chinese translations', ['translations', 'import', translations]],
  [`build and deliver the issue of ${DATE}`, ['run', '--date', DATE, '--feed', feed, '--outbox', outbox]],
];
for (const [title, args] of steps) {
  io.err(`\n── ${title}: paperboy ${args.join(' ')}`);
  const code = await runCli([...common, ...args], io);
  if (code !== EXIT.ok) {
    io.err(`demo step failed with exit code ${code}`);
    process.exit(code);
  }
}

const day = join(outbox, DATE);
const mails = existsSync(day) ? readdirSync(day).filter((f) => f.endsWith('.eml')) : [];
const previews = existsSync(join(day, 'segments')) ? readdirSync(join(day, 'segments')).filter((f) => f.endsWith('.html')) : [];
io.out(`\nDone. ${mails.length} mails in ${relative(root, day)}/ (open them in any mail client),`);
io.out(`${previews.length} segment previews to open in a browser:`);
for (const file of previews) io.out(`  ${join(root, day, 'segments', file)}`);
