import { SUMMARY_CHECKS, type SummaryCheck, type SummaryDrop } from './check-summary.ts';

// What the translate stage did in one run: part of the run report, printed by `paperboy run`.

/** TL;DRs and key points of this run's replies (translation.summaries): what was offered, kept and dropped. */
export interface SummaryReport {
  /** Papers with at least one TL;DR or point kept. */
  papers: number;
  /** Items (TL;DRs and points, each language counted apart) the replies offered. */
  offered: number;
  kept: number;
  /** Dropped items by the check they failed (check-summary.ts SUMMARY_CHECKS). */
  dropped: Partial<Record<SummaryCheck, number>>;
  /** Every dropped item with its paper and reason (details for --json). */
  drops: Array<SummaryDrop & { paperId: string }>;
}

export interface TranslationReport {
  /** `deepseek-chat at https://api.deepseek.com`; null when no provider is configured. */
  provider: string | null;
  promptVersion: string | null;
  /** Said once when there is no provider (stored and imported translations only). */
  note: string | null;
  /** Distinct papers some reader will receive. */
  papers: number;
  /** Already translated with this model and prompt: no request. */
  cached: number;
  /** Translated now, every field accepted. */
  translated: number;
  /** Translated now, but some field was rejected twice: the mail shows the marker there. */
  incomplete: number;
  /** No answer at all (the provider failed after its retries): tried again on the next run. */
  failed: number;
  /** HTTP requests, retries included. */
  requests: number;
  /** Of those, repeats after 429, 5xx, timeouts or dropped connections. */
  retriedRequests: number;
  /** Papers asked again on their own, with the stricter instruction. */
  strictRetries: number;
  tokensIn: number;
  tokensOut: number;
  /** From translation.prices; null when no price is configured. */
  cost: { amount: number; currency: string } | null;
  /** Per paper: what was rejected (and not recovered), glossary deviations. */
  problems: Array<{ paperId: string; problems: string[] }>;
  /** Requests that failed for good. */
  errors: string[];
  summaries: SummaryReport;
  durationMs: number;
}

export function emptySummaryReport(): SummaryReport {
  return { papers: 0, offered: 0, kept: 0, dropped: {}, drops: [] };
}

/** Adds one paper's summary outcome to the report. */
export function countSummary(report: SummaryReport, paperId: string, offered: number, drops: readonly SummaryDrop[], kept: boolean): void {
  report.offered += offered;
  report.kept += offered - drops.length;
  if (kept) report.papers += 1;
  for (const drop of drops) {
    report.dropped[drop.check] = (report.dropped[drop.check] ?? 0) + 1;
    report.drops.push({ paperId, ...drop });
  }
}

export function emptyTranslationReport(): TranslationReport {
  return {
    provider: null,
    promptVersion: null,
    note: null,
    papers: 0,
    cached: 0,
    translated: 0,
    incomplete: 0,
    failed: 0,
    requests: 0,
    retriedRequests: 0,
    strictRetries: 0,
    tokensIn: 0,
    tokensOut: 0,
    cost: null,
    problems: [],
    errors: [],
    summaries: emptySummaryReport(),
    durationMs: 0,
  };
}

export interface TokenPrices {
  inputPerMillion: number;
  outputPerMillion: number;
  currency: string;
}

/** Estimated cost of the tokens, or null when no price is set. */
export function estimateCost(tokensIn: number, tokensOut: number, prices: TokenPrices): TranslationReport['cost'] {
  if (prices.inputPerMillion === 0 && prices.outputPerMillion === 0) return null;
  const amount = (tokensIn * prices.inputPerMillion + tokensOut * prices.outputPerMillion) / 1_000_000;
  return { amount, currency: prices.currency };
}

const count = (n: number) => n.toLocaleString('en-US');

/** The report's translation lines, as a person reads them. */
export function formatTranslationReport(report: TranslationReport): string[] {
  if (report.provider === null) return [`translation: ${report.note ?? 'no provider configured'}`];
  const lines = [`translation: ${report.provider} (prompt ${report.promptVersion ?? '?'})`];
  const parts = [`${report.cached} cached`, `${report.translated} translated`];
  if (report.incomplete > 0) parts.push(`${report.incomplete} incomplete (marker shown)`);
  if (report.failed > 0) parts.push(`${report.failed} failed (retried next run)`);
  lines.push(`  ${report.papers} papers: ${parts.join(', ')}`);
  const retried = report.retriedRequests > 0 ? ` (${report.retriedRequests} retried after 429/5xx/timeout)` : '';
  const strict = report.strictRetries > 0 ? `, ${report.strictRetries} papers asked again alone` : '';
  lines.push(`  requests: ${report.requests}${retried}${strict}`);
  const cost = report.cost ? ` · est. cost ${report.cost.amount.toFixed(4)} ${report.cost.currency}` : '';
  lines.push(`  tokens: ${count(report.tokensIn)} in / ${count(report.tokensOut)} out${cost}`);
  const sums = report.summaries;
  if (sums.offered > 0) {
    const dropped = SUMMARY_CHECKS.filter((check) => sums.dropped[check])
      .map((check) => `${check} ${sums.dropped[check]}`)
      .join(', ');
    lines.push(
      `  summaries: ${sums.papers} papers with TL;DR or points; ${sums.kept} of ${sums.offered} items kept${dropped ? ` (dropped: ${dropped})` : ''}`,
    );
  }
  const glossary = report.problems.filter((p) => p.problems.some((x) => x.startsWith('glossary:'))).length;
  if (glossary > 0) lines.push(`  glossary: ${glossary} papers render some term differently (details: --json)`);
  for (const { paperId, problems } of report.problems) {
    const rejected = problems.filter((p) => !p.startsWith('glossary:'));
    if (rejected.length > 0) lines.push(`  ${paperId}: ${rejected.join('; ')}`);
  }
  for (const error of report.errors.slice(0, 5)) lines.push(`  error: ${error}`);
  if (report.errors.length > 5) lines.push(`  … ${report.errors.length - 5} more errors`);
  return lines;
}
