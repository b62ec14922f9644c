import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/arxiv/parse-feed.ts';
import { DEFAULT_DOMAINS } from '../../src/config/default-domains.ts';
import { mergeWeekPapers, selectPapers } from '../../src/select/index.ts';
import { saveBatch } from '../../src/store/batches.ts';
import { markDelivery, planDeliveries } from '../../src/store/deliveries.ts';
import { findSubscriber, upsertSubscribers } from '../../src/store/subscribers.ts';
import type { Paper } from '../../src/types.ts';
import { digestWeeksOf, isMonday } from '../../src/web/issue-archive.ts';
import { createHarness, textOf, type Harness } from './web-harness.ts';

// A weekly digest's web page (/weeks/<monday>): the papers of the week's stored batches up to the digest's batch,
// selected as the digest selects them (uncapped, like the daily archive), each once; only for a week whose digest
// went out to someone.

const MONDAY = '2025-10-20';
const WEDNESDAY = '2025-10-22';
const THURSDAY = '2025-10-23';
const feedOf = (day: string) => `test/fixtures/full-days/rss-${day}.xml`;

let wednesday: Paper[];
let thursday: Paper[];
beforeAll(async () => {
  wednesday = (await parseFeed(readFileSync(feedOf(WEDNESDAY), 'utf8'), 'fixture')).papers;
  thursday = (await parseFeed(readFileSync(feedOf(THURSDAY), 'utf8'), 'fixture')).papers;
});

/** Wednesday and Thursday stored; a weekly reader's digest on Thursday's issue, sent unless `sent` is false. */
async function storedWeek(options: { sent: boolean; wednesdayPapers?: Paper[] } = { sent: true }): Promise<Harness> {
  const h = await createHarness();
  await saveBatch(h.db, WEDNESDAY, options.wednesdayPapers ?? wednesday, [feedOf(WEDNESDAY)], new Date());
  await saveBatch(h.db, THURSDAY, thursday, [feedOf(THURSDAY)], new Date());
  await upsertSubscribers(h.db, [{ email: 'w@example.org', name: null, topics: ['llm'], language: 'en' }], new Date());
  const id = (await findSubscriber(h.db, { email: 'w@example.org' }))!.id;
  await planDeliveries(h.db, THURSDAY, [{ subscriberId: id, email: 'w@example.org', segmentId: 'weekly.en.llm' }], new Date());
  if (options.sent) await markDelivery(h.db, THURSDAY, id, { status: 'sent', messageId: 'm' }, new Date());
  return h;
}

const articles = (page: string) => [...page.matchAll(/<article class="paper" id="p-([^"]+)">/g)].map((m) => m[1]);

describe('a weekly digest’s page', () => {
  it('shows every paper the week’s selection picked from Monday to the digest’s batch, each once, in both languages', async () => {
    const h = await storedWeek();
    const res = await h.app.request(`/weeks/${MONDAY}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('public');
    const page = await res.text();
    const week = mergeWeekPapers([wednesday, thursday]);
    const selected = new Set(selectPapers(week, DEFAULT_DOMAINS).flatMap((s) => s.matches.map((m) => m.paper.id)));
    const shown = articles(page);
    expect(shown.length).toBe(selected.size);
    expect(new Set(shown)).toEqual(selected);
    // Both days are in it: papers only Wednesday's batch had, and papers only Thursday's had.
    const thursdayIds = new Set(thursday.map((p) => p.id));
    const wednesdayIds = new Set(wednesday.map((p) => p.id));
    expect(shown.some((id) => !thursdayIds.has(id!))).toBe(true);
    expect(shown.some((id) => !wednesdayIds.has(id!))).toBe(true);
    const text = textOf(page);
    expect(text).toContain('arXiv weekly digest · 20–23 October 2025');
    expect(text).toContain('arXiv 周报 · 2025年10月20日–23日');
    expect(text).toContain(`${week.length} papers in the week's batches`);
    expect(text).toContain(`本周各期共 ${week.length} 篇`);
    expect(page).toContain(`href="/papers/${shown[0]}"`);
    for (const domain of DEFAULT_DOMAINS) expect(page).toContain(`id="d-${domain.id}"`);
    // Links to a topic's own page stay on the week.
    expect(page).not.toContain('href="/issues/');
    expect(page).toMatch(new RegExp(`href="/weeks/${MONDAY}/[a-z-]+"`));
  });

  it('has one page per topic with all of its papers, linking back to the week', async () => {
    const h = await storedWeek();
    const llm = selectPapers(mergeWeekPapers([wednesday, thursday]), DEFAULT_DOMAINS).find((s) => s.domain.id === 'llm')!;
    const res = await h.app.request(`/weeks/${MONDAY}/llm`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(new Set(articles(page))).toEqual(new Set(llm.matches.map((m) => m.paper.id)));
    expect(page).toContain(`href="/weeks/${MONDAY}"`);
    expect(textOf(page)).toContain('大语言模型');
  });

  it('is listed on /issues under Weekly digests, and its papers have their own pages though no daily issue went out', async () => {
    const h = await storedWeek();
    const index = await (await h.app.request('/issues')).text();
    expect(index).toContain(`href="/weeks/${MONDAY}"`);
    expect(textOf(index)).toContain('Weekly digests 每周精选');
    expect(textOf(index)).toContain('20–23 October 2025 2025年10月20日–23日');

    const wednesdayOnly = articles(await (await h.app.request(`/weeks/${MONDAY}`)).text()).find(
      (id) => !thursday.some((p) => p.id === id),
    )!;
    const paper = await h.app.request(`/papers/${wednesdayOnly}`);
    expect(paper.status).toBe(200);
    expect(await paper.text()).toContain(`href="/weeks/${MONDAY}#p-${wednesdayOnly}"`);
  });

  it('escapes whatever the feed put in titles and abstracts', async () => {
    const top = selectPapers(wednesday, DEFAULT_DOMAINS).find((s) => s.domain.id === 'llm')!.matches[0]!.paper;
    const evil: Paper = { ...top, title: `${top.title} <script>alert(1)</script>`, abstract: `${top.abstract} "quote" & <b>bold</b>.` };
    const h = await storedWeek({ sent: true, wednesdayPapers: wednesday.map((p) => (p.id === top.id ? evil : p)) });
    const page = await (await h.app.request(`/weeks/${MONDAY}`)).text();
    expect(articles(page)).toContain(top.id);
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<b>bold</b>');
  });

  it('does not exist for a week whose digest was planned but never sent, and /issues lists no week then', async () => {
    const h = await storedWeek({ sent: false });
    const res = await h.app.request(`/weeks/${MONDAY}`);
    expect(res.status).toBe(404);
    expect(textOf(await res.text())).toContain('Page not found');
    expect((await h.app.request(`/weeks/${MONDAY}/llm`)).status).toBe(404);
    expect(textOf(await (await h.app.request('/issues')).text())).not.toContain('Weekly digests');
  });

  it.each([
    ['a week without batches', '/weeks/2025-10-27'],
    ['a date that is no Monday', `/weeks/${THURSDAY}`],
    ['an impossible date', '/weeks/2025-13-45'],
    ['a path that is no date', '/weeks/latest'],
    ['an unknown topic', `/weeks/${MONDAY}/astrology`],
  ])('answers %s with 404', async (_name, path) => {
    const h = await storedWeek();
    expect((await h.app.request(path)).status).toBe(404);
  });
});

describe('digestWeeksOf', () => {
  it.each([
    ['nothing', [], []],
    ['one digest', ['2025-10-23'], [{ from: '2025-10-20', to: '2025-10-23' }]],
    [
      'a late digest later in the week: the week ends at the first',
      ['2025-10-23', '2025-10-24', '2025-10-30'],
      [
        { from: '2025-10-27', to: '2025-10-30' },
        { from: '2025-10-20', to: '2025-10-23' },
      ],
    ],
    ['across a year', ['2026-01-02'], [{ from: '2025-12-29', to: '2026-01-02' }]],
  ])('%s', (_name, batches, weeks) => {
    expect(digestWeeksOf(batches)).toEqual(weeks);
  });
});

describe('isMonday', () => {
  it.each([
    ['2025-10-20', true],
    ['2025-12-29', true],
    ['2025-10-23', false],
    ['2025-13-45', false],
    ['2025-02-31', false],
  ])('%s → %s', (date, monday) => {
    expect(isMonday(date)).toBe(monday);
  });
});
