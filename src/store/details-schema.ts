import type { Kysely, Migration } from 'kysely';

// Table of migration `0400_paper_details`: what arXiv's export API said about a paper version (its comment, journal
// reference and DOI), kept so no version is asked for twice. Same storage rules as the core schema.

export interface PaperDetailsTable {
  paper_id: string;
  version: number;
  comment: string | null;
  journal_ref: string | null;
  doi: string | null;
  fetched_at: string;
}

export type DetailsTables = {
  paper_details: PaperDetailsTable;
};

export const detailsMigration = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('paper_details')
      .addColumn('paper_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('comment', 'text')
      .addColumn('journal_ref', 'text')
      .addColumn('doi', 'text')
      .addColumn('fetched_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('paper_details_pk', ['paper_id', 'version'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('paper_details').execute();
  },
});
