import { sql, type Generated, type Kysely, type Migration } from 'kysely';
import type { AnnounceType, Frequency, ISODate, Language, SubscriberStatus } from '../types.ts';
import type { DeliveryTables, FailureKind } from './delivery-schema.ts';
import type { DetailsTables } from './details-schema.ts';
import type { InterestsTables } from './interests-schema.ts';
import type { DialectName } from './dialect.ts';
import type { RunTables } from './runs-schema.ts';
import type { TranslationSummaryColumns } from './summaries-schema.ts';

// Storage rules that keep one query layer valid on SQLite and PostgreSQL: JSON is TEXT (encoded in code),
// timestamps are ISO-8601 TEXT (UTC, from Date#toISOString, so they sort as strings), booleans would be integers,
// and no query relies on SQLite-only syntax. Only the auto-increment id differs, so migrations take the dialect.

export type DeliveryStatus = 'planned' | 'sending' | 'sent' | 'failed' | 'bounced' | 'unknown' | 'skipped';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'planned',
  'sending',
  'sent',
  'failed',
  'bounced',
  'unknown',
  'skipped',
];

export const SUBSCRIBER_STATUSES: readonly SubscriberStatus[] = [
  'pending',
  'active',
  'unsubscribed',
  'bounced',
  'complained',
];

export interface BatchesTable {
  batch_date: ISODate;
  /** JSON array of the feed names or URLs the batch was collected from. */
  sources: string;
  fetched_at: string;
  paper_count: number;
}

/** The latest version of each paper seen in any batch. */
export interface PapersTable {
  id: string;
  version: number;
  title: string;
  abstract: string;
  /** JSON array of `Author`. */
  authors: string;
  /** JSON array, primary category first. */
  categories: string;
  announce_type: AnnounceType;
  license: string | null;
  doi: string | null;
  journal_ref: string | null;
  updated_at: string;
}

/** Which papers a batch had, in which order, with the version and announce type of that day. */
export interface BatchPapersTable {
  batch_date: ISODate;
  paper_id: string;
  version: number;
  announce_type: AnnounceType;
  position: number;
}

/** Created by 0001_initial; points_en, points_zh and analysis added by 0300_translation_summaries. */
export interface TranslationsTable extends TranslationSummaryColumns {
  paper_id: string;
  /** 0: an unversioned import that applies to any version. */
  version: number;
  model: string;
  prompt_version: string;
  title_zh: string | null;
  abstract_zh: string | null;
  tldr_en: string | null;
  tldr_zh: string | null;
  /** JSON array of strings: what validation found. */
  problems: string;
  created_at: string;
}

export interface SubscribersTable {
  id: Generated<number>;
  /** Trimmed and lowercased, so the plain UNIQUE constraint is case-insensitive. */
  email: string;
  name: string | null;
  language: Language;
  status: SubscriberStatus;
  /** Where the reader came from: `import`, `csv:<file>`, `web`, … */
  source: string;
  created_at: string;
  updated_at: string;
  status_changed_at: string;
  /** Added by 0600_weekly_digest: every issue, or one weekly digest; `daily` unless the reader chose otherwise. */
  frequency: Generated<Frequency>;
}

export interface SubscriberTopicsTable {
  subscriber_id: number;
  domain_id: string;
}

export interface DeliveriesTable {
  batch_date: ISODate;
  subscriber_id: number;
  segment_id: string;
  /** The address the mail was (or will be) sent to, frozen when the issue was planned. */
  email: string;
  status: DeliveryStatus;
  attempts: number;
  message_id: string | null;
  transport: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  // Added by 0002_delivery:
  /** The claim (numbered per issue) the row was last sent in; one provider call carries one claim. */
  batch_no: number | null;
  /** The provider idempotency key of that claim: an uncertain claim is sent again with exactly this key. */
  idempotency_key: string | null;
  failure_kind: FailureKind | null;
  sent_at: string | null;
  /** When the row was last claimed (its idempotency key was last used). */
  claimed_at: string | null;
  // Added by 0700_senders (senders-schema.ts):
  /** `host/pid/nonce` of the sender that last claimed the row. */
  claimed_by: string | null;
}

export interface Database extends DeliveryTables, RunTables, DetailsTables, InterestsTables {
  batches: BatchesTable;
  papers: PapersTable;
  batch_papers: BatchPapersTable;
  translations: TranslationsTable;
  subscribers: SubscribersTable;
  subscriber_topics: SubscriberTopicsTable;
  deliveries: DeliveriesTable;
}

function inList(values: readonly string[]) {
  return sql.join(values.map((v) => sql.lit(v)));
}

// Spelled out rather than taken from the constants above: an applied migration must not change when they do.
const LANGUAGES_0001 = ['bilingual', 'zh', 'en'];
const SUBSCRIBER_STATUSES_0001 = ['pending', 'active', 'unsubscribed', 'bounced', 'complained'];
const DELIVERY_STATUSES_0001 = ['planned', 'sending', 'sent', 'failed', 'bounced', 'unknown', 'skipped'];

/** Migration `0001_initial` (the list of all migrations is in migrations.ts). */
export const initialMigration = (dialect: DialectName): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('batches')
      .addColumn('batch_date', 'text', (c) => c.primaryKey())
      .addColumn('sources', 'text', (c) => c.notNull())
      .addColumn('fetched_at', 'text', (c) => c.notNull())
      .addColumn('paper_count', 'integer', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('papers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('abstract', 'text', (c) => c.notNull())
      .addColumn('authors', 'text', (c) => c.notNull())
      .addColumn('categories', 'text', (c) => c.notNull())
      .addColumn('announce_type', 'text', (c) => c.notNull())
      .addColumn('license', 'text')
      .addColumn('doi', 'text')
      .addColumn('journal_ref', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('batch_papers')
      .addColumn('batch_date', 'text', (c) => c.notNull().references('batches.batch_date').onDelete('cascade'))
      .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('announce_type', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('batch_papers_pk', ['batch_date', 'paper_id'])
      .execute();

    // Translations carry no foreign key to papers: an unversioned import may arrive before the paper's batch.
    await db.schema
      .createTable('translations')
      .addColumn('paper_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('prompt_version', 'text', (c) => c.notNull())
      .addColumn('title_zh', 'text')
      .addColumn('abstract_zh', 'text')
      .addColumn('tldr_en', 'text')
      .addColumn('tldr_zh', 'text')
      .addColumn('problems', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('translations_pk', ['paper_id', 'version', 'model', 'prompt_version'])
      .execute();

    await db.schema
      .createTable('subscribers')
      .addColumn('id', 'integer', (c) =>
        dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
      )
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text')
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('status_changed_at', 'text', (c) => c.notNull())
      .addCheckConstraint('subscribers_language_check', sql`language in (${inList(LANGUAGES_0001)})`)
      .addCheckConstraint('subscribers_status_check', sql`status in (${inList(SUBSCRIBER_STATUSES_0001)})`)
      .execute();
    // Keyset pagination over active readers walks this index in id order.
    await db.schema.createIndex('subscribers_status_id_idx').on('subscribers').columns(['status', 'id']).execute();

    await db.schema
      .createTable('subscriber_topics')
      .addColumn('subscriber_id', 'integer', (c) => c.notNull().references('subscribers.id').onDelete('cascade'))
      .addColumn('domain_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('subscriber_topics_pk', ['subscriber_id', 'domain_id'])
      .execute();

    await db.schema
      .createTable('deliveries')
      .addColumn('batch_date', 'text', (c) => c.notNull())
      .addColumn('subscriber_id', 'integer', (c) => c.notNull().references('subscribers.id').onDelete('cascade'))
      .addColumn('segment_id', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('message_id', 'text')
      .addColumn('transport', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('deliveries_pk', ['batch_date', 'subscriber_id'])
      .addCheckConstraint('deliveries_status_check', sql`status in (${inList(DELIVERY_STATUSES_0001)})`)
      .execute();
    await db.schema
      .createIndex('deliveries_batch_status_idx')
      .on('deliveries')
      .columns(['batch_date', 'status'])
      .execute();
  },

  async down(db: Kysely<any>) {
    for (const table of [
      'deliveries',
      'subscriber_topics',
      'subscribers',
      'translations',
      'batch_papers',
      'papers',
      'batches',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
});
