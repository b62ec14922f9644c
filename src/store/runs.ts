import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { ISODate } from '../types.ts';
import type { Database } from './schema.ts';
import { StoreError } from './store-error.ts';

// Run history: one row per `paperboy run` and per scheduler tick, with its whole report, so `paperboy runs` can say
// what happened on any day and the scheduler can tell a batch already sent from one still to send.

export type RunTrigger = 'run' | 'schedule' | 'schedule-once';

export type RunStatus = 'sent' | 'partial' | 'dry-run' | 'no-issue' | 'failed' | 'late';

/**
 * What the runs table reads out of a run's report into columns of its own; the whole report is kept beside them
 * as JSON. The report's full shape (`RunReport`, run-report.ts) sits above the store, so the store names only
 * these fields, and a caller that reads reports back says which type it expects (`loadRun<RunReport>`).
 */
export interface StoredReport {
  batchDate: ISODate | null;
  status: RunStatus;
  exitCode: number;
  message: string;
  durationMs: number;
  mails: { sent: number; failed: number; bounced: number };
}

export interface RunRecord {
  id: number;
  trigger: RunTrigger;
  batchDate: ISODate | null;
  status: RunStatus;
  exitCode: number;
  message: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  mailsSent: number;
  mailsFailed: number;
  host: string;
}

export interface RunWithReport<R extends StoredReport = StoredReport> extends RunRecord {
  report: R;
}

export function processName(): string {
  return `${hostname()}/${process.pid}`;
}

/** Stores a finished run; returns its id. */
export async function recordRun(
  db: Kysely<Database>,
  run: { trigger: RunTrigger; report: StoredReport; startedAt: Date; finishedAt?: Date | undefined; host?: string | undefined },
): Promise<number> {
  const { report } = run;
  // The run's own measured duration: an injected clock may stand still while it runs.
  const finishedAt = run.finishedAt ?? new Date(run.startedAt.getTime() + report.durationMs);
  const row = await db
    .insertInto('runs')
    .values({
      trigger: run.trigger,
      batch_date: report.batchDate,
      status: report.status,
      exit_code: report.exitCode,
      message: report.message,
      started_at: run.startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      duration_ms: Math.max(0, Math.round(finishedAt.getTime() - run.startedAt.getTime())),
      mails_sent: report.mails.sent,
      mails_failed: report.mails.failed + report.mails.bounced,
      host: run.host ?? processName(),
      report: JSON.stringify(report),
    })
    .returning('id')
    .executeTakeFirst();
  if (!row) throw new StoreError('the run could not be recorded');
  return Number(row.id);
}

type RunRow = Omit<Database['runs'], 'id' | 'report'> & { id: number };

function toRecord(row: RunRow): RunRecord {
  return {
    id: Number(row.id),
    trigger: row.trigger as RunTrigger,
    batchDate: row.batch_date,
    status: row.status as RunStatus,
    exitCode: Number(row.exit_code),
    message: row.message,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: Number(row.duration_ms),
    mailsSent: Number(row.mails_sent),
    mailsFailed: Number(row.mails_failed),
    host: row.host,
  };
}

const SUMMARY_COLUMNS = [
  'id',
  'trigger',
  'batch_date',
  'status',
  'exit_code',
  'message',
  'started_at',
  'finished_at',
  'duration_ms',
  'mails_sent',
  'mails_failed',
  'host',
] as const;

/** The latest runs first (at most `limit`), optionally of one batch. */
export async function listRuns(
  db: Kysely<Database>,
  options: { limit?: number | undefined; batchDate?: ISODate | undefined } = {},
): Promise<RunRecord[]> {
  let query = db.selectFrom('runs').select(SUMMARY_COLUMNS);
  if (options.batchDate !== undefined) query = query.where('batch_date', '=', options.batchDate);
  const rows = await query
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit ?? 50)
    .execute();
  return rows.map(toRecord);
}

/** One run with its stored report, or null. */
export async function loadRun<R extends StoredReport = StoredReport>(
  db: Kysely<Database>,
  id: number,
): Promise<RunWithReport<R> | null> {
  const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  return { ...toRecord(row), report: JSON.parse(row.report) as R };
}

/**
 * The stored reports of the runs with an id above `afterId`, except `skip`, oldest first: `serve`'s metrics add
 * each run once. Ids are handed out before commit, so on PostgreSQL a run may become visible after a higher id:
 * the caller asks again from a little below its highest id and skips the ids it has.
 */
export async function listRunReportsAfter<R extends StoredReport = StoredReport>(
  db: Kysely<Database>,
  afterId: number,
  skip: readonly number[] = [],
): Promise<Array<{ id: number; report: R }>> {
  let query = db.selectFrom('runs').select(['id', 'report']).where('id', '>', afterId);
  if (skip.length > 0) query = query.where('id', 'not in', skip);
  const rows = await query.orderBy('id').execute();
  return rows.map((row) => ({ id: Number(row.id), report: JSON.parse(row.report) as R }));
}

/** When the latest run that ended with exit code 0 (sent, or no issue that day) finished, or null. */
export async function lastSuccessfulRunAt(db: Kysely<Database>): Promise<string | null> {
  const row = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.max('finished_at').as('at'))
    .where('exit_code', '=', 0)
    .executeTakeFirst();
  return row?.at ?? null;
}

/** How many runs ended in each status. */
export async function countRunsByStatus(db: Kysely<Database>): Promise<Array<{ status: RunStatus; count: number }>> {
  const rows = await db
    .selectFrom('runs')
    .select((eb) => ['status', eb.fn.countAll().as('count')])
    .groupBy('status')
    .execute();
  return rows.map((row) => ({ status: row.status as RunStatus, count: Number(row.count) }));
}
