import { createElement, type ReactElement } from 'react';
import { PaperEntry } from '../../emails/components/paper-entry.tsx';
import {
  CompactLine,
  CompactListFrame,
  DomainHeading,
  EmptySection,
  FooterContent,
  MastheadContent,
  MoreLink,
  NewsletterFrame,
} from '../../emails/newsletter.tsx';
import { RenderError } from '../errors.ts';
import type { IssueEntry, IssueSection, LocalizedText, NewsletterSite, SegmentIssue } from '../types.ts';
import {
  DEFAULT_MAX_AUTHORS,
  DEFAULT_SUMMARY_WIDTH,
  READER_PLACEHOLDERS,
  buildPreheader,
  buildSubject,
  domainNameMap,
  paperUrl,
} from './issue-copy.ts';
import { countMail, listedIn, unlistedIn } from './paper-counts.ts';
import type { RenderResult } from './render-issue.ts';
import { compileMjml, renderMjmlMarkup } from './render-mjml.ts';
import type { RenderOptions } from './render-options.ts';
import { renderText, type TextEntryMemo } from './render-text.ts';
import { DEFAULT_MAX_HTML_BYTES, fitToBudget } from './size-budget.ts';

// Personal mails at scale (issue 12, part 6). With their own keywords and authors many readers are alone in their
// segment, and one MJML compile per mail (14–213 ms) would take hours at 100 000 readers. MJML only wraps the
// mail's frame (head, styles, the tables around each mj-text) and copies an mj-text's content as it is, so:
// - the frame (emails/newsletter.tsx, NewsletterFrame) is compiled once, with slot tokens where the subject,
//   preheader, masthead, sections and footer go, and cut at the tokens;
// - each piece of an mj-text's content (a paper's entry per language and layout, a topic heading, a compact line,
//   "and N more", the footer) is rendered once, from the same components the full render uses, and kept;
// - a reader's mail is the frame with their pieces spliced in. The size budget takes the same ladder and search
//   as the full render (size-budget.ts) on the assembled bytes, so it stops at the same step.
// test/render/assemble-mail.test.ts compares assembled mails with full renders of the same readers.

/** `PBSLOT<name>PBSLOT`: letters only, so React and MJML pass it through untouched. */
const slot = (name: string): string => `PBSLOT${name}PBSLOT`;
const SLOT_PATTERN = /PBSLOT([A-Z]+)PBSLOT/u;

type Slot = 'SUBJECT' | 'PREHEADER' | 'MASTHEAD' | 'SECTIONS' | 'FOOTER';

/** The compiled frame cut at its slots: literal HTML and slots, alternating. */
interface Frame {
  parts: Array<string | { slot: Slot }>;
  /** Between two sections' contents (closing one mj-section, opening the next). */
  between: string;
}

/** What assembling has cost so far: MJML compiles (the frame) and pieces rendered, against mails assembled. */
export interface AssemblyStats {
  mails: number;
  mjmlCompiles: number;
  piecesRendered: number;
  /** Renders of the size-budget search (a mail over the budget takes several). */
  attempts: number;
}

export interface MailAssembler {
  /** The mail renderIssue would render for `issue`, assembled from kept pieces. */
  render(issue: SegmentIssue): Promise<RenderResult>;
  stats(): AssemblyStats;
}

// React's escaping of text, as the full render's React pass applies it to the subject and preheader.
function escapeText(text: string): string {
  return text.replace(/[&<>"']/gu, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c] ?? c);
}

async function compileFrame(sections: number): Promise<Frame> {
  const names = ['A', 'B'].slice(0, sections);
  const element = createElement(NewsletterFrame, {
    subject: slot('SUBJECT'),
    preheader: slot('PREHEADER'),
    masthead: slot('MASTHEAD'),
    sections: names.map((name) => ({ key: name, content: slot(`SECTION${name}`) })),
    footer: slot('FOOTER'),
  });
  const html = await compileMjml(renderMjmlMarkup(element, 'frame'), 'frame');
  const pieces = html.split(SLOT_PATTERN);
  const parts: Frame['parts'] = [];
  let between = '';
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] ?? '';
    if (i % 2 === 0) {
      parts.push(piece);
    } else if (piece === 'SECTIONA') {
      parts.push({ slot: 'SECTIONS' });
    } else if (piece === 'SECTIONB') {
      // The literal just pushed lies between the two sections: it joins any two.
      between = parts.pop() as string;
    } else if (['SUBJECT', 'PREHEADER', 'MASTHEAD', 'FOOTER'].includes(piece)) {
      parts.push({ slot: piece as Slot });
    } else {
      throw new RenderError(`newsletter frame: unknown slot ${piece}`);
    }
  }
  const found = parts.filter((p) => typeof p !== 'string').map((p) => (p as { slot: Slot }).slot);
  for (const needed of ['SUBJECT', 'PREHEADER', 'MASTHEAD', 'FOOTER'] as const) {
    if (!found.includes(needed)) throw new RenderError(`newsletter frame: MJML lost the ${needed} slot`);
  }
  if (found.filter((s) => s === 'SECTIONS').length !== (sections > 0 ? 1 : 0)) {
    throw new RenderError('newsletter frame: MJML moved the sections');
  }
  return { parts, between };
}

/**
 * An assembler for the mails of one batch: its kept pieces assume that a paper (id and version) has one Chinese
 * text and one set of extras, as in a run. Pieces are kept for the assembler's life (a few per paper, language
 * and layout: bounded by the batch, not by the readers).
 */
export function createMailAssembler(site: NewsletterSite, options: RenderOptions): MailAssembler {
  const summaryWidth = options.summaryWidth ?? DEFAULT_SUMMARY_WIDTH;
  const maxAuthors = options.maxAuthors ?? DEFAULT_MAX_AUTHORS;
  const maxBytes = options.maxHtmlBytes ?? DEFAULT_MAX_HTML_BYTES;
  const stats: AssemblyStats = { mails: 0, mjmlCompiles: 0, piecesRendered: 0, attempts: 0 };
  const frames = new Map<number, Promise<Frame>>();
  const pieces = new Map<string, string>();
  const textMemo: TextEntryMemo = new Map();

  const frameFor = (sections: number): Promise<Frame> => {
    // Two sections show what joins them; the frame without any is another shape.
    const n = sections > 0 ? 2 : 0;
    let frame = frames.get(n);
    if (!frame) {
      stats.mjmlCompiles += 1;
      frame = compileFrame(n);
      frames.set(n, frame);
    }
    return frame;
  };
  const markup = (element: ReactElement, label: string): string => {
    stats.piecesRendered += 1;
    // MJML writes void elements the HTML way (React's <br/> comes out as <br>): the one change it makes to an
    // mj-text's content (the equivalence test holds us to that).
    return renderMjmlMarkup(element, label).replaceAll('<br/>', '<br>');
  };
  const kept = (key: string, label: string, element: () => ReactElement): string => {
    let html = pieces.get(key);
    if (html === undefined) {
      html = markup(element(), label);
      pieces.set(key, html);
    }
    return html;
  };

  const entryHtml = (
    issue: SegmentIssue,
    entry: IssueEntry,
    names: Readonly<Record<string, LocalizedText>>,
    titleOnly: boolean,
    first: boolean,
  ): string => {
    const { language } = issue.key;
    const { paper } = entry;
    // "also in" is the only part that depends on the reader's other topics, and a title-only entry has none.
    const tags = titleOnly ? '' : entry.alsoIn.join(',');
    const key = `e|${paper.id}v${paper.version}|${language}|${titleOnly ? 't' : 'f'}${first ? '1' : 'n'}|${tags}`;
    return kept(key, `${issue.segmentId} ${paper.id}`, () =>
      createElement(PaperEntry, {
        entry,
        language,
        domainNames: names,
        summaryWidth,
        maxAuthors,
        titleOnly,
        first,
        detailsUrl: paperUrl(site, paper.id),
      }),
    );
  };

  const sectionHtml = (
    issue: SegmentIssue,
    section: IssueSection,
    index: number,
    names: Readonly<Record<string, LocalizedText>>,
    titleOnly: ReadonlySet<string>,
  ): string => {
    const { language } = issue.key;
    const { domain } = section;
    const label = issue.segmentId;
    let html = kept(`h|${domain.id}|${domain.name.en}|${domain.name.zh}|${language}`, label, () =>
      createElement(DomainHeading, { domain, language }),
    );
    if (section.entries.length === 0 && section.more === 0) {
      html += markup(createElement(EmptySection, { issue, index }), label);
    }
    section.entries.forEach((entry, i) => {
      html += entryHtml(issue, entry, names, titleOnly.has(entry.paper.id), i === 0);
    });
    const listed = (section.listed ?? []).slice(0, listedIn(section));
    if (listed.length > 0) {
      const [open = '', close = ''] = kept(`cl|${language}`, label, () =>
        createElement(CompactListFrame, { language, children: slot('LINES') }),
      ).split(slot('LINES'));
      html += open;
      for (const entry of listed) {
        html += kept(`c|${entry.paper.id}v${entry.paper.version}|${language}`, label, () =>
          createElement(CompactLine, { entry, language }),
        );
      }
      html += close;
    }
    const unlisted = unlistedIn(section);
    if (unlisted > 0) {
      html += kept(`m|${domain.id}|${domain.name.en}|${unlisted}|${language}|${issue.batchDate}`, label, () =>
        createElement(MoreLink, { section, issue, site }),
      );
    }
    return html;
  };

  const footerHtml = (issue: SegmentIssue): string => {
    const names = issue.sections.map((s) => `${s.domain.name.en}\u0000${s.domain.name.zh}`).join('\u0001');
    return kept(`f|${issue.key.language}|${names}`, issue.segmentId, () =>
      createElement(FooterContent, { issue, site, reader: READER_PLACEHOLDERS }),
    );
  };

  const assembleHtml = (frame: Frame, issue: SegmentIssue, titleOnly: readonly string[]): string => {
    const names = domainNameMap(options.domains, issue);
    const only = new Set(titleOnly);
    const values: Record<Slot, () => string> = {
      SUBJECT: () => escapeText(buildSubject(issue)),
      PREHEADER: () => escapeText(buildPreheader(issue)),
      MASTHEAD: () => markup(createElement(MastheadContent, { issue, site }), issue.segmentId),
      SECTIONS: () => issue.sections.map((s, i) => sectionHtml(issue, s, i, names, only)).join(frame.between),
      FOOTER: () => footerHtml(issue),
    };
    const filled = new Map<Slot, string>();
    let html = '';
    for (const part of frame.parts) {
      if (typeof part === 'string') {
        html += part;
        continue;
      }
      let value = filled.get(part.slot);
      if (value === undefined) {
        value = values[part.slot]();
        filled.set(part.slot, value);
      }
      html += value;
    }
    return html;
  };

  return {
    async render(issue) {
      const frame = await frameFor(issue.sections.length);
      const { plan, rendered } = await fitToBudget(issue, maxBytes, (attempt) => {
        stats.attempts += 1;
        const html = assembleHtml(frame, attempt.issue, attempt.titleOnly);
        return { html, bytes: Buffer.byteLength(html, 'utf8') };
      });
      stats.mails += 1;
      const counts = countMail(plan.issue);
      return {
        subject: buildSubject(plan.issue),
        preheader: buildPreheader(plan.issue),
        html: rendered.html,
        text: renderText(plan.issue, site, options, textMemo),
        bytes: rendered.bytes,
        degraded: plan.degraded,
        dropped: plan.dropped,
        listed: counts.listed,
        unlisted: counts.unlisted,
      };
    },
    stats: () => ({ ...stats }),
  };
}
