import {
  PERSONAL_SECTION_PREFIX,
  type AnnounceType,
  type Author,
  type Domain,
  type IssueEntry,
  type IssueSection,
  type Language,
  type LocalizedText,
  type NewsletterSite,
  type SegmentIssue,
} from '../types.ts';
import { formatIssueDate, formatShortDate, formatWeekRange } from './format-date.ts';
import {
  COUNT_SCOPES,
  countMail,
  joinCounts,
  listedCount,
  listedElsewhere,
  matchingCount,
  notListedHereLine,
  shownCount,
} from './paper-counts.ts';
import { pairedExcerpts, sentenceExcerpt } from './excerpt.ts';
import { truncateText } from './truncate.ts';

// Words and small computations shared by the HTML template (emails/newsletter.tsx) and the text part, so both
// parts of a mail say the same thing.

/** Per-reader values are filled in after rendering once per segment (see `personalize`). */
export const READER_PLACEHOLDERS = {
  unsubscribeUrl: '__PB_UNSUBSCRIBE_URL__',
  preferencesUrl: '__PB_PREFERENCES_URL__',
  email: '__PB_READER_EMAIL__',
} as const;

export interface ReaderFields {
  unsubscribeUrl: string;
  preferencesUrl: string;
  email: string;
}

export const DEFAULT_SUMMARY_WIDTH = { en: 360, zh: 240 } as const;
export const DEFAULT_MAX_AUTHORS = 4;

/** Shown in the Chinese slot when a translation is missing; never the English text. */
export const MISSING_ZH_MARKER = '译文暂缺 · Chinese translation pending';

export const UI = {
  viewInBrowser: { en: 'View in browser', zh: '在浏览器中查看' },
  tagline: { en: 'arXiv daily digest', zh: 'arXiv 每日论文精选' },
  taglineWeekly: { en: 'arXiv weekly digest', zh: 'arXiv 每周论文精选' },
  contents: { en: 'In this issue', zh: '本期目录' },
  empty: { en: 'No new papers in this topic today', zh: '今日该主题暂无新论文' },
  emptyWeek: { en: 'No new papers in this topic this week', zh: '本周该主题暂无新论文' },
  alsoIn: { en: 'also in', zh: '另见' },
  tldr: { en: 'TL;DR', zh: '一句话总结' },
  details: { en: 'Details', zh: '详情' },
  code: { en: 'Code', zh: '代码' },
  moreInTopic: { en: 'More in this topic', zh: '本主题更多论文' },
  preferences: { en: 'Change topics or language', zh: '修改主题或语言' },
  unsubscribe: { en: 'Unsubscribe', zh: '退订' },
  sentTo: { en: 'This copy was sent to', zh: '本邮件发送至' },
  thisWeek: { en: 'This week', zh: '本周' },
} as const satisfies Record<string, LocalizedText>;

/**
 * The masthead's date: the batch's date, or for a weekly digest "This week: 10–14 November 2025" /
 * "本周：2025年11月10日–14日" (the days its papers come from).
 */
export function issueDateLine(issue: SegmentIssue): LocalizedText {
  if (!issue.week) return formatIssueDate(issue.batchDate);
  const range = formatWeekRange(issue.week.from, issue.week.to);
  return { en: `${UI.thisWeek.en}: ${range.en}`, zh: `${UI.thisWeek.zh}：${range.zh}` };
}

/** "Label: value" in English and bilingual copy, "标签：值" in Chinese-only copy. */
export function colon(language: Language): string {
  return language === 'zh' ? '：' : ': ';
}

/** "also in: 智能体 Agents" (bilingual), "also in: Agents" (en), "另见：智能体" (zh); null when there is none. */
export function alsoInLine(
  entry: IssueEntry,
  language: Language,
  domainNames: Readonly<Record<string, LocalizedText>>,
): string | null {
  if (entry.alsoIn.length === 0) return null;
  const names = entry.alsoIn.map((id) => {
    const n = domainNames[id];
    if (!n) return id;
    return language === 'en' ? n.en : language === 'zh' ? n.zh : `${n.zh} ${n.en}`;
  });
  const label = language === 'zh' ? UI.alsoIn.zh : UI.alsoIn.en;
  return `${label}${colon(language)}${names.join(language === 'zh' ? '、' : ', ')}`;
}

/** The masthead's counts: "9 matching your topics, 8 shown in this mail" (see paper-counts.ts). */
export function papersLine(issue: SegmentIssue): LocalizedText {
  const { matching, shown, listed } = countMail(issue);
  const counts = [matchingCount(matching, COUNT_SCOPES.yourTopics), shownCount(shown, COUNT_SCOPES.thisMail)];
  if (listed > 0) counts.push(listedCount(listed));
  return joinCounts(...counts);
}

export function moreLine(n: number, domain: Domain): LocalizedText {
  return { en: `and ${n} more in ${domain.name.en} →`, zh: `另有 ${n} 篇 →` };
}

export function subscribedLine(issue: SegmentIssue): LocalizedText {
  const names = issue.sections.map((s) => s.domain.name);
  return {
    en: `You receive this because you subscribed to: ${names.map((n) => n.en).join(', ')}.`,
    zh: `您收到这封邮件，是因为订阅了：${names.map((n) => n.zh).join('、')}。`,
  };
}

const ANNOUNCE_LABELS: Record<Exclude<AnnounceType, 'new'>, LocalizedText> = {
  cross: { en: 'cross-list', zh: '交叉列表' },
  replace: { en: 'updated', zh: '新版本' },
  'replace-cross': { en: 'updated cross-list', zh: '新版本 · 交叉列表' },
};

export function announceLabel(type: AnnounceType): LocalizedText | undefined {
  return type === 'new' ? undefined : ANNOUNCE_LABELS[type];
}

/** "A, B, C, D et al. (12 authors)" / "A, B, C, D 等 12 位作者"; affiliations are dropped. */
export function formatAuthors(authors: readonly Author[], max: number, ui: 'en' | 'zh'): string {
  const names = authors.slice(0, Math.max(1, max)).map((a) => a.name).join(', ');
  if (authors.length <= Math.max(1, max)) return names;
  return ui === 'zh' ? `${names} 等 ${authors.length} 位作者` : `${names} et al. (${authors.length} authors)`;
}

/** arXiv text carries hard line breaks and runs of spaces; mail shows it as one paragraph. */
export function cleanText(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

/** Key points shown per language, at most. */
export const MAX_POINTS = 3;

/**
 * What an entry shows under its title, per language the reader reads (the other language's fields are null /
 * empty). The TL;DR leads when there is one; key points replace the abstract; a language part without points
 * falls back to a whole-sentence excerpt of the abstract (see excerpt.ts), the same sentences in both languages
 * when both parts fall back. `excerpt.zh` is null when the Chinese abstract was never translated.
 */
export interface EntrySummary {
  tldr: { en: string | null; zh: string | null };
  points: { en: string[]; zh: string[] };
  excerpt: { en: string | null; zh: string | null };
}

function cleanPoints(points: readonly string[] | null | undefined): string[] {
  return (points ?? []).map(cleanText).filter((p) => p.length > 0).slice(0, MAX_POINTS);
}

export function entrySummary(entry: IssueEntry, language: Language, width: { en: number; zh: number }): EntrySummary {
  const readsEn = language !== 'zh';
  const readsZh = language !== 'en';
  const t = tldr(entry);
  const points = {
    en: readsEn ? cleanPoints(entry.chinese?.pointsEn) : [],
    zh: readsZh ? cleanPoints(entry.chinese?.pointsZh) : [],
  };
  const abstractEn = cleanText(entry.paper.abstract);
  const abstractZh = readsZh && entry.chinese?.abstractZh ? cleanText(entry.chinese.abstractZh) : null;
  const wantEn = readsEn && points.en.length === 0 && abstractEn.length > 0;
  const wantZh = readsZh && points.zh.length === 0 && abstractZh !== null;
  let excerpt: EntrySummary['excerpt'] = { en: null, zh: null };
  if (wantEn && wantZh && abstractZh !== null) {
    excerpt = pairedExcerpts(abstractEn, abstractZh, width);
  } else {
    excerpt = {
      en: wantEn ? sentenceExcerpt(abstractEn, width.en) : null,
      zh: wantZh && abstractZh !== null ? sentenceExcerpt(abstractZh, width.zh) : null,
    };
  }
  return { tldr: { en: readsEn ? t.en : null, zh: readsZh ? t.zh : null }, points, excerpt };
}

/** Whether the Chinese part of an entry has anything to show (else the "translation pending" marker). */
export function hasZhSummary(summary: EntrySummary): boolean {
  return summary.tldr.zh !== null || summary.points.zh.length > 0 || summary.excerpt.zh !== null;
}

export function titleZh(entry: IssueEntry): string | null {
  const zh = entry.chinese?.titleZh;
  return zh ? cleanText(zh) : null;
}

export function tldr(entry: IssueEntry): { en: string | null; zh: string | null } {
  const en = entry.chinese?.tldrEn;
  const zh = entry.chinese?.tldrZh;
  return { en: en ? cleanText(en) : null, zh: zh ? cleanText(zh) : null };
}

function baseUrl(site: NewsletterSite): string {
  return site.publicBaseUrl.replace(/\/+$/u, '');
}

/**
 * The issue's web page: the day's archive page, or for a weekly digest its week's page (keyed by the week's Monday),
 * which lists the week's papers the digest was chosen from rather than one day's.
 */
export function issueUrl(site: NewsletterSite, issue: SegmentIssue): string {
  if (issue.week) return `${baseUrl(site)}/weeks/${issue.week.from}`;
  return `${baseUrl(site)}/issues/${issue.batchDate}`;
}

/** The paper's own page in the web archive ("details · 详情"). */
export function paperUrl(site: NewsletterSite, paperId: string): string {
  return `${baseUrl(site)}/papers/${paperId}`;
}

export function sectionUrl(site: NewsletterSite, issue: SegmentIssue, domainId: string): string {
  // A reader's own section has no archive page: its "and N more" leads to the whole issue.
  if (domainId.startsWith(PERSONAL_SECTION_PREFIX)) return issueUrl(site, issue);
  return `${issueUrl(site, issue)}/${encodeURIComponent(domainId)}`;
}

/**
 * The count next to a topic in the contents: the papers matching it, the figure its web page and the archive's
 * contents give for the same day (its section may list fewer: some sit under the reader's other topics, some
 * behind "and N more").
 */
export function sectionCount(section: IssueSection): LocalizedText {
  return matchingCount(section.total);
}

/**
 * What section `index` says when it lists no paper: "no new papers", or where its topic's papers are, counting
 * only those actually listed above or below under the reader's other topics.
 */
export function emptySectionLine(issue: SegmentIssue, index: number): LocalizedText {
  const section = issue.sections[index];
  const empty = issue.week ? UI.emptyWeek : UI.empty;
  if (!section) return empty;
  return notListedHereLine(section.total, listedElsewhere(issue, index), 'mail', issue.week ? 'week' : 'today') ?? empty;
}

/** Names of all configured domains, for "also in" tags. */
export function domainNameMap(domains: readonly Domain[], issue?: SegmentIssue): Record<string, LocalizedText> {
  // The issue's own sections too: a reader's "Your keywords" is no configured domain, but an entry may be tagged with it.
  const sections = issue?.sections.map((s) => s.domain) ?? [];
  return Object.fromEntries([...domains, ...sections].map((d) => [d.id, d.name]));
}

/** Short so it fits mobile inbox lists (10–78 chars); Chinese first for readers of Chinese. */
export function buildSubject(issue: SegmentIssue): string {
  const n = countMail(issue).matching;
  const date = issue.week ? formatWeekRange(issue.week.from, issue.week.to, 'short') : formatShortDate(issue.batchDate);
  const papers = `${n} paper${n === 1 ? '' : 's'}`;
  const en = issue.week ? `arXiv weekly ${date.en} · ${papers}` : `arXiv digest ${date.en} · ${papers}`;
  const zh = issue.week ? `arXiv 周报 ${date.zh} · ${n} 篇` : `arXiv 日报 ${date.zh} · ${n} 篇`;
  switch (issue.key.language) {
    case 'en':
      return en;
    case 'zh':
      return zh;
    case 'bilingual':
      return `${zh} | ${en}`;
  }
}

function topEntry(issue: SegmentIssue): IssueEntry | undefined {
  return issue.sections.find((s) => s.entries.length > 0)?.entries[0];
}

// Mobile inboxes show ~40 Han characters of the preview: date, count and the top title come first.
const PREHEADER_WIDTH = { zh: 80, en: 90 } as const;

export function buildPreheader(issue: SegmentIssue): string {
  const n = countMail(issue).matching;
  const [, month, day] = issue.batchDate.split('-').map(Number);
  const shortEn = formatShortDate(issue.batchDate).en.split(' ').slice(1, 3).join(' ');
  const top = topEntry(issue);
  const topTitle = top ? cleanText(top.paper.title) : undefined;
  const topZh = top ? (titleZh(top) ?? topTitle) : undefined;
  const line = (parts: Array<string | undefined>, width: number): string =>
    truncateText(parts.filter(Boolean).join(' · '), width);
  const weekly = issue.week !== undefined;
  const zh = line(
    [weekly ? UI.thisWeek.zh : `${month}月${day}日`, n === 0 ? (weekly ? '本周暂无新论文' : '今日暂无新论文') : `${n} 篇新论文`, topZh],
    PREHEADER_WIDTH.zh,
  );
  const en = line(
    [weekly ? UI.thisWeek.en : shortEn, n === 0 ? (weekly ? 'No new papers this week' : 'No new papers today') : `${n} new paper${n === 1 ? '' : 's'}`, topTitle],
    PREHEADER_WIDTH.en,
  );
  const language: Language = issue.key.language;
  return language === 'en' ? en : language === 'zh' ? zh : `${zh} | ${en}`;
}
