import { sql, type Generated, type Kysely, type Migration } from 'kysely';
import type { ISODate, Language } from '../types.ts';
import type { DialectName } from './dialect.ts';

// Tables of crash-safe delivery (migration `0002_delivery`): the issue with its frozen audience, the segments of
// that audience with their frozen render, and the run lock. The same storage rules as the core schema hold: JSON
// and timestamps are TEXT, no SQLite-only syntax; the ledger columns added to `deliveries` are typed in schema.ts.

/** Why a `failed` row failed: `transient` rows are tried again by the next run, `permanent` ones never. */
export type FailureKind = 'transient' | 'permanent';
export const FAILURE_KINDS: readonly FailureKind[] = ['transient', 'permanent'];

/** One issue (one batch date): its audience is frozen once `prepared_at` is set. */
export interface IssuesTable {
  batch_date: ISODate;
  /** Set when every active reader has a ledger row; until then a run (re)does the preparation. */
  prepared_at: string | null;
  /** Ledger rows written when the issue was prepared. */
  audience: number;
  /** Active readers none of whose topics is configured: they have no row. */
  without_topics: number;
  /** The last batch number handed out; claims of this issue are numbered 1, 2, … */
  last_batch: number;
  created_at: string;
  updated_at: string;
}

/** A segment of a frozen audience, and what it is sent (kept until every mail of the issue is settled). */
export interface IssueSegmentsTable {
  batch_date: ISODate;
  segment_id: string;
  /** JSON array of domain ids, config order. */
  topics: string;
  language: Language;
  /** JSON ReaderInterests of the segment's readers; null for a segment of topics and language only. */
  interests: string | null;
  /** Added by 0600_weekly_digest: `weekly` for a weekly digest's segment, null for the daily mail. */
  frequency: Generated<'weekly' | null>;
  readers: number;
  subject: string | null;
  preheader: string | null;
  html: string | null;
  text: string | null;
  /** Entries shortened to fit the size budget when it was rendered. */
  degraded: number | null;
  rendered_at: string | null;
}

/** One row per held lock; a row whose `expires_at` has passed may be taken over. */
export interface RunLocksTable {
  name: string;
  /** `host/pid/nonce` of the holder. */
  owner: string;
  acquired_at: string;
  heartbeat_at: string;
  expires_at: string;
}

export type DeliveryTables = {
  issues: IssuesTable;
  issue_segments: IssueSegmentsTable;
  run_locks: RunLocksTable;
};

const FAILURE_KINDS_0002 = ['transient', 'permanent'];

export const deliveryMigration = (_dialect: DialectName): Migration => ({
  async up(db: Kysely<any>) {
    // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
    await db.schema.alterTable('deliveries').addColumn('batch_no', 'integer').execute();
    await db.schema.alterTable('deliveries').addColumn('idempotency_key', 'text').execute();
    await db.schema
      .alterTable('deliveries')
      .addColumn('failure_kind', 'text', (c) =>
        c.check(sql`failure_kind is null or failure_kind in (${sql.join(FAILURE_KINDS_0002.map((k) => sql.lit(k)))})`),
      )
      .execute();
    await db.schema.alterTable('deliveries').addColumn('sent_at', 'text').execute();
    await db.schema.alterTable('deliveries').addColumn('claimed_at', 'text').execute();
    // A segment's rows are streamed in subscriber order while it is sent.
    await db.schema
      .createIndex('deliveries_segment_idx')
      .on('deliveries')
      .columns(['batch_date', 'segment_id', 'subscriber_id'])
      .execute();
    await db.schema
      .createIndex('deliveries_key_idx')
      .on('deliveries')
      .columns(['batch_date', 'idempotency_key'])
      .execute();

    await db.schema
      .createTable('issues')
      .addColumn('batch_date', 'text', (c) => c.primaryKey())
      .addColumn('prepared_at', 'text')
      .addColumn('audience', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('without_topics', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_batch', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('issue_segments')
      .addColumn('batch_date', 'text', (c) => c.notNull().references('issues.batch_date').onDelete('cascade'))
      .addColumn('segment_id', 'text', (c) => c.notNull())
      .addColumn('topics', 'text', (c) => c.notNull())
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('readers', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('subject', 'text')
      .addColumn('preheader', 'text')
      .addColumn('html', 'text')
      .addColumn('text', 'text')
      .addColumn('degraded', 'integer')
      .addColumn('rendered_at', 'text')
      .addPrimaryKeyConstraint('issue_segments_pk', ['batch_date', 'segment_id'])
      .execute();

    await db.schema
      .createTable('run_locks')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('acquired_at', 'text', (c) => c.notNull())
      .addColumn('heartbeat_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<any>) {
    for (const table of ['run_locks', 'issue_segments', 'issues']) await db.schema.dropTable(table).execute();
    await db.schema.dropIndex('deliveries_key_idx').execute();
    await db.schema.dropIndex('deliveries_segment_idx').execute();
    for (const column of ['claimed_at', 'sent_at', 'failure_kind', 'idempotency_key', 'batch_no']) {
      await db.schema.alterTable('deliveries').dropColumn(column).execute();
    }
  },
});
