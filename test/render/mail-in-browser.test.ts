import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/arxiv/parse-feed.ts';
import { DEFAULT_DOMAINS } from '../../src/config/default-domains.ts';
import { personalize, renderIssue } from '../../src/render/render-issue.ts';
import { buildSegmentIssue, segmentKeyOf } from '../../src/select/build-segment-issue.ts';
import { selectPapers } from '../../src/select/select-papers.ts';
import { cleanAbstractZh, cleanTitleZh } from '../../src/translate/clean-translation.ts';
import type { ChineseText, Language } from '../../src/types.ts';
import { chromiumAvailable, launchChromium } from '../support/chromium.ts';

// The sample day's mail in real Chromium at phone and desktop width: the layout must hold (no sideways scrolling)
// and the screenshots land in test-results/mail/ for a person to look at.

const required = process.env.CI === 'true';
const run = chromiumAvailable() || required ? describe : describe.skip;
if (!chromiumAvailable() && !required) console.warn('mail-in-browser: /usr/bin/chromium missing, browser checks skipped');

const OUT = 'test-results/mail';

async function renderSample(language: Language, topics: string[]) {
  const feed = await parseFeed(readFileSync('test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml', 'utf8'), 'fixture');
  const zh = JSON.parse(readFileSync('test/fixtures/zh-2025-11-14.json', 'utf8')) as Record<string, { title_zh_raw?: string; abstract_zh: string }>;
  const chineseOf = (paper: { id: string }): ChineseText | null => {
    const entry = zh[paper.id];
    if (!entry) return null;
    return { titleZh: entry.title_zh_raw ? cleanTitleZh(entry.title_zh_raw).text : null, abstractZh: cleanAbstractZh(entry.abstract_zh).text };
  };
  const key = segmentKeyOf(topics, language, DEFAULT_DOMAINS.map((d) => d.id));
  const issue = buildSegmentIssue(selectPapers(feed.papers, DEFAULT_DOMAINS), key, '2025-11-14', chineseOf);
  const mail = await renderIssue(
    issue,
    { name: 'paperboy · arXiv daily', publicBaseUrl: 'https://digest.example.org', postalAddress: 'Example Lab, 1 Example Road', fromAddress: 'digest@example.org' },
    { domains: DEFAULT_DOMAINS },
  );
  return personalize(mail, { unsubscribeUrl: 'https://digest.example.org/unsubscribe/x', preferencesUrl: 'https://digest.example.org/preferences/x', email: 'reader@example.org' });
}

run('the newsletter in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each([
    ['bilingual', ['llm', 'agents', 'multimodal', 'reasoning', 'evaluation', 'vision', 'robotics']],
    ['zh', ['multimodal', 'vision']],
    ['en', ['robotics', 'vision']],
  ] as const)('%s mail holds its layout at 375 and 800 px, light and dark', async (language, topics) => {
    const mail = await renderSample(language, [...topics]);
    for (const width of [375, 800]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const page = await browser.newPage({ viewport: { width, height: 800 } });
        await page.emulateMedia({ colorScheme });
        await page.setContent(mail.html, { waitUntil: 'load' });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${language} at ${width}px scrolls sideways`).toBeLessThanOrEqual(0);
        // Every paper title link is visible and on screen horizontally.
        const titles = await page.locator('a[href^="https://arxiv.org/abs/"]').evaluateAll((links) =>
          links.map((a) => a.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => r.right),
        );
        expect(titles.length).toBeGreaterThan(0);
        for (const right of titles) expect(right).toBeLessThanOrEqual(width);
        if (language !== 'en') {
          const chinese = await page.locator('[lang="zh-CN"]').count();
          expect(chinese).toBeGreaterThan(0);
        }
        await page.screenshot({ path: join(OUT, `${language}-${width}-${colorScheme}.png`), fullPage: true });
        await page.close();
      }
    }
  });
});

run('the newsletter on a phone (issue 11, item 8)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(['bilingual', 'zh', 'en'] as const)('%s at 375 px: 44 px tap targets, no separator alone at a wrap', async (language) => {
    const mail = await renderSample(language, ['llm', 'agents', 'multimodal', 'reasoning', 'evaluation', 'vision', 'robotics']);
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await page.setContent(mail.html, { waitUntil: 'load' });
    // Link rows under each paper, the footer's links and "View in browser".
    const heights = await page.locator('.lk a, a.tap').evaluateAll((links) => links.map((a) => a.getBoundingClientRect().height));
    expect(heights.length).toBeGreaterThan(3);
    for (const height of heights) expect(height).toBeGreaterThanOrEqual(44);
    // Every "·" sits on the same line as the characters around it, and "Unsubscribe / 退订" stays on one line.
    const broken = await page.evaluate(() => {
      const out: string[] = [];
      const top = (node: Text, at: number): number => {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + 1);
        return Math.round(range.getBoundingClientRect().top);
      };
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
        const text = node.data;
        for (let i = text.indexOf('·'); i >= 0; i = text.indexOf('·', i + 1)) {
          const el = node.parentElement;
          if (!el || el.getBoundingClientRect().height === 0) continue;
          const before = text.slice(0, i).search(/\S\s*$/u);
          const after = text.slice(i + 1).search(/\S/u);
          if (before >= 0 && top(node, before) !== top(node, i)) out.push(`"·" starts a line: ${text}`);
          if (after >= 0 && top(node, i + 1 + after) !== top(node, i)) out.push(`"·" ends a line: ${text}`);
        }
      }
      for (const a of Array.from(document.querySelectorAll('a'))) {
        if (/退订|Unsubscribe/u.test(a.textContent ?? '') && a.getClientRects().length !== 1) out.push('unsubscribe wraps');
      }
      return out;
    });
    expect(broken).toEqual([]);
    // No excerpt ends in a lone "…".
    expect(await page.evaluate(() => document.body.innerText)).not.toMatch(/(^|\s)…/mu);
    await page.close();
  });
});
