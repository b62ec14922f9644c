import type { Kysely, Migration } from 'kysely';

// Migration `0500_reader_interests`: what a reader follows beyond topics (keywords, excluded keywords, authors), one
// row per reader who has any, the lists as JSON arrays in TEXT like every list in the store; and the interests of
// a frozen segment (`issue_segments.interests`), since readers with their own interests get a segment of their own.

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
    await db.schema.alterTable('issue_segments').addColumn('interests', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('issue_segments').dropColumn('interests').execute();
    await db.schema.dropTable('subscriber_interests').execute();
  },
});
