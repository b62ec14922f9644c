import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseApiResponse } from '../../src/arxiv/parse-api-response.ts';
import { parseFeed } from '../../src/arxiv/parse-feed.ts';
import { saveBatch } from '../../src/store/batches.ts';
import { markDelivery, planDeliveries } from '../../src/store/deliveries.ts';
import { saveDetails } from '../../src/store/paper-details.ts';
import { findSubscriber, upsertSubscribers } from '../../src/store/subscribers.ts';
import { importTranslations } from '../../src/translate/import-translations.ts';
import type { Paper } from '../../src/types.ts';
import { createHarness, textOf, type Harness } from './web-harness.ts';

// A paper's own page in the web archive: both titles, every author, venue and code from the arXiv API details,
// links with room to tap, the abstract in both languages; only for papers of sent issues.

const DAY = '2025-11-14';
const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';

let papers: Paper[];
beforeAll(async () => {
  papers = (await parseFeed(readFileSync(FEED, 'utf8'), 'fixture')).papers;
});

async function storedDay(sent: boolean): Promise<Harness> {
  const h = await createHarness();
  await saveBatch(h.db, DAY, papers, [FEED], new Date());
  await importTranslations(h.db, 'zh-2025-11-14.json', JSON.parse(readFileSync('test/fixtures/zh-2025-11-14.json', 'utf8')), new Date());
  const api = await parseApiResponse(readFileSync('test/fixtures/arxiv-api/query-2025-11-14.xml', 'utf8'), 'fixture');
  await saveDetails(h.db, api.details, new Date());
  if (sent) {
    await upsertSubscribers(h.db, [{ email: 'r@example.org', name: null, topics: ['llm'], language: 'en' }], new Date());
    const id = (await findSubscriber(h.db, { email: 'r@example.org' }))!.id;
    await planDeliveries(h.db, DAY, [{ subscriberId: id, email: 'r@example.org', segmentId: 'en.llm' }], new Date());
    await markDelivery(h.db, DAY, id, { status: 'sent', messageId: 'm' }, new Date());
  }
  return h;
}

describe('/papers/<id>', () => {
  it('shows the paper with both titles, all authors, venue, code and the abstract in both languages', async () => {
    const h = await storedDay(true);
    const res = await h.app.request('/papers/2511.10647');
    expect(res.status).toBe(200);
    const page = await res.text();
    const text = textOf(page);
    const paper = papers.find((p) => p.id === '2511.10647')!;
    expect(text).toContain('Depth Anything 3');
    for (const author of paper.authors) expect(text).toContain(author.name);
    expect(page).toContain('href="https://github.com/ByteDance-Seed/Depth-Anything-3"');
    expect(page).toContain('href="https://depth-anything-3.github.io/"');
    expect(page).toContain(`href="${paper.links.pdf}"`);
    expect(page).toContain(`href="${paper.links.papersCool}"`);
    expect(page).toContain('<p lang="zh-CN">');
    expect(page).toContain(`href="/issues/${DAY}#p-2511.10647"`);
  });

  it('names the venue the comment gives', async () => {
    const h = await storedDay(true);
    const page = await (await h.app.request('/papers/2511.10635')).text();
    expect(page).toContain('<p class="venue">ICRA 2026</p>');
  });

  it('answers 404 for a paper of a day never sent, an unknown id and a malformed one', async () => {
    const unsent = await storedDay(false);
    expect((await unsent.app.request('/papers/2511.10647')).status).toBe(404);
    const h = await storedDay(true);
    expect((await h.app.request('/papers/2511.99999')).status).toBe(404);
    expect((await h.app.request('/papers/2511.10647v1')).status).toBe(404);
    expect((await h.app.request('/papers/%3Cscript%3E')).status).toBe(404);
  });
});
