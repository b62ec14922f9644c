import type { Kysely } from 'kysely';
import type { Author, ISODate, Paper } from '../types.ts';
import { chunkRows } from './chunk-rows.ts';
import { paperLinks } from './paper-links.ts';
import type { Database, PapersTable } from './schema.ts';
import { StoreError } from './store-error.ts';

export interface StoredBatch {
  batchDate: ISODate;
  /** In the order they were saved, with that day's version and announce type. */
  papers: Paper[];
  sources: string[];
  fetchedAt: string;
}

export interface BatchSummary {
  batchDate: ISODate;
  paperCount: number;
  sources: string[];
  fetchedAt: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkBatchDate(batchDate: string): void {
  if (!ISO_DATE.test(batchDate)) throw new StoreError(`batch date "${batchDate}" is not YYYY-MM-DD`);
}

/**
 * Stores one announcement batch: papers are upserted (a row only moves forward to a newer version) and the
 * day's paper list replaces any earlier save of the same day, all in one transaction.
 */
export async function saveBatch(
  db: Kysely<Database>,
  batchDate: ISODate,
  papers: readonly Paper[],
  sources: readonly string[],
  now: Date,
): Promise<void> {
  checkBatchDate(batchDate);
  // A paper cross-listed in two requested feeds can arrive twice; the first occurrence keeps its position.
  const seen = new Set<string>();
  const unique = papers.filter((p) => !seen.has(p.id) && Boolean(seen.add(p.id)));
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('batches')
      .values({ batch_date: batchDate, sources: JSON.stringify(sources), fetched_at: at, paper_count: unique.length })
      .onConflict((oc) =>
        oc.column('batch_date').doUpdateSet((eb) => ({
          sources: eb.ref('excluded.sources'),
          fetched_at: eb.ref('excluded.fetched_at'),
          paper_count: eb.ref('excluded.paper_count'),
        })),
      )
      .execute();

    for (const chunk of chunkRows(unique.map((p) => paperRow(p, at)))) {
      await trx
        .insertInto('papers')
        .values(chunk)
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet((eb) => ({
              version: eb.ref('excluded.version'),
              title: eb.ref('excluded.title'),
              abstract: eb.ref('excluded.abstract'),
              authors: eb.ref('excluded.authors'),
              categories: eb.ref('excluded.categories'),
              announce_type: eb.ref('excluded.announce_type'),
              license: eb.ref('excluded.license'),
              doi: eb.ref('excluded.doi'),
              journal_ref: eb.ref('excluded.journal_ref'),
              updated_at: eb.ref('excluded.updated_at'),
            }))
            // Re-saving an old day must not roll a paper back to an older version.
            .where((eb) => eb('papers.version', '<=', eb.ref('excluded.version'))),
        )
        .execute();
    }

    await trx.deleteFrom('batch_papers').where('batch_date', '=', batchDate).execute();
    const links = unique.map((p, position) => ({
      batch_date: batchDate,
      paper_id: p.id,
      version: p.version,
      announce_type: p.announceType,
      position,
    }));
    for (const chunk of chunkRows(links)) {
      await trx.insertInto('batch_papers').values(chunk).execute();
    }
  });
}

function paperRow(p: Paper, at: string): PapersTable {
  return {
    id: p.id,
    version: p.version,
    title: p.title,
    abstract: p.abstract,
    authors: JSON.stringify(p.authors),
    categories: JSON.stringify(p.categories),
    announce_type: p.announceType,
    license: p.license ?? null,
    doi: p.doi ?? null,
    journal_ref: p.journalRef ?? null,
    updated_at: at,
  };
}

/** Whether the day is stored, without reading its papers (a scheduler asks this at every look). */
export async function isBatchStored(db: Kysely<Database>, batchDate: ISODate): Promise<boolean> {
  return (await db.selectFrom('batches').select('batch_date').where('batch_date', '=', batchDate).executeTakeFirst()) !== undefined;
}

/**
 * Rebuilds a stored day. Text, authors and categories come from the latest version of each paper seen; the
 * version, links and announce type are the ones that day announced.
 */
export async function loadBatch(db: Kysely<Database>, batchDate: ISODate): Promise<StoredBatch | null> {
  const batch = await db.selectFrom('batches').selectAll().where('batch_date', '=', batchDate).executeTakeFirst();
  if (!batch) return null;
  const rows = await db
    .selectFrom('batch_papers as bp')
    .innerJoin('papers as p', 'p.id', 'bp.paper_id')
    .select([
      'bp.paper_id as id',
      'bp.version as version',
      'bp.announce_type as announce_type',
      'p.title',
      'p.abstract',
      'p.authors',
      'p.categories',
      'p.license',
      'p.doi',
      'p.journal_ref',
    ])
    .where('bp.batch_date', '=', batchDate)
    .orderBy('bp.position')
    .execute();
  const papers = rows.map((r): Paper => {
    const paper: Paper = {
      id: r.id,
      version: r.version,
      title: r.title,
      abstract: r.abstract,
      authors: JSON.parse(r.authors) as Author[],
      categories: JSON.parse(r.categories) as string[],
      announceType: r.announce_type,
      links: paperLinks(r.id, r.version),
    };
    if (r.license !== null) paper.license = r.license;
    if (r.doi !== null) paper.doi = r.doi;
    if (r.journal_ref !== null) paper.journalRef = r.journal_ref;
    return paper;
  });
  return {
    batchDate: batch.batch_date,
    papers,
    sources: JSON.parse(batch.sources) as string[],
    fetchedAt: batch.fetched_at,
  };
}

/** Stored days, newest first. */
export async function listBatches(db: Kysely<Database>): Promise<BatchSummary[]> {
  const rows = await db.selectFrom('batches').selectAll().orderBy('batch_date', 'desc').execute();
  return rows.map((r) => ({
    batchDate: r.batch_date,
    paperCount: Number(r.paper_count),
    sources: JSON.parse(r.sources) as string[],
    fetchedAt: r.fetched_at,
  }));
}
