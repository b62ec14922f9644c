import type { Generated, Kysely, Migration } from 'kysely';
import type { ISODate } from '../types.ts';
import type { DialectName } from './dialect.ts';

// Tables of migration `0200_runs`: the history of runs (every `run` and every scheduler tick, with its report) and
// which papers each segment's mail of each issue carried (so no reader is mailed the same paper on two days). The
// storage rules of the core schema hold: JSON and timestamps are TEXT, no SQLite-only syntax.

/** One run of `paperboy run` or one tick of `paperboy schedule`, with the report it printed. */
export interface RunsTable {
  id: Generated<number>;
  /** `run`, `schedule` (a cron tick) or `schedule-once`. */
  trigger: string;
  batch_date: ISODate | null;
  /** RunReport status: sent, partial, dry-run, no-issue, failed, late. */
  status: string;
  exit_code: number;
  message: string;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  mails_sent: number;
  mails_failed: number;
  /** `host/pid` of the process that ran it. */
  host: string;
  /** The whole RunReport as JSON. */
  report: string;
}

/** A paper one segment's mail of one issue carried, recorded before any of that mail is sent. */
export interface IssuePapersTable {
  batch_date: ISODate;
  segment_id: string;
  paper_id: string;
  version: number;
  /** The first time the issue recorded its papers: later records of other issues do not change what it excluded. */
  recorded_at: string;
}

export type RunTables = {
  runs: RunsTable;
  issue_papers: IssuePapersTable;
};

export const runsMigration = (dialect: DialectName): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('runs')
      .addColumn('id', 'integer', (c) =>
        dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
      )
      .addColumn('trigger', 'text', (c) => c.notNull())
      .addColumn('batch_date', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('exit_code', 'integer', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('mails_sent', 'integer', (c) => c.notNull())
      .addColumn('mails_failed', 'integer', (c) => c.notNull())
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('report', 'text', (c) => c.notNull())
      .execute();
    // "Was this batch sent?" (the scheduler, every tick) and "the latest runs" (`paperboy runs`).
    await db.schema.createIndex('runs_batch_status_idx').on('runs').columns(['batch_date', 'status']).execute();
    await db.schema.createIndex('runs_started_idx').on('runs').columns(['started_at']).execute();

    await db.schema
      .createTable('issue_papers')
      .addColumn('batch_date', 'text', (c) => c.notNull())
      .addColumn('segment_id', 'text', (c) => c.notNull())
      .addColumn('paper_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('issue_papers_pk', ['batch_date', 'segment_id', 'paper_id'])
      .execute();
    // A day's candidates are looked up by id across all earlier issues.
    await db.schema.createIndex('issue_papers_paper_idx').on('issue_papers').columns(['paper_id']).execute();
  },

  async down(db: Kysely<any>) {
    await db.schema.dropTable('issue_papers').execute();
    await db.schema.dropTable('runs').execute();
  },
});
