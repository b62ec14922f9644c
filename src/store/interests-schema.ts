import type { Kysely, Migration } from 'kysely';

// Table of migration `0500_reader_interests`: what a reader follows beyond topics (keywords, excluded keywords,
// authors). One row per reader who has any; the lists are JSON arrays as TEXT, like every list in the store.

export interface SubscriberInterestsTable {
  subscriber_id: number;
  keywords: string;
  exclude: string;
  authors: string;
  updated_at: string;
}

export type InterestsTables = {
  subscriber_interests: SubscriberInterestsTable;
};

export const interestsMigration = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('subscriber_interests')
      .addColumn('subscriber_id', 'integer', (c) => c.primaryKey().references('subscribers.id').onDelete('cascade'))
      .addColumn('keywords', 'text', (c) => c.notNull())
      .addColumn('exclude', 'text', (c) => c.notNull())
      .addColumn('authors', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('subscriber_interests').execute();
  },
});
