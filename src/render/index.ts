// render/: the write step's first half. Takes one segment's issue (SegmentIssue) and RenderSettings (the sender's
// facts and render options, narrowed from the config by src/run-wiring.ts); returns the mail's subject, preheader,
// HTML and text with reader placeholders, which `personalize` fills per reader. Pure: no database, no clock, no
// network. RenderError marks a template that broke. A run renders through `loadAssembler()`: one MJML compile for
// the mail's frame, each paper's entry once per language and layout, so readers alone in their segment (their own
// keywords and authors) do not cost one MJML compile each.
// Neither the assembler nor the MJML renderer (render-issue.ts, the assembler's reference) is re-exported here:
// they load MJML and React, so a run loads the assembler on demand and one that reuses kept mails never pays for it.
// Must not import: cli/, run-issue.ts, run-wiring.ts, preview/, schedule/, web/, deliver/, select/, store/.
export { RenderError } from '../errors.ts';
export { formatIssueDate, formatWeekRange } from './format-date.ts';
export { announceLabel, cleanText, formatAuthors, MISSING_ZH_MARKER, READER_PLACEHOLDERS, UI, type ReaderFields } from './issue-copy.ts';
export {
  COUNT_SCOPES,
  countMail,
  inBatchCount,
  inWeekCount,
  joinCounts,
  listedElsewhere,
  matchingCount,
  notListedHereLine,
  shownCount,
} from './paper-counts.ts';
export { escapeHtml, personalize, sampleReader } from './personalize.ts';
export type { RenderOptions, RenderSettings } from './render-options.ts';
export type { AssemblyStats, MailAssembler } from './assemble-mail.ts';
import type { RenderSettings } from './render-options.ts';

/**
 * An assembler for one batch's mails, loaded when a mail is actually rendered: each segment's (or reader's) mail
 * assembled from pieces rendered once, the same mail the renderer gives (assemble-mail.ts; issue 12, part 6).
 */
export async function loadAssembler(settings: RenderSettings): Promise<import('./assemble-mail.ts').MailAssembler> {
  return (await import('./assemble-mail.ts')).createMailAssembler(settings.site, settings.options);
}
