import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/arxiv/parse-feed.ts';
import { DEFAULT_DOMAINS } from '../../src/config/default-domains.ts';
import { selectPapers } from '../../src/select/select-papers.ts';
import { saveBatch } from '../../src/store/batches.ts';
import { markDelivery, planDeliveries } from '../../src/store/deliveries.ts';
import { findSubscriber, upsertSubscribers } from '../../src/store/subscribers.ts';
import type { Paper } from '../../src/types.ts';
import { buildArchiveIssue } from '../../src/web/issue-archive.ts';
import { createHarness, storeSampleDay, textOf, type Harness } from './web-harness.ts';

// The web archive of sent issues: every selected paper of a stored day (not only the ones the mail had room
// for), bilingual, escaped, and nothing for a day that was never sent.

const DAY = '2025-11-14';
const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';

let papers: Paper[];
beforeAll(async () => {
  papers = (await parseFeed(readFileSync(FEED, 'utf8'), 'fixture')).papers;
});

async function storedDay(sent: boolean): Promise<Harness> {
  const h = await createHarness();
  await storeSampleDay(h, { sent });
  return h;
}

const articles = (page: string) => [...page.matchAll(/<article class="paper" id="p-([^"]+)">/g)].map((m) => m[1]);

describe('the web archive', () => {
  it('shows nothing for a day that was stored but never sent', async () => {
    const h = await storedDay(false);
    expect(textOf(await (await h.app.request('/issues')).text())).toContain('No issue has been sent yet');
    expect((await h.app.request(`/issues/${DAY}`)).status).toBe(404);
    expect((await h.app.request(`/issues/${DAY}/llm`)).status).toBe(404);
  });

  it('lists sent issues with their bilingual date', async () => {
    const h = await storedDay(true);
    const res = await h.app.request('/issues');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('public');
    const page = await res.text();
    expect(page).toContain(`href="/issues/${DAY}"`);
    expect(textOf(page)).toContain('Friday, 14 November 2025');
    expect(textOf(page)).toContain('2025年11月14日 星期五');
    expect(textOf(page)).toContain('20 papers');
  });

  it('shows every selected paper of the day once, with Chinese where it is stored', async () => {
    const h = await storedDay(true);
    const res = await h.app.request(`/issues/${DAY}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    const selected = new Set(selectPapers(papers, DEFAULT_DOMAINS).flatMap((s) => s.matches.map((m) => m.paper.id)));
    const shown = articles(page);
    expect(shown.length).toBe(selected.size);
    expect(new Set(shown)).toEqual(selected);
    expect(page).toContain('大语言模型的黑盒在线策略蒸馏'); // the glossary's wording (issue 11): the recorded 大型语言模型 is normalised
    expect(page).toContain('lang="zh-CN"');
    for (const domain of DEFAULT_DOMAINS) expect(page).toContain(`id="d-${domain.id}"`);
  });

  it('shows all papers of one topic on its page, past the cap the mail uses', async () => {
    const h = await storedDay(true);
    const capped = DEFAULT_DOMAINS.map((d) => ({ ...d, cap: 1 }));
    const h2 = await createHarness({ domains: capped });
    await saveBatch(h2.db, DAY, papers, [FEED], new Date());
    await upsertSubscribers(h2.db, [{ email: 'r@example.org', name: null, topics: ['llm'], language: 'en' }], new Date());
    await planDeliveries(h2.db, DAY, [{ subscriberId: 1, email: 'r@example.org', segmentId: 'en.llm' }], new Date());
    await markDelivery(h2.db, DAY, 1, { status: 'sent', messageId: 'm' }, new Date());

    const llm = selectPapers(papers, DEFAULT_DOMAINS).find((s) => s.domain.id === 'llm')!;
    expect(llm.matches.length).toBeGreaterThan(1);
    for (const app of [h.app, h2.app]) {
      const page = await (await app.request(`/issues/${DAY}/llm`)).text();
      expect(new Set(articles(page))).toEqual(new Set(llm.matches.map((m) => m.paper.id)));
      expect(textOf(page)).toContain('Large language models');
      expect(textOf(page)).toContain('大语言模型');
    }
  });

  it.each([
    ['an unknown topic', `/issues/${DAY}/astrology`],
    ['a day with no batch', '/issues/2025-11-13'],
    ['an impossible date', '/issues/2025-13-45'],
    ['a path that is no date', '/issues/latest'],
  ])('answers %s with 404', async (_name, path) => {
    const h = await storedDay(true);
    expect((await h.app.request(path)).status).toBe(404);
  });

  it('escapes whatever the feed put in titles and abstracts', async () => {
    const h = await storedDay(true);
    const evil: Paper = { ...papers[0]!, title: 'Large language model <script>alert(1)</script> agents', abstract: 'An LLM "quote" & <b>bold</b>.' };
    await saveBatch(h.db, DAY, [evil, ...papers.slice(1)], [FEED], new Date());
    const page = await (await h.app.request(`/issues/${DAY}`)).text();
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<b>bold</b>');
  });
});

describe('buildArchiveIssue', () => {
  it('lists every match of a domain regardless of its cap, and tags papers with their other domains', () => {
    const domains = DEFAULT_DOMAINS.map((d) => ({ ...d, cap: 1 }));
    const selections = selectPapers(papers, domains);
    for (const selection of selections) {
      const issue = buildArchiveIssue(papers, domains, DAY, () => null, selection.domain.id);
      expect(issue.sections).toHaveLength(1);
      expect(issue.sections[0]!.entries.map((e) => e.paper.id).sort()).toEqual(selection.matches.map((m) => m.paper.id).sort());
      for (const entry of issue.sections[0]!.entries) {
        const others = selections.filter((s) => s.domain.id !== selection.domain.id && s.matches.some((m) => m.paper.id === entry.paper.id));
        expect(entry.alsoIn.sort()).toEqual(others.map((s) => s.domain.id).sort());
      }
    }
  });
});
