import { createElement } from 'react';
import { Newsletter } from '../../emails/newsletter.tsx';
import { RenderError } from '../errors.ts';
import type { IssueSection, NewsletterSite, RenderedMail, SegmentIssue } from '../types.ts';
import {
  DEFAULT_MAX_AUTHORS,
  DEFAULT_SUMMARY_WIDTH,
  READER_PLACEHOLDERS,
  type ReaderFields,
  buildPreheader,
  buildSubject,
  domainNameMap,
} from './issue-copy.ts';
import { countMail, listedIn } from './paper-counts.ts';
import { renderMjml } from './render-mjml.ts';
import type { RenderOptions } from './render-options.ts';
import { renderText } from './render-text.ts';

export { READER_PLACEHOLDERS } from './issue-copy.ts';

export type { RenderOptions } from './render-options.ts';

export interface RenderResult extends RenderedMail {
  /** UTF-8 size of `html`. */
  bytes: number;
  /** Entries that lost their summaries to the size budget (including those moved to "and N more"). */
  degraded: number;
  /** Of those, entries left out of the mail and counted in "and N more" instead. */
  dropped: number;
  /** Papers listed by title after the entries (what fitted of the issue's `listed`). */
  listed: number;
  /** Papers behind the mail's "and N more" links, in all. */
  unlisted: number;
}

export const DEFAULT_MAX_HTML_BYTES = 90_000;

interface Degradation {
  issue: SegmentIssue;
  titleOnly: string[];
  degraded: number;
  dropped: number;
}

/** Each topic's best few papers keep their summaries until every lower-ranked paper has left the mail. */
const KEEP_FULL_PER_TOPIC = 3;

type Step = { kind: 'unlist' | 'title-only' | 'drop'; section: number; entry: number };

/**
 * The degrade ladder, one paper at a time. First the title-only lines after each topic's entries go behind
 * "and N more", lowest-listed first across all topics (so every topic keeps its first lines longest); then
 * lower-ranked entries (rank ≥ KEEP_FULL_PER_TOPIC) lose their summaries, then leave the mail for "and N more";
 * only then do the top papers go the same way. Within a phase the lowest rank goes first across all topics (ties:
 * the later topic), so no topic is emptied before another is touched.
 */
function degradeLadder(issue: SegmentIssue): Step[] {
  const byRank = (a: { section: number; entry: number }, b: { section: number; entry: number }): number =>
    b.entry - a.entry || b.section - a.section;
  const lines = issue.sections.flatMap((s, section) =>
    (s.listed ?? []).slice(0, listedIn(s)).map((_, entry) => ({ section, entry })),
  );
  lines.sort(byRank);
  const all = issue.sections.flatMap((s, section) => s.entries.map((_, entry) => ({ section, entry })));
  all.sort(byRank);
  const low = all.filter((p) => p.entry >= KEEP_FULL_PER_TOPIC);
  const top = all.filter((p) => p.entry < KEEP_FULL_PER_TOPIC);
  const steps = (kind: Step['kind'], ps: typeof all): Step[] => ps.map((p) => ({ kind, ...p }));
  return [
    ...steps('unlist', lines),
    ...steps('title-only', low),
    ...steps('drop', low),
    ...steps('title-only', top),
    ...steps('drop', top),
  ];
}

/** The issue after the first `d` steps of the ladder. Deterministic, and (nearly) monotone in size. */
function degrade(issue: SegmentIssue, ladder: Step[], d: number): Degradation {
  const applied = ladder.slice(0, d);
  const key = (p: { section: number; entry: number }): string => `${p.section}/${p.entry}`;
  const dropped = new Set(applied.filter((s) => s.kind === 'drop').map(key));
  const unlisted = issue.sections.map(() => 0);
  for (const step of applied) if (step.kind === 'unlist') unlisted[step.section] = (unlisted[step.section] ?? 0) + 1;
  const titleOnly = applied
    .filter((s) => s.kind === 'title-only' && !dropped.has(key(s)))
    .map((s) => issue.sections[s.section]?.entries[s.entry]?.paper.id ?? '');
  const sections: IssueSection[] = issue.sections.map((s, si) => {
    const kept = s.entries.filter((_, ei) => !dropped.has(`${si}/${ei}`));
    // Lines go from the end of the list, so what stays is its best-ranked start.
    const listed = (s.listed ?? []).slice(0, Math.max(0, listedIn(s) - (unlisted[si] ?? 0)));
    return { ...s, entries: kept, listed, more: s.more + (s.entries.length - kept.length) };
  });
  return {
    issue: { ...issue, sections },
    titleOnly,
    degraded: titleOnly.length + dropped.size,
    dropped: dropped.size,
  };
}

function renderHtml(
  issue: SegmentIssue,
  site: NewsletterSite,
  options: RenderOptions,
  titleOnly: string[],
): Promise<string> {
  const element = createElement(Newsletter, {
    issue,
    site,
    domainNames: domainNameMap(options.domains, issue),
    reader: READER_PLACEHOLDERS,
    summaryWidth: options.summaryWidth ?? DEFAULT_SUMMARY_WIDTH,
    maxAuthors: options.maxAuthors ?? DEFAULT_MAX_AUTHORS,
    titleOnly,
  });
  return renderMjml(element, issue.segmentId);
}

const byteLength = (html: string): number => Buffer.byteLength(html, 'utf8');

/**
 * Renders one segment's issue once, with READER_PLACEHOLDERS where per-reader values go (see `personalize`).
 * Past `maxHtmlBytes`, it takes the fewest steps down the degrade ladder that make the mail fit.
 */
export async function renderIssue(
  issue: SegmentIssue,
  site: NewsletterSite,
  options: RenderOptions,
): Promise<RenderResult> {
  const maxBytes = options.maxHtmlBytes ?? DEFAULT_MAX_HTML_BYTES;
  const ladder = degradeLadder(issue);

  const attempt = async (d: number): Promise<{ plan: Degradation; html: string; bytes: number }> => {
    const plan = degrade(issue, ladder, d);
    const html = await renderHtml(plan.issue, site, options, plan.titleOnly);
    return { plan, html, bytes: byteLength(html) };
  };

  let best = await attempt(0);
  if (best.bytes > maxBytes) {
    // Search the ladder for the first step that fits. Size falls almost linearly within each phase, so
    // interpolating between the known ends needs ~4 renders where bisection needs ~log2(2N); bisection is the
    // fallback whenever interpolation stops making progress. `fit` always holds a rendered, fitting result.
    let lo = { d: 0, bytes: best.bytes };
    let fit = await attempt(ladder.length);
    if (fit.bytes > maxBytes) {
      throw new RenderError(
        `${issue.segmentId}: ${fit.bytes} bytes even with every paper moved to "and N more" (budget ${maxBytes})`,
      );
    }
    let hi = { d: ladder.length, bytes: fit.bytes };
    let interpolate = true;
    while (hi.d - lo.d > 1) {
      const guess = interpolate
        ? lo.d + Math.ceil(((lo.bytes - maxBytes) / Math.max(1, lo.bytes - hi.bytes)) * (hi.d - lo.d))
        : Math.floor((lo.d + hi.d) / 2);
      const d = Math.min(hi.d - 1, Math.max(lo.d + 1, guess));
      const candidate = await attempt(d);
      const span = hi.d - lo.d;
      if (candidate.bytes <= maxBytes) {
        hi = { d, bytes: candidate.bytes };
        fit = candidate;
      } else {
        lo = { d, bytes: candidate.bytes };
      }
      // Interpolation that only shaved one step off a wide interval is stuck on a kink: bisect next.
      interpolate = hi.d - lo.d < span - 1 || span <= 2;
    }
    best = fit;
  }

  const { plan } = best;
  const counts = countMail(plan.issue);
  return {
    subject: buildSubject(plan.issue),
    preheader: buildPreheader(plan.issue),
    html: best.html,
    text: renderText(plan.issue, site, options),
    bytes: best.bytes,
    degraded: plan.degraded,
    dropped: plan.dropped,
    listed: counts.listed,
    unlisted: counts.unlisted,
  };
}

// Re-exported: callers that render also fill in readers.
export { personalize } from './personalize.ts';
