import type { Kysely } from 'kysely';
import type { PaperDetails } from '../types.ts';
import { chunkRows } from './chunk-rows.ts';
import type { Database } from './schema.ts';

// The cache of the details step: an API answer is kept per paper version, so a re-run (or the next day's mail that
// shows the same paper) asks arXiv nothing. A version the API did not know is not stored: it may be indexed later.

/** Stored details of exactly these paper versions, by paper id. */
export async function findStoredDetails(
  db: Kysely<Database>,
  papers: ReadonlyArray<{ id: string; version: number }>,
): Promise<Map<string, PaperDetails>> {
  const versions = new Map(papers.map((p) => [p.id, p.version]));
  const found = new Map<string, PaperDetails>();
  for (const chunk of chunkRows([...versions.keys()])) {
    const rows = await db.selectFrom('paper_details').selectAll().where('paper_id', 'in', chunk).execute();
    for (const row of rows) {
      if (versions.get(row.paper_id) !== Number(row.version)) continue;
      found.set(row.paper_id, {
        id: row.paper_id,
        version: Number(row.version),
        comment: row.comment,
        journalRef: row.journal_ref,
        doi: row.doi,
      });
    }
  }
  return found;
}

export async function saveDetails(db: Kysely<Database>, details: readonly PaperDetails[], now: Date): Promise<void> {
  const fetchedAt = now.toISOString();
  for (const chunk of chunkRows([...details])) {
    if (chunk.length === 0) continue;
    await db
      .insertInto('paper_details')
      .values(
        chunk.map((d) => ({
          paper_id: d.id,
          version: d.version,
          comment: d.comment,
          journal_ref: d.journalRef,
          doi: d.doi,
          fetched_at: fetchedAt,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['paper_id', 'version']).doUpdateSet((eb) => ({
          comment: eb.ref('excluded.comment'),
          journal_ref: eb.ref('excluded.journal_ref'),
          doi: eb.ref('excluded.doi'),
          fetched_at: eb.ref('excluded.fetched_at'),
        })),
      )
      .execute();
  }
}
