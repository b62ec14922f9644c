import { Fragment, type CSSProperties, type ReactNode } from 'react';
import {
  MISSING_ZH_MARKER,
  UI,
  alsoInLine,
  announceLabel,
  cleanText,
  formatAuthors,
  type EntrySummary,
  entrySummary,
  hasZhSummary,
  titleZh,
} from '../../src/render/issue-copy.ts';
import type { IssueEntry, Language, LocalizedText } from '../../src/types.ts';
import { COLORS } from '../../src/render/email-theme.ts';

export interface PaperEntryProps {
  entry: IssueEntry;
  language: Language;
  domainNames: Readonly<Record<string, LocalizedText>>;
  summaryWidth: { en: number; zh: number };
  maxAuthors: number;
  /** Title and links only: the size budget took the rest. */
  titleOnly: boolean;
  /** The section's first paper: no rule above it. */
  first: boolean;
  /** The paper's page in the web archive. */
  detailsUrl: string;
}

// Styles are inline (Gmail's mobile webmail drops <style>); the `m` / `pb-t` classes are only dark-mode hooks.
const SMALL = { fontSize: '12px', color: COLORS.muted } as const;
const GAP = { marginTop: '6px' } as const;
/** "·" glued to both neighbours: a wrap never leaves it at a line's end or start. */
const SEP = '\u00a0·\u00a0';
/** Between links: an em space, where a line may break. */
const LINK_GAP = '\u2003';
const RULED = { borderTop: `1px solid ${COLORS.rule}`, marginTop: '12px', paddingTop: '12px' } as const;

function Zh({ children, style }: { children: ReactNode; style?: CSSProperties }) {
  return (
    <div lang="zh-CN" style={style}>
      {children}
    </div>
  );
}

function Marker() {
  return (
    <div className="m" style={{ ...SMALL, ...GAP }}>
      {MISSING_ZH_MARKER}
    </div>
  );
}

/**
 * The paper's links; the title already links to the abs page, and its page (details) has the rest. The `lk` class makes each a 44 px tap target on a
 * phone (head CSS: an inline style would cost ~40 bytes a link).
 */
function Links({ entry, language, detailsUrl }: { entry: IssueEntry; language: Language; detailsUrl: string }) {
  const { links } = entry.paper;
  const code = entry.extras?.codeUrl;
  const details = language === 'en' ? UI.details.en : language === 'zh' ? UI.details.zh : `${UI.details.en} · ${UI.details.zh}`;
  const row: Array<[string, string]> = [[detailsUrl, details]];
  if (code) row.push([code, language === 'zh' ? UI.code.zh : UI.code.en]);
  row.push([links.pdf, 'PDF'], [links.html, 'HTML'], [links.papersCool, 'papers.cool']);
  // An em space between links, no "·": a row that wraps on a phone leaves no separator dangling at a line's end.
  return (
    <div className="lk" style={{ fontSize: '13px', marginTop: '4px' }}>
      {row.map(([href, label], i) => (
        <Fragment key={href}>
          {i > 0 && LINK_GAP}
          <a href={href}>{label}</a>
        </Fragment>
      ))}
    </div>
  );
}

function Meta({ entry, language, maxAuthors }: Pick<PaperEntryProps, 'entry' | 'language' | 'maxAuthors'>) {
  const { paper } = entry;
  const ui = language === 'zh' ? 'zh' : 'en';
  const [primary, ...others] = paper.categories;
  const badge = announceLabel(paper.announceType);
  return (
    <div className="m" style={SMALL}>
      {formatAuthors(paper.authors, maxAuthors, ui)}
      {primary !== undefined && (
        <>
          {SEP}
          <b>{primary}</b>
          {others.length > 0 && ` ${others.join(' ')}`}
        </>
      )}
      {entry.extras?.venue && (
        <>
          {SEP}
          <i>{entry.extras.venue}</i>
        </>
      )}
      {badge && (
        <>
          {SEP}
          <span
            className="bd"
            style={{ color: COLORS.badgeText, backgroundColor: COLORS.badgeBg, padding: '0 4px', borderRadius: '3px' }}
          >
            {ui === 'zh' ? badge.zh : badge.en}
          </span>
        </>
      )}
    </div>
  );
}

/** The TL;DR, the entry's visual lead: both languages' for a bilingual reader, one above the other. */
function Lead({ summary, language }: { summary: EntrySummary; language: Language }) {
  const { en, zh } = summary.tldr;
  if (!en && !zh) return null;
  return (
    <div style={{ ...GAP, fontSize: '15px', lineHeight: '1.5', borderLeft: `3px solid ${COLORS.accent}`, paddingLeft: '10px' }}>
      <b>{language === 'zh' ? UI.tldr.zh : UI.tldr.en}</b> {en}
      {en && zh && <br />}
      {zh && <span lang="zh-CN">{zh}</span>}
    </div>
  );
}

const LIST = { margin: '6px 0 0', paddingLeft: '20px' } as const;

function Points({ points, zh }: { points: string[]; zh?: boolean }) {
  if (points.length === 0) return null;
  return (
    <ul style={LIST} lang={zh ? 'zh-CN' : undefined}>
      {points.map((point, i) => (
        <li key={i}>{point}</li>
      ))}
    </ul>
  );
}

function AlsoIn({ entry, language, domainNames }: Pick<PaperEntryProps, 'entry' | 'language' | 'domainNames'>) {
  const line = alsoInLine(entry, language, domainNames);
  return line === null ? null : (
    <div className="m" style={SMALL}>
      {line}
    </div>
  );
}

/** One paper as a block of its section's one mj-text: each extra mj-text would repeat a table and the font stack. */
export function PaperEntry(props: PaperEntryProps) {
  const { entry, language, summaryWidth, titleOnly, first } = props;
  const { paper } = entry;
  const title = cleanText(paper.title);
  const zhTitle = language === 'en' ? null : titleZh(entry);
  const titleLink = (
    <a href={paper.links.abs} style={{ color: COLORS.link, textDecoration: 'none' }}>
      <b>{title}</b>
    </a>
  );

  const heading =
    language === 'zh' ? (
      <>
        {zhTitle ? (
          <Zh style={{ fontSize: '16px', fontWeight: 'bold' }}>{zhTitle}</Zh>
        ) : (
          <div className="m" style={SMALL}>
            {MISSING_ZH_MARKER}
          </div>
        )}
        <div style={{ fontSize: '13px', marginTop: '2px' }}>{titleLink}</div>
      </>
    ) : (
      <>
        <div style={{ fontSize: '16px' }}>{titleLink}</div>
        {language === 'bilingual' &&
          (zhTitle ? <Zh style={{ fontSize: '15px', marginTop: '2px' }}>{zhTitle}</Zh> : <Marker />)}
      </>
    );

  let body: ReactNode = null;
  if (!titleOnly) {
    const summary = entrySummary(entry, language, summaryWidth);
    const { points, excerpt } = summary;
    body = (
      <>
        <Meta entry={entry} language={language} maxAuthors={props.maxAuthors} />
        <Lead summary={summary} language={language} />
        <Points points={points.en} />
        {excerpt.en && <div style={GAP}>{excerpt.en}</div>}
        <Points points={points.zh} zh />
        {excerpt.zh && <Zh style={GAP}>{excerpt.zh}</Zh>}
        {/* One marker per paper is enough: a missing title already shows it. */}
        {language !== 'en' && !hasZhSummary(summary) && zhTitle && <Marker />}
        <AlsoIn entry={entry} language={language} domainNames={props.domainNames} />
      </>
    );
  }

  return (
    <div style={first ? { paddingTop: '12px' } : RULED}>
      {heading}
      {body}
      <Links entry={entry} language={props.language} detailsUrl={props.detailsUrl} />
    </div>
  );
}
