import type { Kysely } from 'kysely';
import type { Author, ISODate, Paper } from '../types.ts';
import { paperLinks } from './paper-links.ts';
import type { Database } from './schema.ts';

// One paper as the web archive shows it on its own page: the latest stored text, and the days it was announced.

export interface StoredPaper {
  paper: Paper;
  /** Feed dates of the batches that carried it, newest first. */
  batchDates: ISODate[];
}

/** The paper with this id (no version) as last stored, or null when no stored batch carried it. */
export async function loadPaper(db: Kysely<Database>, id: string): Promise<StoredPaper | null> {
  const row = await db.selectFrom('papers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const days = await db
    .selectFrom('batch_papers')
    .select(['batch_date', 'announce_type'])
    .where('paper_id', '=', id)
    .orderBy('batch_date', 'desc')
    .execute();
  if (days.length === 0) return null;
  const paper: Paper = {
    id: row.id,
    version: Number(row.version),
    title: row.title,
    abstract: row.abstract,
    authors: JSON.parse(row.authors) as Author[],
    categories: JSON.parse(row.categories) as string[],
    announceType: days[0]!.announce_type,
    links: paperLinks(row.id, Number(row.version)),
  };
  if (row.license !== null) paper.license = row.license;
  if (row.doi !== null) paper.doi = row.doi;
  if (row.journal_ref !== null) paper.journalRef = row.journal_ref;
  return { paper, batchDates: days.map((d) => d.batch_date) };
}
