import type { IssueSection, LocalizedText, SegmentIssue } from '../types.ts';

// The one vocabulary for counting papers, used by the mail, the run report and the web archive, so the same day
// gives the same figures everywhere (issue 12, part 2):
// - in the batch: every paper of the day's arXiv announcement that paperboy collected (本期);
// - matching: papers a topic's rule selected, for one topic or for any of several (匹配);
// - shown: papers listed in a mail with their summary (展示);
// - listed by title: papers after a topic's shown ones, one line each, title and link only (仅列标题); what is
//   neither shown nor listed sits behind "and N more".

/**
 * Counts of one segment's mail: `matching` any of the reader's topics, `shown` in the mail with summaries,
 * `listed` by title only, `unlisted` behind "and N more" (matching = shown + listed + unlisted).
 */
export interface MailCounts {
  matching: number;
  shown: number;
  listed: number;
  unlisted: number;
}

/** Each paper sits in one section (entries or "and N more"), so the sections add up to the reader's papers. */
export function countMail(issue: SegmentIssue): MailCounts {
  const matching = issue.sections.reduce((n, s) => n + s.entries.length + s.more, 0);
  const shown = issue.sections.reduce((n, s) => n + s.entries.length, 0);
  const listed = issue.sections.reduce((n, s) => n + listedIn(s), 0);
  return { matching, shown, listed, unlisted: matching - shown - listed };
}

/** Papers of a section listed by title (never more than its `more`). */
export function listedIn(section: IssueSection): number {
  return Math.min(section.more, section.listed?.length ?? 0);
}

/** Papers of a section behind its "and N more": the exact N. */
export function unlistedIn(section: IssueSection): number {
  return section.more - listedIn(section);
}

/** Papers of section `index`'s topic listed under another topic of the same mail or page, above it and below it. */
export interface ListedElsewhere {
  above: number;
  below: number;
}

export function listedElsewhere(issue: SegmentIssue, index: number): ListedElsewhere {
  const id = issue.sections[index]?.domain.id;
  const count = (from: number, to: number): number =>
    issue.sections
      .slice(from, to)
      .reduce(
        (n, s) =>
          n + [...s.entries, ...(s.listed ?? [])].filter((e) => id !== undefined && e.alsoIn.includes(id)).length,
        0,
      );
  return { above: count(0, index), below: count(index + 1, issue.sections.length) };
}

const plural = (n: number): string => (n === 1 ? '' : 's');

/** "20 papers in the batch" / "本期 20 篇". */
export function inBatchCount(n: number): LocalizedText {
  return { en: `${n} paper${plural(n)} in the batch`, zh: `本期 ${n} 篇` };
}

/** "34 papers in the week's batches" / "本周各期共 34 篇": a weekly digest's page, whose papers span several days. */
export function inWeekCount(n: number): LocalizedText {
  return { en: `${n} paper${plural(n)} in the week's batches`, zh: `本周各期共 ${n} 篇` };
}

/** "9 matching your topics" / "匹配您的主题 9 篇"; without a scope, the topic is the one in context. */
export function matchingCount(n: number, scope?: LocalizedText): LocalizedText {
  return { en: `${n} matching${scope ? ` ${scope.en}` : ''}`, zh: `匹配${scope?.zh ?? ''} ${n} 篇` };
}

/** "8 shown in this mail" / "本邮件展示 8 篇". */
export function shownCount(n: number, scope?: LocalizedText): LocalizedText {
  return { en: `${n} shown${scope ? ` ${scope.en}` : ''}`, zh: `${scope?.zh ?? ''}展示 ${n} 篇` };
}

/** "30 listed by title" / "仅列标题 30 篇". */
export function listedCount(n: number): LocalizedText {
  return { en: `${n} listed by title`, zh: `仅列标题 ${n} 篇` };
}

export const COUNT_SCOPES = {
  yourTopics: { en: 'your topics', zh: '您的主题' },
  anyTopic: { en: 'a topic', zh: '任一主题' },
  thisMail: { en: 'in this mail', zh: '本邮件' },
} as const satisfies Record<string, LocalizedText>;

/** Counts side by side: "20 papers in the batch, 13 matching a topic" / "本期 20 篇，匹配任一主题 13 篇". */
export function joinCounts(...counts: LocalizedText[]): LocalizedText {
  return { en: counts.map((c) => c.en).join(', '), zh: counts.map((c) => c.zh).join('，') };
}

/**
 * What a section that lists none of its topic's `matching` papers says about them: how many are listed above and
 * below under the other topics (counted from the entries actually there, see listedElsewhere), and how many are
 * in none of the lists of this mail (or page). Null when the topic matched nothing.
 */
export function notListedHereLine(
  matching: number,
  listed: ListedElsewhere,
  place: 'mail' | 'page',
  /** `week` for a weekly digest: "This week's 4 papers…" / "本周…". */
  period: 'today' | 'week' = 'today',
): LocalizedText | null {
  if (matching === 0) return null;
  const when = period === 'week' ? { en: "This week's", zh: '本周' } : { en: "Today's", zh: '今日' };
  const { above, below } = listed;
  const other = place === 'mail' ? { en: 'your other topics', zh: '其他主题' } : { en: 'other topics', zh: '其他主题' };
  const here = place === 'mail' ? { en: 'in this mail', zh: '本邮件' } : { en: 'on this page', zh: '本页' };
  const papers = `${matching} paper${plural(matching)}`;
  const be = matching === 1 ? 'is' : 'are';
  if (above === matching || below === matching) {
    const where = above === matching ? { en: 'above', zh: '上方' } : { en: 'below', zh: '下方' };
    return {
      en: `${when.en} ${papers} in this topic ${be} listed ${where.en} under ${other.en}`,
      zh: `本主题${when.zh}的 ${matching} 篇论文已列在${where.zh}${other.zh}中`,
    };
  }
  // Mixed: "Today's 4 papers in this topic: 2 listed above, 1 listed below (under your other topics), 1 not in
  // this mail".
  const rest = matching - above - below;
  const parts: LocalizedText[] = [];
  if (above > 0) parts.push({ en: `${above} listed above`, zh: `${above} 篇列在上方` });
  if (below > 0) parts.push({ en: `${below} listed below`, zh: `${below} 篇列在下方` });
  if (above + below > 0) parts.push({ en: `(under ${other.en})`, zh: `（${other.zh}中）` });
  if (rest > 0) parts.push({ en: `${rest} not ${here.en}`, zh: `${rest} 篇未列入${here.zh}` });
  return {
    en: `${when.en} ${papers} in this topic: ${parts.map((p) => p.en).join(', ').replace(', (', ' (')}`,
    zh: `本主题${when.zh}的 ${matching} 篇论文：${parts.map((p) => p.zh).join('，').replace('，（', '（')}`,
  };
}
