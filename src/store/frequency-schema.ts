import { sql, type Kysely, type Migration } from 'kysely';

// Migration `0600_weekly_digest` (issue 12, part 5): how often a reader gets mail, and which frozen segments are
// weekly digests. A column on `subscribers` rather than a table of its own (as interests have): it is one value every
// reader has, read with every page of readers the audience is frozen from. `daily` for every existing reader, so the
// list behaves as before the migration. The column types are in schema.ts (subscribers) and delivery-schema.ts
// (issue_segments).

/**
 * A reader's frequency as a column of `table`: `daily` for the rows already there. Shared with `0800_signup_frequency`
 * (web-schema.ts), so a reader's frequency and an open sign-up's are the same column.
 */
export async function addFrequencyColumn(db: Kysely<any>, table: string): Promise<void> {
  await db.schema
    .alterTable(table)
    .addColumn('frequency', 'text', (c) => c.notNull().defaultTo('daily').check(sql`frequency in ('daily', 'weekly')`))
    .execute();
}

export const frequencyMigration = (): Migration => ({
  async up(db: Kysely<any>) {
    await addFrequencyColumn(db, 'subscribers');
    // null: the daily mail; `weekly`: a weekly digest's segment (its id starts with `weekly.`).
    await db.schema.alterTable('issue_segments').addColumn('frequency', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('issue_segments').dropColumn('frequency').execute();
    await db.schema.alterTable('subscribers').dropColumn('frequency').execute();
  },
});
