import type { DetailsReport, FeedReport, ObtainedBatch } from './arxiv/index.ts';
import type { IssueDelivery, SegmentFacts } from './deliver/index.ts';
import { EXIT, PaperboyError, type ExitCode } from './errors.ts';
import type { Audience, SegmentRepeats } from './select/index.ts';
import type { DeliveryStatus } from './store/schema.ts';
import type { RunStatus } from './store/runs.ts';
import type { TranslationReport } from './translate/index.ts';
import type { DomainSelection, ISODate } from './types.ts';

// What one run did, stage by stage: printed at the end of `paperboy run` (text or --json). The stages return what
// they did; `assembleRunReport` turns their results into this report in one place, and `concludeRun` says how the
// run ended.

/** A segment's line: what delivering it took (deliver's SegmentFacts; `papers` keeps its name for stored reports). */
export interface SegmentReport extends SegmentFacts {
  /** The browsable copy the orchestrator wrote. */
  preview: string | null;
}

/** What one transport did in this run. */
export interface TransportReport {
  name: string;
  sent: number;
  failed: number;
  bounced: number;
  /** Rows this run left with an unknown outcome. */
  unknown: number;
  /** Readers suppressed since the issue was prepared (unsubscribed, bounced, complained). */
  skipped: number;
  durationMs: number;
  mailsPerSecond: number;
}

/** The issue's ledger around this run. */
export interface DeliveryReport {
  transport: string | null;
  /** Readers frozen into the issue. */
  audience: number;
  preparedAt: string | null;
  /** This run froze the audience (false: an earlier run had). */
  preparedNow: boolean;
  prepareMs: number;
  /** Rows an earlier run left in `sending` (it died): now `unknown`. */
  interrupted: number;
  /** Unknown rows settled by sending their claim again under the same idempotency key. */
  resolved: number;
  /** Why sending stopped before the end (quota, lost lock, a server that keeps failing), or null. */
  stopped: string | null;
  /** Every row of the issue by state after the run; null when nothing was recorded (dry run, no issue). */
  ledger: Record<DeliveryStatus, number> | null;
  /** `unknown` rows by the transport that left them. */
  unknownByTransport: Record<string, number>;
  /** Per-mail failures in this run; the first few are listed in `failures`. */
  mailFailures: number;
}

/** Papers a segment's mail leaves out (or labels) because its readers were already mailed them on another day. */
export type RepeatsReport = SegmentRepeats;

/** What the scheduler did before the run: which tick, how often it fetched a stale feed, what the listing said. */
export interface ScheduleReport {
  /** The cron tick (or the start of `schedule --once`) that led to this run. */
  tickAt: string;
  /** When the batch's feed was due: 00:00 America/New_York on the batch date. */
  feedDueAt: string | null;
  /** Feed fetches until it carried the batch (0: the batch was already stored). */
  polls: number;
  /** Feeds those fetches could not read (no network, an HTTP error); absent in reports stored before it was kept. */
  failedFetches?: number | undefined;
  waitedMs: number;
  /** What the last fetch found: current, stale (with the date it carried), empty, unreadable, listing mismatch. */
  lastProbe: string | null;
  /** Problems the listing-page cross-check found (empty when off or when it agreed). */
  listing: string[];
  /**
   * Set when this scheduler joined another (`host/pid`) that was fetching the batch (PostgreSQL): it fetched
   * nothing itself, and the run's counts are its own share of the issue.
   */
  joined?: string | undefined;
}

export interface RunReport {
  batchDate: ISODate | null;
  /** `late`: the batch went up longer ago than schedule.lateCutoffHours; nothing was sent (run --force sends it). */
  status: RunStatus;
  message: string;
  source: 'feed' | 'stored' | null;
  feeds: FeedReport[];
  /** Papers in the batch. */
  papers: number;
  /** Papers matching some domain; absent in reports stored before it was kept. */
  matching?: number | undefined;
  /** Papers matching each domain. */
  domains: Array<{ id: string; matched: number }>;
  /**
   * Papers shown in some mail (`papers`), and of those the ones with a usable Chinese title / summary (the rest
   * show the "translation pending" marker).
   */
  chinese: { papers: number; titles: number; abstracts: number };
  /** The translate stage: requests, tokens, cache hits, failures, cost (absent when no paper was selected). */
  translation?: TranslationReport | undefined;
  /** The arXiv details step: comments and journal references for the papers shown (absent when none was shown). */
  details?: DetailsReport | undefined;
  segments: SegmentReport[];
  readersWithoutTopics: number;
  /** Weekly readers this issue does not mail (not their digest's day, or they already have this week's). */
  readersWaitingForDigest: number;
  /**
   * planned: the issue's audience; sent / failed / bounced / skipped: this run; alreadySent: by earlier runs;
   * unknown: rows whose outcome is unknown after this run; remaining: rows a later run will still send.
   */
  mails: {
    planned: number;
    sent: number;
    alreadySent: number;
    failed: number;
    bounced: number;
    unknown: number;
    skipped: number;
    remaining: number;
  };
  delivery: DeliveryReport;
  transports: TransportReport[];
  /** Never the same paper twice: what each segment left out because its readers already got it. */
  repeats: RepeatsReport;
  /** Set when `paperboy schedule` started the run. */
  schedule?: ScheduleReport | undefined;
  failures: Array<{ where: string; error: string }>;
  outbox: string | null;
  durationMs: number;
  exitCode: ExitCode;
}

export function emptyReport(batchDate: ISODate | null): RunReport {
  return {
    batchDate,
    status: 'failed',
    message: '',
    source: null,
    feeds: [],
    papers: 0,
    domains: [],
    chinese: { papers: 0, titles: 0, abstracts: 0 },
    segments: [],
    readersWithoutTopics: 0,
    readersWaitingForDigest: 0,
    mails: { planned: 0, sent: 0, alreadySent: 0, failed: 0, bounced: 0, unknown: 0, skipped: 0, remaining: 0 },
    delivery: {
      transport: null,
      audience: 0,
      preparedAt: null,
      preparedNow: false,
      prepareMs: 0,
      interrupted: 0,
      resolved: 0,
      stopped: null,
      ledger: null,
      unknownByTransport: {},
      mailFailures: 0,
    },
    transports: [],
    repeats: { dropped: 0, updated: 0, segments: [] },
    failures: [],
    outbox: null,
    durationMs: 0,
    exitCode: EXIT.failed,
  };
}

export function finishReport(report: RunReport, durationMs: number, status: RunStatus, message: string, exitCode: ExitCode) {
  report.status = status;
  report.message = message;
  report.exitCode = exitCode;
  report.durationMs = durationMs;
  return report;
}

/** What the stages of one run returned; a stage the run did not reach is absent. */
export interface RunResults {
  batchDate: ISODate | null;
  collected?: ObtainedBatch | undefined;
  selections?: readonly DomainSelection[] | undefined;
  /** The frozen (or, for a dry run, surveyed) audience and how long freezing it took. */
  audience?: (Audience & { prepareMs: number }) | undefined;
  repeats?: RepeatsReport | undefined;
  translated?: { report: TranslationReport; chinese: RunReport['chinese'] } | undefined;
  details?: DetailsReport | undefined;
  delivered?: (IssueDelivery & { transport: string | null; previews: ReadonlyMap<string, string> }) | undefined;
  /** The day's outbox folder when the mails went there. */
  outbox?: string | null | undefined;
}

/**
 * The run report from the stages' results. Fields are filled in stage order, so the report (and its JSON) keeps
 * the shape it always had; `failures` lists the collect problems, then translation, then sending.
 */
export function assembleRunReport(results: RunResults): RunReport {
  const report = emptyReport(results.batchDate);
  const { collected, selections, audience, translated, delivered } = results;
  if (collected) {
    report.source = collected.source;
    report.feeds.push(...collected.feeds);
    report.failures.push(...collected.problems);
    if (collected.papers) report.papers = collected.papers.length;
  }
  if (selections) {
    report.domains = selections.map((s) => ({ id: s.domain.id, matched: s.matches.length }));
    report.matching = new Set(selections.flatMap((s) => s.matches.map((m) => m.paper.id))).size;
  }
  if (audience) {
    Object.assign(report.delivery, {
      audience: audience.readers,
      preparedAt: audience.preparedAt,
      preparedNow: audience.preparedNow,
      prepareMs: audience.prepareMs,
    });
    report.mails.planned = audience.readers;
    report.readersWithoutTopics = audience.withoutTopics;
    report.readersWaitingForDigest = audience.weeklyWaiting ?? 0;
  }
  if (results.repeats) report.repeats = results.repeats;
  if (translated) {
    report.translation = translated.report;
    for (const error of translated.report.errors) report.failures.push({ where: 'translation', error });
    report.chinese = translated.chinese;
  }
  // The details step fails soft: a slow or refusing API costs code links and venues, not the run's exit status.
  if (results.details) report.details = results.details;
  if (delivered) {
    report.segments = delivered.segments.map((s) => ({
      id: s.id,
      readers: s.readers,
      matching: s.matching,
      papers: s.papers,
      htmlBytes: s.htmlBytes,
      textBytes: s.textBytes,
      renderMs: s.renderMs,
      degraded: s.degraded,
      preview: delivered.previews.get(s.id) ?? null,
      reused: s.reused,
    }));
    const { sent, transport } = delivered;
    if (sent && transport) addSendResult(report, sent, transport);
  }
  report.outbox = results.outbox ?? null;
  return report;
}

function addSendResult(report: RunReport, result: NonNullable<IssueDelivery['sent']>, transport: string): void {
  const after = result.ledgerAfter;
  report.mails = {
    planned: report.mails.planned,
    sent: result.sent,
    alreadySent: result.alreadySent,
    failed: result.failed,
    bounced: result.bounced,
    unknown: after.counts.unknown,
    skipped: result.skipped,
    remaining: after.counts.planned + after.failedTransient,
  };
  Object.assign(report.delivery, {
    transport,
    interrupted: result.interrupted,
    resolved: result.resolved,
    stopped: result.stopped,
    ledger: after.counts,
    unknownByTransport: after.unknownByTransport,
    mailFailures: result.failuresTotal,
  });
  const seconds = result.durationMs / 1000;
  report.transports.push({
    name: transport,
    sent: result.sent,
    failed: result.failed,
    bounced: result.bounced,
    unknown: result.unknown,
    skipped: result.skipped,
    durationMs: result.durationMs,
    mailsPerSecond: seconds > 0 ? Math.round((result.sent / seconds) * 10) / 10 : 0,
  });
  for (const failure of result.failures) {
    report.failures.push({ where: `${failure.status} mail to subscriber ${failure.subscriberId} <${failure.email}>`, error: failure.error });
  }
  if (result.failuresTotal > result.failures.length) {
    report.failures.push({
      where: 'mails',
      error: `${result.failuresTotal - result.failures.length} more failed, bounced or unknown mails are not listed (see the ledger)`,
    });
  }
  if (result.stopped) report.failures.push({ where: `${transport} transport`, error: `stopped: ${result.stopped}` });
}

export interface RunEnding {
  status: RunStatus;
  message: string;
  exitCode: ExitCode;
}

/** How a run that went through delivery ended, from its report: sent, partial, failed, or a dry run. */
export function concludeRun(report: RunReport, dryRun: boolean): RunEnding {
  const { mails, delivery } = report;
  if (dryRun) return { status: 'dry-run', message: `dry run: ${mails.planned} mails rendered, nothing sent`, exitCode: EXIT.ok };
  const delivered = mails.sent + mails.alreadySent;
  const unknown =
    mails.unknown > 0
      ? `; ${mails.unknown} mails may or may not have been delivered (not sent again: --resend-unknown sends them, ` +
        'a reader may then get two copies)'
      : '';
  if (delivery.stopped && delivered === 0) {
    return { status: 'failed', message: `stopped: ${delivery.stopped}; nothing sent`, exitCode: EXIT.failed };
  }
  if (mails.failed + mails.bounced > 0 && delivered === 0) {
    return { status: 'failed', message: `every mail failed (${mails.failed + mails.bounced}); nothing sent${unknown}`, exitCode: EXIT.failed };
  }
  const again = mails.alreadySent > 0 ? ` (${mails.alreadySent} already sent before)` : '';
  if (delivery.stopped) {
    return {
      status: 'partial',
      message: `stopped after ${mails.sent} mails${again}: ${delivery.stopped}; ${mails.remaining} left for the next run${unknown}`,
      exitCode: EXIT.partial,
    };
  }
  if (mails.failed + mails.bounced + mails.unknown > 0 || report.failures.length > 0) {
    return { status: 'partial', message: `sent ${mails.sent} mails${again} with ${report.failures.length} problems${unknown}`, exitCode: EXIT.partial };
  }
  return { status: 'sent', message: `sent ${mails.sent} mails${again}`, exitCode: EXIT.ok };
}

/** The report of a run that ended in an error instead of a report (so the run history has it too). */
export function errorReport(batchDate: ISODate | null, error: unknown): RunReport {
  const report = emptyReport(batchDate);
  const message = error instanceof Error ? error.message : String(error);
  report.status = 'failed';
  report.message = message;
  report.exitCode = error instanceof PaperboyError ? error.exitCode : EXIT.failed;
  report.failures.push({ where: 'run', error: message });
  return report;
}
