import { createElement } from 'react';
import { Newsletter } from '../../emails/newsletter.tsx';
import type { NewsletterSite, RenderedMail, SegmentIssue } from '../types.ts';
import {
  DEFAULT_MAX_AUTHORS,
  DEFAULT_SUMMARY_WIDTH,
  READER_PLACEHOLDERS,
  type ReaderFields,
  buildPreheader,
  buildSubject,
  domainNameMap,
} from './issue-copy.ts';
import { countMail } from './paper-counts.ts';
import { renderMjml } from './render-mjml.ts';
import type { RenderOptions } from './render-options.ts';
import { renderText } from './render-text.ts';
import { DEFAULT_MAX_HTML_BYTES, fitToBudget } from './size-budget.ts';

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
  const { plan, rendered } = await fitToBudget(issue, maxBytes, async (attempt) => {
    const html = await renderHtml(attempt.issue, site, options, attempt.titleOnly);
    return { html, bytes: byteLength(html) };
  });

  const counts = countMail(plan.issue);
  return {
    subject: buildSubject(plan.issue),
    preheader: buildPreheader(plan.issue),
    html: rendered.html,
    text: renderText(plan.issue, site, options),
    bytes: rendered.bytes,
    degraded: plan.degraded,
    dropped: plan.dropped,
    listed: counts.listed,
    unlisted: counts.unlisted,
  };
}

// Re-exported: callers that render also fill in readers.
export { personalize } from './personalize.ts';
