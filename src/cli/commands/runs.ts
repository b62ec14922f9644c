import { UsageError, type ExitCode, EXIT } from '../../errors.ts';
import { deliveryCounts, type DeliveryStatus } from '../../store/deliveries.ts';
import { listRuns, loadRun, type RunRecord } from '../../store/runs.ts';
import { type CliIO, type GlobalOptions, withContext } from '../context.ts';
import { parseIsoDate } from './run.ts';

export interface RunsCommandOptions extends GlobalOptions {
  limit?: string;
  date?: string;
  json?: boolean;
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return 20;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 10_000) throw new UsageError(`--limit ${JSON.stringify(value)} is not a number from 1 to 10000`);
  return n;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One line per run, newest first: when, how it started, the batch, the outcome, mails, time, and what it said. */
export function renderRuns(runs: readonly RunRecord[]): string {
  if (runs.length === 0) return 'no runs yet';
  const rows = runs.map((r) => [
    r.startedAt.slice(0, 19).replace('T', ' '),
    r.trigger,
    r.batchDate ?? '-',
    `${r.status} (${r.exitCode})`,
    `${r.mailsSent} sent${r.mailsFailed > 0 ? `, ${r.mailsFailed} failed` : ''}`,
    seconds(r.durationMs),
    r.message,
  ]);
  const header = ['started (UTC)', 'trigger', 'batch', 'status (exit)', 'mails', 'took', 'message'];
  const widths = header.slice(0, -1).map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]!) : cell))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** One issue as a whole: its ledger by state, and the runs listed that sent it (several on PostgreSQL). */
export interface IssueLine {
  batchDate: string;
  ledger: Record<DeliveryStatus, number>;
  /** Mails sent by each listed run of the issue, oldest first. */
  sentByRun: number[];
}

/**
 * Below the runs, one line per issue they worked on: several runs may share an issue (PostgreSQL), each reporting
 * what it sent itself; this line is the issue's whole ledger, and how the runs listed added up to it.
 */
export function renderIssues(issues: readonly IssueLine[]): string {
  return issues
    .map(({ batchDate, ledger, sentByRun }) => {
      const total = Object.values(ledger).reduce((a, b) => a + b, 0);
      const runs = sentByRun.filter((n) => n > 0);
      const by = runs.length > 1 ? ` (by ${runs.length} runs: ${runs.join(' + ')})` : '';
      const toSend = ledger.planned + ledger.sending;
      return (
        `issue ${batchDate}: ${total} readers, ${ledger.sent} sent${by}, ${ledger.failed} failed, ${ledger.bounced} bounced, ` +
        `${ledger.unknown} unknown, ${ledger.skipped} skipped, ${toSend} not sent yet`
      );
    })
    .join('\n');
}

/** `paperboy runs`: the run history, newest first; `--json` gives each run with its whole stored report. */
export async function runsCommand(options: RunsCommandOptions, io: CliIO): Promise<ExitCode> {
  const limit = parseLimit(options.limit);
  const batchDate = options.date === undefined ? undefined : parseIsoDate(options.date, '--date');
  return withContext(options, io, async ({ db }) => {
    const runs = await listRuns(db, { limit, batchDate });
    if (!options.json) {
      const issues: IssueLine[] = [];
      for (const batchDate of new Set(runs.flatMap((r) => (r.batchDate ? [r.batchDate] : [])))) {
        const ledger = await deliveryCounts(db, batchDate);
        if (Object.values(ledger).every((n) => n === 0)) continue;
        const sentByRun = runs.filter((r) => r.batchDate === batchDate).map((r) => r.mailsSent).reverse();
        issues.push({ batchDate, ledger, sentByRun });
      }
      io.out(issues.length > 0 ? `${renderRuns(runs)}\n\n${renderIssues(issues)}` : renderRuns(runs));
      return EXIT.ok;
    }
    const full = [];
    for (const run of runs) full.push(await loadRun(db, run.id));
    io.out(JSON.stringify(full.filter(Boolean), null, 2));
    return EXIT.ok;
  });
}
