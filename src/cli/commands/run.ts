import { resolve } from 'node:path';
import { expectedBatchDate } from '../../arxiv/index.ts';
import { createSendProgress, TRANSPORTS, type TransportName } from '../../deliver/index.ts';
import { UsageError, type ExitCode } from '../../errors.ts';
import { runIssue } from '../../run-issue.ts';
import { errorReport, type RunReport } from '../../run-report.ts';
import { wireRun } from '../../run-wiring.ts';
import { recordRun } from '../../store/runs.ts';
import { createProgressBar } from '../../translate/index.ts';
import { formatTranslationReport } from '../../translate/index.ts';
import { type CliIO, type GlobalOptions, signingSecretOf, withContext } from '../context.ts';

export interface RunCommandOptions extends GlobalOptions {
  date?: string;
  feed?: string[];
  outbox?: string;
  dryRun?: boolean;
  json?: boolean;
  retranslate?: boolean;
  /** outbox, smtp or resend; default: delivery.transport. */
  transport?: string;
  resendUnknown?: boolean;
  /** Seconds to wait for another run's lock; default: delivery.lock.waitSeconds. */
  wait?: string;
  /** Send even when the batch went up longer ago than schedule.lateCutoffHours. */
  force?: boolean;
}

export function parseTransport(value: string | undefined, fallback: TransportName): TransportName {
  if (value === undefined) return fallback;
  if (!(TRANSPORTS as readonly string[]).includes(value)) {
    throw new UsageError(`--transport ${JSON.stringify(value)} is not a transport: expected ${TRANSPORTS.join(', ')}`);
  }
  return value as TransportName;
}

export function parseSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not a number of seconds between 0 and 86400`);
  }
  return seconds;
}

export function parseIsoDate(value: string, flag: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(`${value}T12:00:00Z`) : null;
  if (!match || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not a date: expected YYYY-MM-DD, e.g. 2025-11-14`);
  }
  return value;
}

export async function runCommand(options: RunCommandOptions, io: CliIO): Promise<ExitCode> {
  const date = options.date === undefined ? undefined : parseIsoDate(options.date, '--date');
  const lockWaitSeconds = parseSeconds(options.wait, '--wait');
  return withContext(options, io, async (context) => {
    const { config, holidays, db, log } = context;
    const secret = signingSecretOf(context);
    const outboxDir = resolve(options.outbox ?? config.delivery.outboxDir);
    const now = io.now();
    // Checked before anything is prepared: a missing SMTP_URL or RESEND_API_KEY is a usage error, not a half run.
    const transport = parseTransport(options.transport, config.delivery.transport);
    const { status } = context.io;
    const wiring = wireRun(config, io.env, {
      outboxDir,
      transport,
      dryRun: options.dryRun,
      retranslate: options.retranslate,
      onTranslateProgress: status ? createProgressBar(status) : undefined,
    });
    const sendProgress = createSendProgress({ transport, status, record: (fields) => log.info('sending', fields) });
    const report = await runIssue(
      {
        db,
        config,
        holidays,
        now,
        secret,
        readFeed: wiring.readFeed,
        createTransport: wiring.createTransport,
        log,
        onProgress: sendProgress.update,
        delivery: { resendUnknown: options.resendUnknown, lockWaitSeconds },
        translation: wiring.translation,
      },
      { date, feeds: options.feed, dryRun: options.dryRun, outboxDir, force: options.force },
    )
      .finally(() => sendProgress.end())
      .catch(async (error: unknown) => {
        // A run that ends in an error (another run holds the issue, the store failed) is history too.
        if (!options.dryRun) {
          const report = errorReport(date ?? expectedBatchDate(now, holidays), error);
          await recordRun(db, { trigger: 'run', report, startedAt: now }).catch(() => undefined);
        }
        throw error;
      });
    // A dry run records nothing, not even itself.
    if (!options.dryRun) await recordRun(db, { trigger: 'run', report, startedAt: now });
    io.out(options.json ? JSON.stringify(report, null, 2) : renderRunReport(report));
    return report.exitCode;
  }, { configWarnings: true });
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Per transport, the ledger after the run, and what a person has to know about crashes, unknowns and stops. */
function renderDeliveryLines(report: RunReport): string[] {
  const lines: string[] = [];
  const d = report.delivery;
  for (const t of report.transports) {
    lines.push(
      `${t.name}: ${t.sent} sent, ${t.failed} failed, ${t.bounced} bounced, ${t.unknown} unknown, ${t.skipped} skipped ` +
        `(suppressed) in ${(t.durationMs / 1000).toFixed(1)} s, ${t.mailsPerSecond} mails/s`,
    );
  }
  if (d.audience > 0 && report.status !== 'dry-run') {
    const when = d.preparedNow ? `frozen now (${d.prepareMs} ms)` : `frozen at ${d.preparedAt ?? '?'}`;
    lines.push(`audience: ${d.audience} readers, ${when}`);
  }
  if (d.ledger) {
    const states = Object.entries(d.ledger)
      .filter(([, n]) => n > 0)
      .map(([state, n]) => `${n} ${state}`);
    lines.push(`ledger: ${states.join(', ') || 'empty'}`);
  }
  if (d.interrupted > 0) lines.push(`found ${d.interrupted} mails an interrupted run left in "sending": now "unknown"`);
  if (d.resolved > 0) lines.push(`settled ${d.resolved} unknown mails by sending their batch again under the same idempotency key`);
  const unknown = Object.entries(d.unknownByTransport);
  if (unknown.length > 0) {
    lines.push(
      `unknown outcome: ${unknown.map(([t, n]) => `${n} via ${t}`).join(', ')}; not sent again (--resend-unknown sends them; ` +
        'a reader may get two copies)',
    );
  }
  if (d.stopped) lines.push(`stopped early: ${d.stopped}`);
  return lines;
}

/** One line for the arXiv details step: where the comments came from, and what they gave. */
function formatDetailsReport(d: NonNullable<RunReport['details']>): string {
  const source = d.skipped
    ? `API not asked (${d.skipped}), ${d.cached} from the cache`
    : `${d.cached} from the cache, ${d.fetched} from the API in ${d.requests} request${d.requests === 1 ? '' : 's'}${d.failed > 0 ? `, ${d.failed} failed` : ''}`;
  return `arXiv details: ${d.papers} papers shown, ${source}; ${d.withCode} with a code link, ${d.withVenue} with a venue`;
}

/** The run report as a person reads it in a terminal or a cron mail. */
export function renderRunReport(report: RunReport): string {
  const lines: string[] = [];
  lines.push(`paperboy run · batch ${report.batchDate ?? '(none)'} · ${report.status.toUpperCase()}`);
  lines.push(report.message);
  if (report.schedule?.joined) {
    lines.push(`a share: this scheduler joined ${report.schedule.joined}, which fetched the batch; the mail counts are this process's own`);
  }
  if (report.feeds.length > 0) {
    lines.push('', 'feeds:');
    for (const feed of report.feeds) {
      const detail = feed.error ? `FAILED: ${feed.error}` : `${feed.papers} papers, batch ${feed.batchDate ?? 'unknown'}`;
      lines.push(`  ${feed.source}: ${detail}`);
    }
  } else if (report.source === 'stored') {
    lines.push('', 'papers: from the stored batch');
  }
  if (report.papers > 0) {
    const { chinese } = report;
    // The count vocabulary of the mail and the archive (render/paper-counts.ts): in the batch, matching, shown.
    const matching = report.matching === undefined ? '' : `${report.matching} matching a topic, `;
    lines.push('', `papers: ${report.papers} in the batch, ${matching}${chinese.papers} shown in some mail`);
    lines.push(`Chinese: titles for ${chinese.titles} of ${chinese.papers}, summaries for ${chinese.abstracts} of ${chinese.papers} (the rest show 译文暂缺)`);
    lines.push(`matching per topic: ${report.domains.map((d) => `${d.id} ${d.matched}`).join(', ')}`);
    if (report.translation) lines.push(...formatTranslationReport(report.translation));
    if (report.details) {
      lines.push(formatDetailsReport(report.details));
      for (const problem of report.details.problems) lines.push(`arXiv details: ${problem}`);
    }
  }
  if (report.segments.length > 0) {
    lines.push('', 'segments:');
    const width = Math.max(...report.segments.map((s) => s.id.length));
    for (const s of report.segments) {
      const degraded = s.degraded > 0 ? `, ${s.degraded} shortened to fit` : '';
      lines.push(
        `  ${s.id.padEnd(width)}  ${String(s.readers).padStart(4)} readers  ${String(s.matching ?? '?').padStart(3)} matching  ${String(s.papers).padStart(3)} shown  ${kb(s.htmlBytes).padStart(8)} HTML  ${String(s.renderMs).padStart(4)} ms${degraded}`,
      );
    }
  }
  const m = report.mails;
  if (m.planned > 0) {
    lines.push(
      '',
      `mails: ${m.planned} planned, ${m.sent} sent, ${m.alreadySent} already sent, ${m.failed} failed, ${m.bounced} bounced, ` +
        `${m.unknown} unknown, ${m.skipped} skipped`,
    );
  }
  lines.push(...renderDeliveryLines(report));
  if (report.repeats.dropped + report.repeats.updated > 0) {
    const updated = report.repeats.updated > 0 ? `, ${report.repeats.updated} kept as updated versions` : '';
    lines.push(`already mailed on another day: ${report.repeats.dropped} papers left out of ${report.repeats.segments.length} segments${updated}`);
  }
  if (report.readersWaitingForDigest > 0) {
    lines.push(`weekly readers not in this issue (not their digest's day, or they have this week's): ${report.readersWaitingForDigest}`);
  }
  if (report.readersWithoutTopics > 0) {
    lines.push(`readers skipped (none of their topics is configured): ${report.readersWithoutTopics}`);
  }
  if (report.outbox) lines.push(`outbox: ${report.outbox}`);
  const previews = report.segments.map((s) => s.preview).filter(Boolean);
  if (previews.length > 0) lines.push(`previews: ${previews.length} HTML files in ${previews[0]?.replace(/\/[^/]+$/, '')}`);
  if (report.failures.length > 0) {
    lines.push('', `problems (${report.failures.length}):`);
    for (const f of report.failures) lines.push(`  - ${f.where}: ${f.error}`);
  }
  lines.push('', `took ${(report.durationMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}
