import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/arxiv/parse-feed.ts';
import { DEFAULT_DOMAINS } from '../../src/config/default-domains.ts';
import { createMailAssembler } from '../../src/render/assemble-mail.ts';
import { renderIssue, type RenderResult } from '../../src/render/render-issue.ts';
import { buildSegmentIssue, selectPapers } from '../../src/select/index.ts';
import type { NewsletterSite, Paper, SegmentIssue } from '../../src/types.ts';
import { dayTexts, distinctReaderIssues } from '../support/distinct-readers.ts';
import { SAMPLE_FEED } from '../support/builders.ts';

// Personal mails at scale (issue 12, part 6): a mail assembled from pieces rendered once is the mail the full MJML
// render gives for the same reader: same HTML after whitespace normalisation (and the same bytes, so the size
// budget stops at the same step), same text part, same counts. Readers with different topics, languages, keywords,
// exclusions and followed authors, on both real full days and the sample day.

const SITE: NewsletterSite = {
  name: 'paperboy',
  publicBaseUrl: 'https://paperboy.example.org',
  postalAddress: 'paperboy, 1 Example Street, 10115 Berlin, Germany',
  fromAddress: 'paperboy <digest@paperboy.example.org>',
};
const OPTIONS = { domains: DEFAULT_DOMAINS };

const normalise = (html: string): string => html.replace(/\s+/gu, ' ').trim();

/** Where two strings first differ, with a little context: a 90 KB diff says nothing. */
function firstDifference(a: string, b: string): string | null {
  if (a === b) return null;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}:\n  assembled …${a.slice(Math.max(0, i - 80), i + 80)}…\n  full      …${b.slice(Math.max(0, i - 80), i + 80)}…`;
}

function expectSameMail(assembled: RenderResult, full: RenderResult): void {
  expect(firstDifference(normalise(assembled.html), normalise(full.html))).toBeNull();
  expect(firstDifference(assembled.text, full.text)).toBeNull();
  expect({ ...assembled, html: '', text: '' }).toEqual({ ...full, html: '', text: '' });
}

async function loadDay(file: string, batchDate: string) {
  const papers = (await parseFeed(readFileSync(file, 'utf8'), file)).papers;
  return { batchDate, papers, selections: selectPapers(papers, DEFAULT_DOMAINS) };
}

describe.each([
  ['2025-10-22', 'test/fixtures/full-days/rss-2025-10-22.xml', 10],
  ['2025-10-23', 'test/fixtures/full-days/rss-2025-10-23.xml', 10],
  ['2025-11-14', SAMPLE_FEED, 12],
])('day %s', (batchDate, file, readers) => {
  it(`${readers} readers with their own preferences: assembled mail = full render`, async () => {
    const day = await loadDay(file, batchDate);
    const issues = distinctReaderIssues(day, dayTexts(day.papers), { from: 0, to: readers });
    // The readers differ: languages, personal sections, empty and over-budget mails all occur across the days.
    expect(new Set(issues.map((i) => i.segmentId)).size).toBe(readers);
    expect(issues.some((i) => i.sections.some((s) => s.domain.id.startsWith('~')))).toBe(true);
    const assembler = createMailAssembler(SITE, OPTIONS);
    let degraded = 0;
    for (const issue of issues) {
      const full = await renderIssue(issue, SITE, OPTIONS);
      const assembled = await assembler.render(issue);
      expectSameMail(assembled, full);
      if (full.degraded > 0) degraded += 1;
    }
    if (batchDate !== '2025-11-14') expect(degraded).toBeGreaterThan(0);
    // The frame is compiled once, however many mails.
    expect(assembler.stats().mjmlCompiles).toBe(1);
  }, 180_000);
});

describe('pieces rendered once', () => {
  it('a second pass over the same readers renders nothing: every piece of their mails is kept', async () => {
    const day = await loadDay(SAMPLE_FEED, '2025-11-14');
    const issues = distinctReaderIssues(day, dayTexts(day.papers), { from: 100, to: 130 });
    const assembler = createMailAssembler(SITE, OPTIONS);
    const firstPass = [];
    for (const issue of issues) firstPass.push(await assembler.render(issue));
    const first = assembler.stats();
    expect(first.piecesRendered).toBeGreaterThan(0);
    for (const [i, issue] of issues.entries()) expect(await assembler.render(issue)).toEqual(firstPass[i]);
    const second = assembler.stats();
    expect(second.piecesRendered).toBe(first.piecesRendered);
    expect(second.mails).toBe(2 * issues.length);
  });
});

describe('edge cases', () => {
  const paperWith = (base: Paper, title: string): Paper => ({ ...base, title });

  it('titles with markup characters, an empty topic, a mail without sections', async () => {
    const day = await loadDay(SAMPLE_FEED, '2025-11-14');
    // The day's top LLM paper, its title extended (so it still matches) with characters HTML must escape.
    const top = day.selections.find((s) => s.domain.id === 'llm')?.matches[0]?.paper as Paper;
    const papers = day.papers.map((p) =>
      p === top ? paperWith(p, `${p.title}: Tom's <Fast> & "Exact" Attention, $O(n)$ \u00e9t\u00e9`) : p,
    );
    const selections = selectPapers(papers, DEFAULT_DOMAINS);
    const texts = dayTexts(papers);
    const assembler = createMailAssembler(SITE, OPTIONS);
    const keys = [
      { topics: DEFAULT_DOMAINS.map((d) => d.id), language: 'bilingual' as const },
      { topics: ['robotics', 'llm'], language: 'zh' as const },
      { topics: ['robotics'], language: 'en' as const },
    ];
    const issues: SegmentIssue[] = keys.map((key) => buildSegmentIssue(selections, key, '2025-11-14', texts.chineseOf));
    // No segment has no topic, but the frame without sections is assembled right too.
    issues.push({ ...issues[2]!, sections: [] });
    for (const issue of issues) {
      expectSameMail(await assembler.render(issue), await renderIssue(issue, SITE, OPTIONS));
    }
    // The tricky title is in the all-topics mail, escaped (the comparison above says: as the full render escapes it).
    const all = await assembler.render(issues[0]!);
    expect(all.html).toContain('Tom&#x27;s &lt;Fast&gt; &amp; &quot;Exact&quot;');
    expect(all.html).not.toContain('<Fast>');
  });

  it('a small budget: the assembled mail degrades to the same step', async () => {
    const day = await loadDay(SAMPLE_FEED, '2025-11-14');
    const texts = dayTexts(day.papers);
    const options = { ...OPTIONS, maxHtmlBytes: 30_000 };
    const assembler = createMailAssembler(SITE, options);
    const issue = buildSegmentIssue(day.selections, { topics: DEFAULT_DOMAINS.map((d) => d.id), language: 'bilingual' }, '2025-11-14', texts.chineseOf);
    const full = await renderIssue(issue, SITE, options);
    expect(full.degraded).toBeGreaterThan(0);
    expectSameMail(await assembler.render(issue), full);
  });
});
