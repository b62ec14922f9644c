import { createElement, type ReactElement } from 'react';
import { PaperEntry } from '../../emails/components/paper-entry.tsx';
import {
  CompactLine,
  CompactListFrame,
  ContentsLine,
  DomainHeading,
  EmptySection,
  FooterContent,
  MastheadFrame,
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
  emptySectionLine,
  issueDateLine,
  issueUrl,
  papersLine,
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

/** `PBSLOT<name>PBSLOT`: capitals only, so React and MJML pass it through untouched. */
const slot = (name: string): string => `PBSLOT${name}PBSLOT`;
const SLOT_PATTERN = /PBSLOT([A-Z]+)PBSLOT/u;

/** HTML and its UTF-8 size, counted once: the size budget adds pieces' sizes up instead of measuring each mail. */
interface Piece {
  html: string;
  bytes: number;
}

const piece = (html: string): Piece => ({ html, bytes: Buffer.byteLength(html, 'utf8') });

/** `map`'s value for `key`, made on first use and kept. */
function keptIn<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let found = map.get(key);
  if (found === undefined) {
    found = make();
    map.set(key, found);
  }
  return found;
}

/** Rendered HTML cut at its slots: literal pieces and slot names, alternating (literal first and last). */
type Template = Array<Piece | string>;

function cutAtSlots(html: string): Template {
  return html.split(SLOT_PATTERN).map((part, i) => (i % 2 === 0 ? piece(part) : part));
}

/** A mail (or part of one) being put together: its pieces in order and their size. */
class Assembly {
  readonly parts: string[] = [];
  bytes = 0;
  /**
   * `measure`: only add up sizes (the size budget's search tries several steps per mail; only the one it settles
   * on is put together). `byEntry`: one mail's pieces by entry object, which every step of its search shares.
   */
  constructor(
    readonly measure: boolean,
    readonly byEntry: Map<IssueEntry, Piece>,
    /** Sizes of sections already measured in this mail's search (see sectionState). */
    readonly sectionBytes: Map<string, number>,
  ) {}
  add(p: Piece): void {
    if (!this.measure) this.parts.push(p.html);
    this.bytes += p.bytes;
  }
  /** The template with each slot filled by `fill`. */
  fill(template: Template, fill: (slot: string) => void): void {
    for (const part of template) {
      if (typeof part === 'string') fill(part);
      else this.add(part);
    }
  }
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

// React's escaping of text, as the full render's React pass applies it to the subject, preheader and counts.
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' };
const escapeText = (text: string): Piece => piece(text.replace(/[&<>"']/gu, (c) => TEXT_ESCAPES[c] ?? c));

/** The mail's frame (see NewsletterFrame), compiled by MJML: with two sections (what joins them) or none. */
async function compileFrame(sections: number): Promise<{ template: Template; between: Piece }> {
  const names = ['A', 'B'].slice(0, sections);
  const element = createElement(NewsletterFrame, {
    subject: slot('SUBJECT'),
    preheader: slot('PREHEADER'),
    masthead: slot('MASTHEAD'),
    sections: names.map((name) => ({ key: name, content: slot(`SECTION${name}`) })),
    footer: slot('FOOTER'),
  });
  const template = cutAtSlots(await compileMjml(renderMjmlMarkup(element, 'frame'), 'frame'));
  let between = piece('');
  const b = template.indexOf('SECTIONB');
  if (b >= 0) {
    // The literal before the second section joins any two sections.
    between = template[b - 1] as Piece;
    template.splice(b - 1, 2);
  }
  const found = template.filter((p): p is string => typeof p === 'string');
  const expected = sections > 0 ? ['SUBJECT', 'PREHEADER', 'MASTHEAD', 'SECTIONA', 'FOOTER'] : ['SUBJECT', 'PREHEADER', 'MASTHEAD', 'FOOTER'];
  if (!expected.every((name) => found.includes(name)) || found.some((name) => !expected.includes(name))) {
    throw new RenderError(`newsletter frame: MJML did not keep the slots in place (${found.join(', ')})`);
  }
  return { template, between };
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
  const frames = new Map<number, Promise<{ template: Template; between: Piece }>>();
  const pieces = new Map<string, Piece>();
  const templates = new Map<string, Template>();
  const textMemo: TextEntryMemo = new Map();

  const frameFor = (sections: number) => {
    // Two sections show what joins them; the frame without any is another shape.
    const n = sections > 0 ? 2 : 0;
    return keptIn(frames, n, () => {
      stats.mjmlCompiles += 1;
      return compileFrame(n);
    });
  };
  const markup = (element: ReactElement, label: string): string => {
    stats.piecesRendered += 1;
    // MJML writes void elements the HTML way (React's <br/> comes out as <br>): the one change it makes to an
    // mj-text's content (the equivalence test holds us to that).
    return renderMjmlMarkup(element, label).replaceAll('<br/>', '<br>');
  };
  const kept = (key: string, label: string, element: () => ReactElement): Piece =>
    keptIn(pieces, key, () => piece(markup(element(), label)));
  const keptTemplate = (key: string, label: string, element: () => ReactElement): Template =>
    keptIn(templates, key, () => cutAtSlots(markup(element(), label)));
  // Subject and preheader depend on the count and the top paper only: the same for many readers.
  const texts = new Map<string, { subject: string; preheader: string; html: { subject: Piece; preheader: Piece } }>();
  const headOf = (issue: SegmentIssue) => {
    const top = issue.sections.find((s) => s.entries.length > 0)?.entries[0]?.paper;
    const week = issue.week ? `${issue.week.from}..${issue.week.to}` : '';
    const key = `${issue.key.language}|${issue.batchDate}|${week}|${countMail(issue).matching}|${top ? `${top.id}v${top.version}` : ''}`;
    let found = texts.get(key);
    if (!found) {
      const subject = buildSubject(issue);
      const preheader = buildPreheader(issue);
      found = { subject, preheader, html: { subject: escapeText(subject), preheader: escapeText(preheader) } };
      if (texts.size > 10_000) texts.clear();
      texts.set(key, found);
    }
    return found;
  };

  const addMasthead = (out: Assembly, issue: SegmentIssue): void => {
    const { language } = issue.key;
    const label = issue.segmentId;
    const dateLine = issueDateLine(issue);
    const weekly = issue.week !== undefined;
    const template = keptTemplate(`mh|${language}|${issue.batchDate}|${dateLine.en}|${weekly ? 'w' : 'd'}`, label, () =>
      createElement(MastheadFrame, {
        language,
        site,
        dateLine,
        weekly,
        browserUrl: issueUrl(site, issue),
        count: { en: slot('COUNTEN'), zh: slot('COUNTZH') },
        children: slot('CONTENTS'),
      }),
    );
    const count = papersLine(issue);
    out.fill(template, (name) => {
      if (name === 'COUNTEN') out.add(escapeText(count.en));
      else if (name === 'COUNTZH') out.add(escapeText(count.zh));
      else {
        for (const section of issue.sections) {
          const { domain } = section;
          out.add(
            kept(`toc|${domain.id}|${domain.name.en}|${domain.name.zh}|${section.total}|${language}`, label, () =>
              createElement(ContentsLine, { section, language }),
            ),
          );
        }
      }
    });
  };

  const entryPiece = (
    issue: SegmentIssue,
    entry: IssueEntry,
    names: Readonly<Record<string, LocalizedText>>,
    titleOnly: boolean,
    first: boolean,
  ): Piece => {
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

  const addSection = (
    out: Assembly,
    issue: SegmentIssue,
    index: number,
    names: Readonly<Record<string, LocalizedText>>,
    titleOnly: ReadonlySet<string>,
  ): void => {
    const section = issue.sections[index] as IssueSection;
    const { language } = issue.key;
    const { domain } = section;
    const label = issue.segmentId;
    out.add(
      kept(`h|${domain.id}|${domain.name.en}|${domain.name.zh}|${language}`, label, () =>
        createElement(DomainHeading, { domain, language }),
      ),
    );
    if (section.entries.length === 0 && section.more === 0) {
      const line = emptySectionLine(issue, index);
      out.add(kept(`x|${language}|${line.en}|${line.zh}`, label, () => createElement(EmptySection, { issue, index })));
    }
    section.entries.forEach((entry, i) => {
      out.add(entryPiece(issue, entry, names, titleOnly.has(entry.paper.id), i === 0));
    });
    const listed = (section.listed ?? []).slice(0, listedIn(section));
    if (listed.length > 0) {
      const template = keptTemplate(`cl|${language}`, label, () =>
        createElement(CompactListFrame, { language, children: slot('LINES') }),
      );
      out.fill(template, () => {
        for (const entry of listed) {
          out.add(
            keptIn(out.byEntry, entry, () =>
              kept(`c|${entry.paper.id}v${entry.paper.version}|${language}`, label, () =>
                createElement(CompactLine, { entry, language }),
              ),
            ),
          );
        }
      });
    }
    const unlisted = unlistedIn(section);
    if (unlisted > 0) {
      out.add(
        kept(`m|${domain.id}|${domain.name.en}|${unlisted}|${language}|${issue.batchDate}|${issue.week?.from ?? ''}`, label, () =>
          createElement(MoreLink, { section, issue, site }),
        ),
      );
    }
  };

  const footerPiece = (issue: SegmentIssue): Piece => {
    const names = issue.sections.map((s) => `${s.domain.name.en}\u0000${s.domain.name.zh}`).join('\u0001');
    return kept(`f|${issue.key.language}|${names}`, issue.segmentId, () =>
      createElement(FooterContent, { issue, site, reader: READER_PLACEHOLDERS }),
    );
  };

  /**
   * Within one mail's size-budget search, what a section looks like at a step of the ladder: its kept entries, how
   * many of them are title-only and how many lines it lists. The ladder changes a section's entries lowest rank
   * first, so these counts say which. Null for a section without papers: what it says depends on the others.
   */
  const sectionState = (section: IssueSection, index: number, titleOnly: ReadonlySet<string>): string | null => {
    if (section.entries.length === 0 && section.more === 0) return null;
    let short = 0;
    for (const entry of section.entries) if (titleOnly.has(entry.paper.id)) short += 1;
    return `${index}|${section.entries.length}|${short}|${listedIn(section)}|${section.more}`;
  };

  const assemble = (
    frame: { template: Template; between: Piece },
    issue: SegmentIssue,
    titleOnly: readonly string[],
    out: Assembly,
  ): Assembly => {
    const names = domainNameMap(options.domains, issue);
    const only = new Set(titleOnly);
    const head = headOf(issue);
    out.fill(frame.template, (name) => {
      if (name === 'SUBJECT') out.add(head.html.subject);
      else if (name === 'PREHEADER') out.add(head.html.preheader);
      else if (name === 'MASTHEAD') addMasthead(out, issue);
      else if (name === 'FOOTER') out.add(footerPiece(issue));
      else {
        issue.sections.forEach((section, index) => {
          if (index > 0) out.add(frame.between);
          const state = out.measure ? sectionState(section, index, only) : null;
          const known = state === null ? undefined : out.sectionBytes.get(state);
          if (known !== undefined) {
            out.bytes += known;
            return;
          }
          const before = out.bytes;
          addSection(out, issue, index, names, only);
          if (state !== null) out.sectionBytes.set(state, out.bytes - before);
        });
      }
    });
    return out;
  };

  return {
    async render(issue) {
      const frame = await frameFor(issue.sections.length);
      // Compact lines by entry object (entries with summaries depend on their layout too: looked up by key).
      const byEntry = new Map<IssueEntry, Piece>();
      const sectionBytes = new Map<string, number>();
      // Most mails fit as they are: the first attempt is put together, the search's further ones only measured.
      let whole: Assembly | null = null;
      const { plan, rendered } = await fitToBudget(issue, maxBytes, (attempt) => {
        stats.attempts += 1;
        const out = assemble(frame, attempt.issue, attempt.titleOnly, new Assembly(whole !== null, byEntry, sectionBytes));
        whole ??= out;
        return { bytes: out.bytes, out };
      });
      const mail = rendered.out.measure
        ? assemble(frame, plan.issue, plan.titleOnly, new Assembly(false, byEntry, sectionBytes))
        : rendered.out;
      if (mail.bytes !== rendered.bytes) throw new RenderError(`${issue.segmentId}: assembled ${mail.bytes} bytes, measured ${rendered.bytes}`);
      stats.mails += 1;
      const counts = countMail(plan.issue);
      const head = headOf(plan.issue);
      return {
        subject: head.subject,
        preheader: head.preheader,
        html: mail.parts.join(''),
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
