import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/arxiv/parse-feed.ts';
import { DEFAULT_DOMAINS } from '../../src/config/default-domains.ts';
import { renderIssue } from '../../src/render/render-issue.ts';
import { buildSegmentIssue } from '../../src/select/build-segment-issue.ts';
import { selectPapers } from '../../src/select/select-papers.ts';
import { standInChinese } from '../support/distinct-readers.ts';
import type { ChineseText, Language, NewsletterSite, Paper, SegmentIssue } from '../../src/types.ts';

// Everything that matches is in reach (issue 12, part 3), on the two real full days: each topic's top papers with
// summaries, then its other matching papers by title, then "and N more" with the exact N, and no mail over
// 90 KB. The largest mail is the all-topics one; it is rendered for each language, without summaries (excerpts)
// and with a TL;DR and key points for every paper.

const SITE: NewsletterSite = {
  name: 'paperboy',
  publicBaseUrl: 'https://paperboy.example.org',
  postalAddress: 'paperboy, 1 Example Street, 10115 Berlin, Germany',
  fromAddress: 'paperboy <digest@paperboy.example.org>',
};
const BUDGET = 90_000;
const ALL_TOPICS = DEFAULT_DOMAINS.map((d) => d.id);

function chineseFor(papers: readonly Paper[], withPoints: boolean): (paper: Paper) => ChineseText {
  const index = new Map(papers.map((p, i) => [p.id, i]));
  return (paper) => standInChinese(paper, index.get(paper.id) ?? 0, withPoints);
}

/** The part of the mail (HTML or text) between topic `index`'s heading and the next topic's. */
function sectionSlice(mail: string, issue: SegmentIssue, index: number, html: boolean): string {
  const marker = (i: number): string => {
    const domain = issue.sections[i]?.domain;
    if (!domain) return '\u0000never';
    return html ? `name="d-${domain.id}"` : `\n${language(issue) === 'zh' ? domain.name.zh : language(issue) === 'en' ? domain.name.en : `${domain.name.zh} ${domain.name.en}`} · `;
  };
  const start = mail.indexOf(marker(index));
  const next = mail.indexOf(marker(index + 1), start + 1);
  const end = next >= 0 ? next : html ? mail.indexOf('pb-t" align="center"') : mail.indexOf('\n-- \n');
  return mail.slice(start, end);
}
const language = (issue: SegmentIssue): Language => issue.key.language;

/** "and 12 more in Computer vision" / "另有 12 篇": the N of a section's link, 0 when it has none. */
function moreN(slice: string, issue: SegmentIssue, index: number): number {
  const name = issue.sections[index]?.domain.name.en ?? '';
  const pattern = language(issue) === 'zh' ? /另有 (\d+) 篇/u : new RegExp(`and (\\d+) more in ${name.replace(/[&]/gu, '&(?:amp;)?')}`, 'u');
  const m = pattern.exec(slice);
  return m ? Number(m[1]) : 0;
}

interface DayFigures {
  matching: number;
  shown: number;
  listed: number;
  more: number;
  bytes: number;
}

async function checkDay(day: string, lang: Language, withPoints: boolean): Promise<DayFigures> {
  const file = `test/fixtures/full-days/rss-${day}.xml`;
  const papers = (await parseFeed(readFileSync(file, 'utf8'), file)).papers;
  const selections = selectPapers(papers, DEFAULT_DOMAINS);
  const issue = buildSegmentIssue(selections, { topics: ALL_TOPICS, language: lang }, day, chineseFor(papers, withPoints));
  const mail = await renderIssue(issue, SITE, { domains: DEFAULT_DOMAINS });
  expect(mail.bytes).toBe(Buffer.byteLength(mail.html, 'utf8'));
  expect(mail.bytes).toBeLessThanOrEqual(BUDGET);

  const figures: DayFigures = { matching: 0, shown: 0, listed: 0, more: 0, bytes: mail.bytes };
  issue.sections.forEach((section, index) => {
    const html = sectionSlice(mail.html, issue, index, true);
    const text = sectionSlice(mail.text, issue, index, false);
    const inHtml = (p: Paper): boolean => html.includes(`arxiv.org/abs/${p.id}"`);
    const inText = (p: Paper): boolean => text.includes(`arxiv.org/abs/${p.id}`);
    const shown = section.entries.filter((e) => inHtml(e.paper));
    const listedPapers = (section.listed ?? []).map((e) => e.paper);
    const listed = listedPapers.filter(inHtml);
    // The title-only list is the start of the ranked list: what is left out is its tail.
    expect(listed.map((p) => p.id)).toEqual(listedPapers.slice(0, listed.length).map((p) => p.id));
    // Same papers in both parts.
    expect(section.entries.filter((e) => inText(e.paper)).length).toBe(shown.length);
    expect(listedPapers.filter(inText).map((p) => p.id)).toEqual(listed.map((p) => p.id));
    // Exact N: every matching paper of the topic's section is shown, listed, or counted behind "and N more".
    const n = section.entries.length + section.more - shown.length - listed.length;
    expect(moreN(html, issue, index)).toBe(n);
    expect(moreN(text, issue, index)).toBe(n);
    if (n === 0) expect(html).not.toMatch(lang === 'zh' ? /另有 \d+ 篇/u : /and \d+ more in/u);
    figures.matching += section.entries.length + section.more;
    figures.shown += shown.length;
    figures.listed += listed.length;
    figures.more += n;
  });
  expect(figures.shown + figures.listed + figures.more).toBe(figures.matching);
  expect(mail.listed).toBe(figures.listed);
  expect(mail.unlisted).toBe(figures.more);
  return figures;
}

describe.each(['2025-10-22', '2025-10-23'])('full day %s, all 7 topics', (day) => {
  it.each<[Language, boolean]>([
    ['bilingual', false],
    ['bilingual', true],
    ['en', false],
    ['en', true],
    ['zh', false],
    ['zh', true],
  ])('%s reader (summaries: %s): ≤ 90 KB, shown + listed by title + exact "and N more"', async (lang, withPoints) => {
    const f = await checkDay(day, lang, withPoints);
    console.log(
      `${day} ${lang}${withPoints ? ' +points' : ''}: ${(f.bytes / 1000).toFixed(1)} KB, ${f.matching} matching = ${f.shown} shown + ${f.listed} listed by title + ${f.more} more`,
    );
    // Every reader gets the top papers of every topic with summaries.
    expect(f.shown).toBeGreaterThanOrEqual(ALL_TOPICS.length * 3);
    // An English mail with excerpts has room to list most other matching papers by title, with key points some;
    // a Chinese one without key points lists dozens. (With points, the 40-odd summaries fill the bilingual and zh
    // mails: those lists are empty and everything else is behind "and N more".) Each entry's links (its own page,
    // code, PDF, HTML, papers.cool) cost room the title lists would otherwise get.
    if (lang === 'en' && !withPoints) expect(f.listed).toBeGreaterThan(100);
    if (lang === 'en' && withPoints) expect(f.listed).toBeGreaterThan(0);
    if (lang === 'zh' && !withPoints) expect(f.listed).toBeGreaterThan(30);
  });
});
