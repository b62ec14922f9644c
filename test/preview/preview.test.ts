import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/context.ts';
import { runCli } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import type { PaperboyConfig } from '../../src/config/schema.ts';
import { buildPreview, type PreviewIssue } from '../../src/preview/build-preview.ts';
import { baselineFileOf, readBaseline } from '../../src/preview/check-compatibility.ts';
import { createPreviewApp } from '../../src/preview/preview-site.ts';
import { startServer } from '../../src/web/start-server.ts';
import { openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import { readerLinks } from '../../src/links/link-tokens.ts';
import { chromiumAvailable, launchChromium } from '../support/chromium.ts';
import { FAST_LANE } from '../support/lanes.ts';

// The preview of the sample day (Fri 2025-11-14, the sample readers, recorded translations): every segment, the
// checks, the pages through app.request(), the static files, and byte-for-byte what the run then sends.

const DATE = '2025-11-14';
const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const SECRET = 'preview-secret-0123456789abcdef0123456789';
const CONFIG = 'paperboy.config.example.yaml';

function io(): CliIO & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (t) => lines.push(t), err: () => {}, env: { PAPERBOY_SECRET: SECRET }, now: () => new Date('2025-11-14T06:00:00Z'), isTTY: false };
}

let dir: string;
let common: string[];
let db: Kysely<Database>;
let config: PaperboyConfig;
let before: PreviewIssue;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'paperboy-preview-'));
  common = ['--config', CONFIG, '--db', join(dir, 'p.db')];
  // The seed digests' Chinese only: without the titles written for the demo (`title_zh`, test/fixtures/README.md)
  // 4 shown papers lack a Chinese title, which is what the missing-Chinese list is tested with.
  const recorded = JSON.parse(readFileSync('test/fixtures/zh-2025-11-14.json', 'utf8')) as Record<string, Record<string, string>>;
  const seedOnly = Object.fromEntries(Object.entries(recorded).map(([id, { title_zh: _demo, ...seed }]) => [id, seed]));
  writeFileSync(join(dir, 'zh-seed.json'), JSON.stringify(seedOnly));
  for (const args of [
    ['subscribers', 'import', 'subscribers/sample.csv'],
    ['translations', 'import', join(dir, 'zh-seed.json')],
    // A dry run stores the day and sends nothing: what an operator does before previewing.
    ['run', '--date', DATE, '--feed', FEED, '--dry-run', '--outbox', join(dir, 'dry')],
  ]) {
    expect(await runCli([...common, ...args], io())).toBe(0);
  }
  config = loadConfig(CONFIG, {}).config;
  db = await openDatabase({ file: join(dir, 'p.db') });
  before = (await buildPreview(db, config, DATE, { baseline: readBaseline(baselineFileOf(config.preview.compatibilityBaseline)) }))!;
});

afterAll(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('buildPreview', () => {
  it('shows every sample segment with subject, preheader, size and checks', () => {
    expect(before.audience).toBe('current');
    expect(before.segments.map((s) => s.segmentId)).toEqual([
      'bilingual.agents+evaluation+llm+multimodal+reasoning+robotics+vision',
      'bilingual.agents+llm+reasoning',
      'bilingual.agents+multimodal',
      'bilingual.evaluation+llm+reasoning',
      'en.evaluation+llm',
      'en.robotics+vision',
      'zh.agents+robotics',
      'zh.multimodal+vision',
    ]);
    for (const s of before.segments) {
      expect(s.source).toBe('rendered');
      expect(s.subject).toMatch(/2025/);
      expect(s.preheader.length).toBeGreaterThan(10);
      expect(s.htmlBytes).toBe(Buffer.byteLength(s.html) - (Buffer.byteLength(s.html) - s.htmlBytes));
      expect(s.htmlBytes).toBeLessThan(before.budgetBytes);
      expect(s.links.problems).toEqual([]);
      expect(s.links.checked).toBeGreaterThan(10);
      expect(s.compatibility).toEqual({ fresh: [], known: expect.any(Number), unavailable: null });
      expect(s.html).not.toMatch(/__PB_/);
      expect(s.html).toContain('https://digest.example.org/unsubscribe/preview');
    }
    // The seed's translations have 10 Chinese titles for 20 papers: bilingual and Chinese mails list the rest.
    const zh = before.segments.find((s) => s.segmentId === 'zh.multimodal+vision')!;
    expect(zh.missingChinese.length).toBeGreaterThan(0);
    expect(zh.missingChinese.every((m) => m.missing.includes('title'))).toBe(true);
    expect(before.segments.find((s) => s.segmentId === 'en.evaluation+llm')!.missingChinese).toEqual([]);
  });

  it('returns null for a day that was never stored', async () => {
    expect(await buildPreview(db, config, '2025-11-13', { baseline: null })).toBeNull();
  });
});

describe('the preview pages (app.request)', () => {
  const app = () => createPreviewApp({ db, config, baseline: readBaseline(baselineFileOf(config.preview.compatibilityBaseline)) });

  it('lists the stored batches', async () => {
    const res = await app().request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self'/);
    const body = await res.text();
    expect(body).toContain('<a href="2025-11-14/index.html">2025-11-14</a>');
    expect(body).toContain('not prepared');
  });

  it('shows one batch: every segment side by side at phone and desktop width, with the mail files beside it', async () => {
    const a = app();
    const res = await a.request('/2025-11-14/');
    expect(res.status).toBe(200);
    const body = await res.text();
    for (const s of before.segments) {
      expect(body).toContain(`id="${s.segmentId}"`);
      expect(body).toContain(`src="${s.segmentId}.html" width="375"`);
      expect(body).toContain(`src="${s.segmentId}.html" width="800"`);
    }
    expect(body).toContain('Email clients: no new problem');
    expect(body).toContain("of Gmail's ~102.0 KB clip");
    const seg = before.segments[0]!;
    const mail = await a.request(`/2025-11-14/${encodeURIComponent(seg.segmentId)}.html`);
    expect(await mail.text()).toBe(seg.html);
    const text = await a.request(`/2025-11-14/${encodeURIComponent(seg.segmentId)}.txt`);
    expect(await text.text()).toBe(seg.text);
    expect((await a.request('/2025-11-14/index.html')).status).toBe(200);
  });

  it('answers 404 for unknown batches, segments and paths, and adds the trailing slash', async () => {
    const a = app();
    const missing = await a.request('/2025-11-13/');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('paperboy run --date 2025-11-13 --dry-run');
    expect((await a.request('/2025-11-14/en.nothing.html')).status).toBe(404);
    expect((await a.request('/2025-11-14/x.css')).status).toBe(404);
    const redirect = await a.request('/2025-11-14');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/2025-11-14/');
  });
});

describe('paperboy preview --out', () => {
  it('writes the same pages as files', async () => {
    const out = join(dir, 'site');
    const c = io();
    expect(await runCli([...common, 'preview', '--date', DATE, '--out', out], c)).toBe(0);
    expect(c.lines.join('\n')).toMatch(/wrote 18 files/);
    expect(readdirSync(join(out, DATE))).toHaveLength(17);
    for (const s of before.segments) expect(readFileSync(join(out, DATE, `${s.segmentId}.html`), 'utf8')).toBe(s.html);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('2025-11-14/index.html');
  });
});

describe('byte for byte what is sent', () => {
  it('the preview equals the run\'s mails, minus the per-reader links', async () => {
    const outbox = join(dir, 'outbox');
    expect(await runCli([...common, 'run', '--date', DATE, '--outbox', outbox], io())).toBe(0);
    const segments = join(outbox, DATE, 'segments');
    for (const s of before.segments) {
      expect(readFileSync(join(segments, `${s.segmentId}.html`), 'utf8')).toBe(s.html);
      expect(readFileSync(join(segments, `${s.segmentId}.txt`), 'utf8')).toBe(s.text);
    }
    // Each reader's .eml, with that reader's own links and address put back to the sample ones.
    const readers = await db.selectFrom('deliveries').select(['subscriber_id', 'segment_id', 'email']).where('batch_date', '=', DATE).execute();
    expect(readers).toHaveLength(8);
    for (const reader of readers) {
      const file = readdirSync(join(outbox, DATE)).find((f) => f.startsWith(String(reader.subscriber_id).padStart(6, '0')))!;
      const mail = await PostalMime.parse(readFileSync(join(outbox, DATE, file)));
      const own = readerLinks(config.newsletter.publicBaseUrl, Number(reader.subscriber_id), SECRET);
      const asSample = (mail.html ?? '')
        .split(own.unsubscribeUrl)
        .join(`${config.newsletter.publicBaseUrl}/unsubscribe/preview`)
        .split(own.preferencesUrl)
        .join(`${config.newsletter.publicBaseUrl}/preferences/preview`)
        .split(reader.email)
        .join('reader@example.org');
      const segment = before.segments.find((s) => s.segmentId === reader.segment_id)!;
      // The MIME part ends with the line break before its boundary; the HTML itself is the same to the byte.
      expect(asSample.replace(/\r?\n$/, '')).toBe(segment.html);
      expect(mail.subject).toBe(segment.subject);
    }
    // After the run the audience is frozen, and the preview still shows exactly the same mails.
    const after = (await buildPreview(db, config, DATE, { baseline: null, compatibility: false }))!;
    expect(after.audience).toBe('frozen');
    expect(after.segments.map((s) => s.html)).toEqual(before.segments.map((s) => s.html));
  });
});

const required = process.env.CI === 'true';
// `npm run test:fast` leaves the browser out (test/support/lanes.ts); the rest of this file runs there too.
(!FAST_LANE && (chromiumAvailable() || required) ? describe : describe.skip)('the preview in Chromium', () => {
  it('shows the phone and desktop frames side by side, the mail fitting the phone width; screenshot in test-results/preview/', async () => {
    const server = await startServer(createPreviewApp({ db, config, baseline: readBaseline(baselineFileOf(config.preview.compatibilityBaseline)) }), {
      host: '127.0.0.1',
      port: 0,
    });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
      const response = await page.goto(`${server.url}/${DATE}/`);
      expect(response?.status()).toBe(200);
      const first = page.locator('section.segment').nth(1);
      await first.scrollIntoViewIfNeeded();
      const frames = first.locator('iframe');
      await expect.poll(() => frames.count()).toBe(2);
      const [phone, desktop] = [await frames.nth(0).boundingBox(), await frames.nth(1).boundingBox()];
      expect(Math.round(phone!.width)).toBe(375);
      expect(Math.round(desktop!.width)).toBe(800);
      expect(desktop!.x).toBeGreaterThan(phone!.x + phone!.width); // side by side
      expect(Math.abs(desktop!.y - phone!.y)).toBeLessThan(2);
      const phoneFrame = await (await frames.nth(0).elementHandle())!.contentFrame();
      await phoneFrame!.waitForLoadState('load');
      const widths = await phoneFrame!.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      expect(widths.scroll).toBeLessThanOrEqual(widths.client + 1);
      expect(await phoneFrame!.locator('text=Black-Box On-Policy Distillation').count()).toBeGreaterThan(0);
      mkdirSync('test-results/preview', { recursive: true });
      await page.screenshot({ path: 'test-results/preview/preview-2025-11-14.png' });
      expect(existsSync('test-results/preview/preview-2025-11-14.png')).toBe(true);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
