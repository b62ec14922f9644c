import type { IssueEntry, IssueSection, Language, LocalizedText, NewsletterSite, SegmentIssue } from '../types.ts';
import { issueDateLine } from './issue-copy.ts';
import {
  DEFAULT_MAX_AUTHORS,
  DEFAULT_SUMMARY_WIDTH,
  MISSING_ZH_MARKER,
  READER_PLACEHOLDERS,
  UI,
  alsoInLine,
  announceLabel,
  colon,
  cleanText,
  domainNameMap,
  formatAuthors,
  issueUrl,
  paperUrl,
  moreLine,
  papersLine,
  sectionCount,
  emptySectionLine,
  sectionUrl,
  subscribedLine,
  entrySummary,
  hasZhSummary,
  titleZh,
} from './issue-copy.ts';
import { listedIn, unlistedIn } from './paper-counts.ts';
import type { RenderOptions } from './render-options.ts';
import { displayWidth } from './truncate.ts';

// The text/plain part, built from the issue rather than converted from the HTML: no preheader filler or markup
// can leak into it, and the order and lengths are ours.

const WRAP = 78;
const INDENT = '    ';

function say(text: LocalizedText, language: Language, sep = ' / '): string {
  return language === 'en' ? text.en : language === 'zh' ? text.zh : `${text.en}${sep}${text.zh}`;
}

/** Wraps at spaces to 78 columns; a line holding wide (CJK) characters is left whole, clients wrap it. */
function wrap(line: string, indent = ''): string[] {
  if (displayWidth(line) !== line.length || indent.length + line.length <= WRAP) return [indent + line];
  const out: string[] = [];
  let current = '';
  // A separator stays on the line of the words on both sides of it: no line starts or ends with "·".
  const words: string[] = [];
  let glue = false;
  for (const word of line.split(' ')) {
    if ((word === '·' || glue) && words.length > 0) {
      words[words.length - 1] += ` ${word}`;
      glue = word === '·';
    } else {
      words.push(word);
    }
  }
  for (const word of words) {
    if (current && indent.length + current.length + 1 + word.length > WRAP) {
      out.push(indent + current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) out.push(indent + current);
  return out;
}

/** An entry's lines, the first without its number (the only part that depends on where the entry stands). */
function entryLines(
  entry: IssueEntry,
  language: Language,
  options: RenderOptions,
  names: Record<string, LocalizedText>,
  detailsUrl: string,
): string[] {
  const { paper } = entry;
  const width = options.summaryWidth ?? DEFAULT_SUMMARY_WIDTH;
  const title = cleanText(paper.title);
  const zhTitle = language === 'en' ? null : (titleZh(entry) ?? MISSING_ZH_MARKER);
  const lines: string[] = [];
  if (language === 'zh') {
    lines.push(zhTitle ?? '', ...wrap(title, INDENT));
  } else {
    lines.push(...wrap(title, '').map((l, i) => (i === 0 ? '' : INDENT) + l));
    if (zhTitle) lines.push(INDENT + zhTitle);
  }

  const ui = language === 'zh' ? 'zh' : 'en';
  const badge = announceLabel(paper.announceType);
  const authors = formatAuthors(paper.authors, options.maxAuthors ?? DEFAULT_MAX_AUTHORS, ui);
  const meta = [authors, paper.categories.join(' ')];
  if (entry.extras?.venue) meta.push(entry.extras.venue);
  if (badge) meta.push(badge[ui]);
  lines.push(...wrap(meta.filter(Boolean).join(' · '), INDENT));

  const summary = entrySummary(entry, language, width);
  const { tldr: lead, points, excerpt } = summary;
  if (lead.en) lines.push(...wrap(`${UI.tldr.en}${colon(language)}${lead.en}`, INDENT));
  if (lead.zh) lines.push(`${INDENT}${UI.tldr.zh}：${lead.zh}`);
  // "    - point", continuation lines under the point's first word.
  for (const point of points.en) {
    lines.push(...wrap(point, `${INDENT}  `).map((l, i) => (i === 0 ? `${INDENT}- ${l.trimStart()}` : l)));
  }
  if (excerpt.en) lines.push(...wrap(excerpt.en, INDENT));
  for (const point of points.zh) lines.push(`${INDENT}- ${point}`);
  if (excerpt.zh) lines.push(INDENT + excerpt.zh);
  // One marker per paper: a missing title already shows it.
  if (language !== 'en' && !hasZhSummary(summary) && zhTitle !== MISSING_ZH_MARKER) {
    lines.push(INDENT + MISSING_ZH_MARKER);
  }
  const alsoIn = alsoInLine(entry, language, names);
  if (alsoIn) lines.push(INDENT + alsoIn);
  lines.push(INDENT + paper.links.abs);
  lines.push(`${INDENT}${say(UI.details, language)}${colon(language)}${detailsUrl}`);
  if (entry.extras?.codeUrl) lines.push(`${INDENT}${say(UI.code, language)}${colon(language)}${entry.extras.codeUrl}`);
  return lines;
}

/**
 * A title-only entry of the compact list: "  - Title <abs link>", or for a bilingual reader the English title with
 * the Chinese title and the link on the line below. The link is in angle brackets, as in plain-text mail, which
 * also keeps it apart from the bare links that end a shown entry.
 */
function compactLines(entry: IssueEntry, language: Language): string[] {
  const en = cleanText(entry.paper.title);
  const zh = language === 'en' ? null : titleZh(entry);
  const link = `<${entry.paper.links.abs}>`;
  const bullet = (line: string): string[] => wrap(line, INDENT).map((l, i) => (i === 0 ? `  - ${l.trimStart()}` : l));
  if (language === 'bilingual' && zh) return [...bullet(en), `${INDENT}${zh} ${link}`];
  return bullet(`${language === 'zh' ? (zh ?? en) : en} ${link}`);
}

function sectionHeading(section: IssueSection, language: Language): string {
  const { name } = section.domain;
  const label = language === 'en' ? name.en : language === 'zh' ? name.zh : `${name.zh} ${name.en}`;
  const heading = `${label} · ${say(sectionCount(section), language)}`;
  return `${heading}\n${'='.repeat(Math.min(WRAP, displayWidth(heading)))}`;
}

/** "1.  ", "10. ", "100. ": the title lines up with the indented lines below up to 99 entries. */
function entryNumber(n: number): string {
  return `${`${n}.`.padEnd(INDENT.length - 1)} `;
}

/**
 * Entries' and title-only lines already built, by paper, version, language and "also in" tags: assembling many readers' mails
 * (assemble-mail.ts) builds each entry once. Only for issues of one batch, where a paper has one Chinese text and
 * one set of extras.
 */
export type TextEntryMemo = Map<string, readonly string[]>;

/** The plain-text part of a segment's mail, with READER_PLACEHOLDERS for per-reader values. */
export function renderText(
  issue: SegmentIssue,
  site: NewsletterSite,
  options: RenderOptions,
  memo?: TextEntryMemo,
): string {
  const { language } = issue.key;
  const names = domainNameMap(options.domains, issue);
  const date = issueDateLine(issue);
  const out: string[] = [
    site.name,
    language === 'en' ? date.en : language === 'zh' ? date.zh : `${date.en} · ${date.zh}`,
    say(papersLine(issue), language, ' · '),
    `${say(UI.viewInBrowser, language)}${colon(language)}${issueUrl(site, issue)}`,
  ];

  const linesOf = (key: string, build: () => readonly string[]): readonly string[] => {
    if (!memo) return build();
    let lines = memo.get(key);
    if (!lines) {
      lines = build();
      memo.set(key, lines);
    }
    return lines;
  };

  let n = 0;
  for (const [index, section] of issue.sections.entries()) {
    out.push('', '', sectionHeading(section, language));
    if (section.entries.length === 0 && section.more === 0) out.push('', say(emptySectionLine(issue, index), language));
    for (const entry of section.entries) {
      n += 1;
      const lines = linesOf(`${entry.paper.id}v${entry.paper.version}|${language}|${entry.alsoIn.join(',')}`, () =>
        entryLines(entry, language, options, names, paperUrl(site, entry.paper.id)),
      );
      out.push('', entryNumber(n) + (lines[0] ?? ''), ...lines.slice(1));
    }
    const listed = (section.listed ?? []).slice(0, listedIn(section));
    if (listed.length > 0) {
      out.push('', say(UI.moreInTopic, language, ' · '));
      for (const entry of listed) {
        out.push(...linesOf(`c|${entry.paper.id}v${entry.paper.version}|${language}`, () => compactLines(entry, language)));
      }
    }
    if (unlistedIn(section) > 0) {
      const more = say(moreLine(unlistedIn(section), section.domain), language).replaceAll(' →', '');
      out.push('', `${more}${colon(language)}${sectionUrl(site, issue, section.domain.id)}`);
    }
  }

  const subscribed = subscribedLine(issue);
  out.push(
    '',
    '',
    '-- ',
    ...(language !== 'zh' ? wrap(subscribed.en) : []),
    ...(language !== 'en' ? [subscribed.zh] : []),
    `${say(UI.preferences, language)}${colon(language)}${READER_PLACEHOLDERS.preferencesUrl}`,
    `${say(UI.unsubscribe, language)}${colon(language)}${READER_PLACEHOLDERS.unsubscribeUrl}`,
    `${say(UI.sentTo, language)}${colon(language)}${READER_PLACEHOLDERS.email}`,
    `${site.name} · ${site.postalAddress}`,
  );
  return `${out.join('\n')}\n`;
}
