import { resolve } from 'node:path';
import { readFeedSource } from '../../arxiv/fetch-feed.ts';
import { readSigningSecret } from '../../config/env.ts';
import { createOutboxTransport } from '../../deliver/outbox-transport.ts';
import { UsageError, type ExitCode } from '../../errors.ts';
import { runIssue } from '../../run-issue.ts';
import type { RunReport } from '../../run-report.ts';
import { type CliIO, type GlobalOptions, withContext } from '../context.ts';

export interface RunCommandOptions extends GlobalOptions {
  date?: string;
  feed?: string[];
  outbox?: string;
  dryRun?: boolean;
  json?: boolean;
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
  return withContext(options, io, async ({ config, holidays, db }) => {
    const secret = readSigningSecret(io.env);
    const outboxDir = resolve(options.outbox ?? config.delivery.outboxDir);
    const now = io.now();
    const report = await runIssue(
      {
        db,
        config,
        holidays,
        now,
        secret,
        readFeed: (source) =>
          readFeedSource(source, {
            timeoutMs: config.arxiv.timeoutSeconds * 1000,
            retries: config.arxiv.retries,
            userAgent: config.arxiv.userAgent,
          }),
        createTransport: (batchDate) => createOutboxTransport({ dir: outboxDir, batchDate, date: now }),
        log: (line) => io.err(line),
      },
      { date, feeds: options.feed, dryRun: options.dryRun, outboxDir },
    );
    io.out(options.json ? JSON.stringify(report, null, 2) : renderRunReport(report));
    return report.exitCode;
  });
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The run report as a person reads it in a terminal or a cron mail. */
export function renderRunReport(report: RunReport): string {
  const lines: string[] = [];
  lines.push(`paperboy run · batch ${report.batchDate ?? '(none)'} · ${report.status.toUpperCase()}`);
  lines.push(report.message);
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
    lines.push('', `papers: ${report.papers} in the batch, ${chinese.papers} selected for some domain`);
    lines.push(`Chinese: titles for ${chinese.titles} of ${chinese.papers}, summaries for ${chinese.abstracts} of ${chinese.papers} (the rest show 译文暂缺)`);
    lines.push(`domains: ${report.domains.map((d) => `${d.id} ${d.matched}`).join(', ')}`);
  }
  if (report.segments.length > 0) {
    lines.push('', 'segments:');
    const width = Math.max(...report.segments.map((s) => s.id.length));
    for (const s of report.segments) {
      const degraded = s.degraded > 0 ? `, ${s.degraded} shortened to fit` : '';
      lines.push(
        `  ${s.id.padEnd(width)}  ${String(s.readers).padStart(4)} readers  ${String(s.papers).padStart(3)} papers  ${kb(s.htmlBytes).padStart(8)} HTML  ${String(s.renderMs).padStart(4)} ms${degraded}`,
      );
    }
  }
  const m = report.mails;
  if (m.planned > 0) {
    lines.push('', `mails: ${m.planned} planned, ${m.sent} sent, ${m.alreadySent} already sent, ${m.failed} failed`);
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
