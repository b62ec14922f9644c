import { describe, expect, it } from 'vitest';
import { Newsletter } from '../../emails/newsletter.tsx';
import { formatWeekRange } from '../../src/render/format-date.ts';
import { createMailAssembler } from '../../src/render/assemble-mail.ts';
import { buildPreheader, buildSubject, emptySectionLine, issueDateLine } from '../../src/render/issue-copy.ts';
import { renderIssue } from '../../src/render/render-issue.ts';
import type { SegmentIssue } from '../../src/types.ts';

// What tells a weekly reader this is the weekly digest (issue 12, part 5): the subject, the preheader and the
// masthead say "weekly / This week · 周报 / 本周" with the week's dates; a daily mail says what it always said.

const daily: SegmentIssue = Newsletter.PreviewProps.issue;
const weekly: SegmentIssue = { ...daily, key: { ...daily.key, frequency: 'weekly' }, week: { from: '2025-11-10', to: '2025-11-14' } };

describe('formatWeekRange', () => {
  it.each([
    ['2025-11-10', '2025-11-14', 'long', '10–14 November 2025', '2025年11月10日–14日'],
    ['2025-11-10', '2025-11-14', 'short', '10–14 Nov 2025', '2025年11月10日–14日'],
    ['2025-10-27', '2025-10-31', 'short', '27–31 Oct 2025', '2025年10月27日–31日'],
    ['2025-09-29', '2025-10-02', 'long', '29 September – 2 October 2025', '2025年9月29日–10月2日'],
    ['2025-12-29', '2026-01-02', 'short', '29 Dec 2025 – 2 Jan 2026', '2025年12月29日–2026年1月2日'],
  ] as const)('%s to %s (%s)', (from, to, length, en, zh) => {
    expect(formatWeekRange(from, to, length)).toEqual({ en, zh });
  });
});

describe('a weekly digest says so', () => {
  it('in the subject, the preheader and the masthead date', () => {
    expect(buildSubject(weekly)).toBe('arXiv 周报 2025年11月10日–14日 · 7 篇 | arXiv weekly 10–14 Nov 2025 · 7 papers');
    expect(buildSubject({ ...weekly, key: { ...weekly.key, language: 'en' } })).toBe('arXiv weekly 10–14 Nov 2025 · 7 papers');
    expect(buildPreheader(weekly)).toMatch(/^本周 · 7 篇新论文 · .* \| This week · 7 new papers · /u);
    expect(issueDateLine(weekly)).toEqual({ en: 'This week: 10–14 November 2025', zh: '本周：2025年11月10日–14日' });
    // The daily mail is unchanged.
    expect(buildSubject(daily)).toBe('arXiv 日报 2025年11月14日 · 7 篇 | arXiv digest Fri 14 Nov 2025 · 7 papers');
    expect(issueDateLine(daily)).toEqual({ en: 'Friday, 14 November 2025', zh: '2025年11月14日 星期五' });
  });

  it('in the rendered mail, HTML and text', async () => {
    const mail = await renderIssue(weekly, Newsletter.PreviewProps.site, { domains: weekly.sections.map((s) => s.domain) });
    for (const part of [mail.html, mail.text]) {
      expect(part).toContain('This week: 10–14 November 2025');
      expect(part).toContain('本周：2025年11月10日–14日');
    }
    expect(mail.html).toContain('arXiv 每周论文精选');
    expect(mail.html).not.toContain('Friday, 14 November 2025');
  });
});

describe('a weekly digest speaks of the week, not of today', () => {
  it('in a section that lists none of its papers', () => {
    const [first, second] = weekly.sections;
    const entry = first!.entries[0]!;
    // Topic b's one paper sits in topic a's section, tagged with b; b's own section lists nothing.
    const mail: SegmentIssue = {
      ...weekly,
      sections: [
        { ...first!, entries: [{ ...entry, alsoIn: [second!.domain.id] }], listed: [], more: 0, total: 1 },
        { ...second!, entries: [], listed: [], more: 0, total: 1 },
      ],
    };
    expect(emptySectionLine(mail, 1)).toEqual({
      en: "This week's 1 paper in this topic is listed above under your other topics",
      zh: '本主题本周的 1 篇论文已列在上方其他主题中',
    });
    expect(emptySectionLine({ ...mail, week: undefined }, 1).en).toMatch(/^Today's 1 paper/);
    const none: SegmentIssue = { ...mail, sections: [{ ...second!, entries: [], listed: [], more: 0, total: 0 }] };
    expect(emptySectionLine(none, 0)).toEqual({ en: 'No new papers in this topic this week', zh: '本周该主题暂无新论文' });
  });
});

describe('a weekly digest’s links lead to its week’s web page', () => {
  const site = Newsletter.PreviewProps.site;
  const options = { domains: weekly.sections.map((s) => s.domain) };
  const base = site.publicBaseUrl;
  const links = (part: string) => [...part.matchAll(/https:\/\/paperboy\.example\.org\/(?:issues|weeks)\/[^\s"<>)]*/gu)].map((m) => m[0]);

  it('View in browser and "and N more", in HTML and text; the daily mail keeps its day’s page', async () => {
    // The sample's first topic has "and 4 more": both mails carry that link.
    expect(weekly.sections[0]!.more).toBeGreaterThan(0);
    const mails = { weekly: await renderIssue(weekly, site, options), daily: await renderIssue(daily, site, options) };
    for (const part of [mails.weekly.html, mails.weekly.text]) {
      expect(links(part).length).toBeGreaterThanOrEqual(2);
      expect(links(part).every((url) => url.startsWith(`${base}/weeks/2025-11-10`))).toBe(true);
      expect(part).toContain(`${base}/weeks/2025-11-10/${weekly.sections[0]!.domain.id}`);
    }
    for (const part of [mails.daily.html, mails.daily.text]) {
      expect(links(part).length).toBeGreaterThanOrEqual(2);
      expect(links(part).every((url) => url.startsWith(`${base}/issues/2025-11-14`))).toBe(true);
    }
  });

  it('also when one assembler renders a daily and a weekly mail of the same batch (kept pieces are not shared)', async () => {
    const assembler = createMailAssembler(site, options);
    for (const [issue, page] of [
      [daily, '/issues/2025-11-14'],
      [weekly, '/weeks/2025-11-10'],
      [daily, '/issues/2025-11-14'],
    ] as const) {
      const mail = await assembler.render(issue);
      expect(mail).toEqual(await renderIssue(issue, site, options));
      for (const part of [mail.html, mail.text]) expect(links(part).every((url) => url.startsWith(`${base}${page}`))).toBe(true);
    }
  });
});
