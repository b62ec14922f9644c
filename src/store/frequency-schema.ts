import { sql, type Kysely, type Migration } from 'kysely';

// Migration `0600_weekly_digest` (issue 12, part 5): how often a reader gets mail, and which frozen segments are
// weekly digests. A column on `subscribers` rather than a table of its own (as interests have): it is one value every
// reader has, read with every page of readers the audience is frozen from. `daily` for every existing reader, so the
// list behaves as before the migration. The column types are in schema.ts (subscribers) and delivery-schema.ts
// (issue_segments).

export const frequencyMigration = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('subscribers')
      .addColumn('frequency', 'text', (c) => c.notNull().defaultTo('daily').check(sql`frequency in ('daily', 'weekly')`))
      .execute();
    // null: the daily mail; `weekly`: a weekly digest's segment (its id starts with `weekly.`).
    await db.schema.alterTable('issue_segments').addColumn('frequency', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('issue_segments').dropColumn('frequency').execute();
    await db.schema.alterTable('subscribers').dropColumn('frequency').execute();
  },
});
