// The preview as a small Hono app of its own (an operator's tool on loopback, apart from the public `serve` app)
// and as static files (`--out`): the same pages either way.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { PaperboyConfig } from '../config/schema.ts';
import { listBatches } from '../store/batches.ts';
import { summarizeLedger } from '../store/deliveries.ts';
import { findIssue } from '../store/issues.ts';
import { listRuns } from '../store/runs.ts';
import type { Database } from '../store/schema.ts';
import type { ISODate } from '../types.ts';
import { buildPreview, type PreviewIssue } from './build-preview.ts';
import type { CompatBaseline } from './check-compatibility.ts';
import { indexPage, issuePage, mailFile, missingBatchPage, type BatchRow } from './preview-pages.ts';

export interface PreviewDeps {
  db: Kysely<Database>;
  config: PaperboyConfig;
  baseline: CompatBaseline | null;
  prefer?: { model: string; promptVersion: string } | undefined;
}

/** Every stored batch with what became of its issue, newest first. */
export async function loadBatchRows(db: Kysely<Database>): Promise<BatchRow[]> {
  const rows: BatchRow[] = [];
  for (const batch of await listBatches(db)) {
    const issue = await findIssue(db, batch.batchDate);
    const ledger = issue?.preparedAt ? await summarizeLedger(db, batch.batchDate) : null;
    const [run] = await listRuns(db, { batchDate: batch.batchDate, limit: 1 });
    rows.push({
      batchDate: batch.batchDate,
      papers: batch.paperCount,
      fetchedAt: batch.fetchedAt,
      ledger: ledger ? { audience: ledger.total, sent: ledger.counts.sent } : null,
      lastRun: run ? { status: run.status, message: run.message, startedAt: run.startedAt } : null,
    });
  }
  return rows;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Built previews by date: rendering every segment takes a second or two, so a page and its frames share one. */
function previewCache(deps: PreviewDeps) {
  const built = new Map<ISODate, Promise<PreviewIssue | null>>();
  return (batchDate: ISODate, fresh = false): Promise<PreviewIssue | null> => {
    let entry = built.get(batchDate);
    if (!entry || fresh) {
      entry = buildPreview(deps.db, deps.config, batchDate, { baseline: deps.baseline, prefer: deps.prefer });
      built.set(batchDate, entry);
      // A failed build is not kept: the next request tries again.
      entry.catch(() => built.delete(batchDate));
    }
    return entry;
  };
}

/** Pages link to their own frames; the mails' own links open in a new tab, outside the preview. */
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

export function createPreviewApp(deps: PreviewDeps): Hono {
  const preview = previewCache(deps);
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
  });

  const index = async () => indexPage(await loadBatchRows(deps.db));
  app.get('/', async (c) => c.html(await index()));
  app.get('/index.html', async (c) => c.html(await index()));
  const issuePageOf = async (date: string, fresh: boolean) => {
    const issue = await preview(date, fresh);
    return issue ? { body: issuePage(issue), status: 200 as const } : { body: missingBatchPage(date), status: 404 as const };
  };
  app.get('/:date', (c) => {
    const date = c.req.param('date');
    return ISO_DATE.test(date) ? c.redirect(`/${date}/`, 301) : c.notFound();
  });
  app.get('/:date/', async (c) => {
    const date = c.req.param('date');
    if (!ISO_DATE.test(date)) return c.notFound();
    // ?fresh renders again (after new translations were imported, say).
    const page = await issuePageOf(date, c.req.query('fresh') !== undefined);
    return c.html(page.body, page.status);
  });
  app.get('/:date/:file', async (c) => {
    const date = c.req.param('date');
    const file = c.req.param('file');
    const m = /^(.+)\.(html|txt)$/.exec(file);
    if (!ISO_DATE.test(date) || !m) return c.notFound();
    if (file === 'index.html') {
      const page = await issuePageOf(date, c.req.query('fresh') !== undefined);
      return c.html(page.body, page.status);
    }
    const issue = await preview(date);
    const segment = issue?.segments.find((s) => s.segmentId === m[1]);
    if (!segment) return c.notFound();
    return m[2] === 'html' ? c.html(segment.html) : c.text(segment.text);
  });
  return app;
}

/**
 * Writes the preview as static files: `index.html`, then per date `<date>/index.html` with `<segment>.html` and
 * `.txt` beside it. Returns the files written.
 */
export async function writePreviewSite(deps: PreviewDeps, dir: string, dates: readonly ISODate[]): Promise<string[]> {
  const files: string[] = [];
  const write = async (path: string, text: string) => {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text);
    files.push(path);
  };
  await write(join(dir, 'index.html'), indexPage(await loadBatchRows(deps.db)));
  for (const date of dates) {
    const issue = await buildPreview(deps.db, deps.config, date, { baseline: deps.baseline, prefer: deps.prefer });
    const folder = join(dir, date);
    if (!issue) {
      await write(join(folder, 'index.html'), missingBatchPage(date));
      continue;
    }
    await write(join(folder, 'index.html'), issuePage(issue));
    for (const segment of issue.segments) {
      await write(join(folder, mailFile(segment.segmentId, 'html')), segment.html);
      await write(join(folder, mailFile(segment.segmentId, 'txt')), segment.text);
    }
  }
  return files;
}
