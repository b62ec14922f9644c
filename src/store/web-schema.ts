import type { Generated, Kysely, Migration } from 'kysely';
import type { Frequency, Language } from '../types.ts';
import type { DialectName } from './dialect.ts';
import { addFrequencyColumn } from './frequency-schema.ts';
import type { Database } from './schema.ts';

// Tables of the web front (`paperboy serve`): open sign-up requests, consent evidence, rate-limit windows and the
// webhook deliveries already handled. Kept apart from the core schema so the web can change without touching the
// tables a run reads; the same storage rules hold (JSON and timestamps as TEXT, no SQLite-only syntax).

/** A sign-up waiting for its confirmation: what the reader asked for, applied only when they confirm. */
export interface WebSignupsTable {
  subscriber_id: number;
  name: string | null;
  language: Language;
  /** JSON array of domain ids. */
  topics: string;
  requested_at: string;
  request_ip: string | null;
  /** Added by 0800_signup_frequency: the frequency asked for, applied with the rest on confirmation. */
  frequency: Generated<Frequency>;
}

/** Proof of consent (double opt-in): kept after an unsubscribe, so the operator can show when and how. */
export interface WebConsentsTable {
  id: Generated<number>;
  subscriber_id: number;
  requested_at: string;
  request_ip: string | null;
  confirmed_at: string;
  confirm_ip: string | null;
  /** JSON array of domain ids confirmed. */
  topics: string;
  language: Language;
}

/** Fixed-window counters; `bucket` is a keyed hash, never a plain address. */
export interface WebRateLimitsTable {
  bucket: string;
  window_start: string;
  count: number;
}

/** Webhook deliveries already applied, by the provider's message id (svix-id): retries are answered, not re-applied. */
export interface WebhookEventsTable {
  id: string;
  type: string;
  received_at: string;
  /** What was done: `suppressed:bounced`, `ignored`, … */
  outcome: string;
}

// A type alias, not an interface: Kysely's withTables wants an index-compatible record.
export type WebTables = {
  web_signups: WebSignupsTable;
  web_consents: WebConsentsTable;
  web_rate_limits: WebRateLimitsTable;
  webhook_events: WebhookEventsTable;
};

export type WebDatabase = Database & WebTables;

/** The same handle, typed with the web tables (migration `0100_web` creates them). */
export function webDb(db: Kysely<Database>): Kysely<WebDatabase> {
  return db.withTables<WebTables>();
}

export const webMigration = (dialect: DialectName): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('web_signups')
      .addColumn('subscriber_id', 'integer', (c) => c.primaryKey().references('subscribers.id').onDelete('cascade'))
      .addColumn('name', 'text')
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('topics', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'text', (c) => c.notNull())
      .addColumn('request_ip', 'text')
      .execute();

    await db.schema
      .createTable('web_consents')
      .addColumn('id', 'integer', (c) =>
        dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
      )
      .addColumn('subscriber_id', 'integer', (c) => c.notNull().references('subscribers.id').onDelete('cascade'))
      .addColumn('requested_at', 'text', (c) => c.notNull())
      .addColumn('request_ip', 'text')
      .addColumn('confirmed_at', 'text', (c) => c.notNull())
      .addColumn('confirm_ip', 'text')
      .addColumn('topics', 'text', (c) => c.notNull())
      .addColumn('language', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('web_consents_subscriber_idx').on('web_consents').column('subscriber_id').execute();

    await db.schema
      .createTable('web_rate_limits')
      .addColumn('bucket', 'text', (c) => c.primaryKey())
      .addColumn('window_start', 'text', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('webhook_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<any>) {
    for (const table of ['webhook_events', 'web_rate_limits', 'web_consents', 'web_signups']) {
      await db.schema.dropTable(table).execute();
    }
  },
});

// Migration `0800_signup_frequency`: the sign-up form asks daily or weekly, and like topics and language the choice
// waits in the open request until the reader confirms (a pending reader gets no mail either way). `daily` for the
// requests open at migration time: they were made on a form that had no choice.
export const signupFrequencyMigration = (): Migration => ({
  async up(db: Kysely<any>) {
    await addFrequencyColumn(db, 'web_signups');
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('web_signups').dropColumn('frequency').execute();
  },
});
