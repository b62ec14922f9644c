import type { Kysely, Selectable } from 'kysely';
import { chunkRows } from './chunk-rows.ts';
import type { Database, TranslationsTable } from './schema.ts';
import { toTranslationRecord, type TranslationRecord } from './translations.ts';

// Two lookups the translate stage needs on top of src/store/translations.ts: the cache test (is there a stored
// answer for exactly this paper version, model and prompt?) and every stored candidate of a paper, best first, so
// that a field a live translation failed on can fall back to an imported one.

type Row = Selectable<TranslationsTable>;

async function rowsFor(db: Kysely<Database>, ids: readonly string[], narrow?: { model: string; promptVersion: string }) {
  const rows: Row[] = [];
  for (const chunk of chunkRows([...new Set(ids)])) {
    let query = db.selectFrom('translations').selectAll().where('paper_id', 'in', chunk);
    if (narrow) query = query.where('model', '=', narrow.model).where('prompt_version', '=', narrow.promptVersion);
    rows.push(...(await query.execute()));
  }
  return rows;
}


/** Ids of the papers that already have a stored answer for this exact version, model and prompt version. */
export async function findCachedIds(
  db: Kysely<Database>,
  papers: ReadonlyArray<{ id: string; version: number }>,
  key: { model: string; promptVersion: string },
): Promise<Set<string>> {
  const versions = new Map(papers.map((p) => [p.id, p.version]));
  const rows = await rowsFor(
    db,
    papers.map((p) => p.id),
    key,
  );
  return new Set(rows.filter((r) => versions.get(r.paper_id) === Number(r.version)).map((r) => r.paper_id));
}

/**
 * Every stored translation usable for each paper, best first: the preferred model and prompt for that version, then
 * the rest of that version newest first, then unversioned imports newest first.
 */
export async function findTranslationCandidates(
  db: Kysely<Database>,
  papers: ReadonlyArray<{ id: string; version: number }>,
  prefer?: { model: string; promptVersion: string },
): Promise<Map<string, TranslationRecord[]>> {
  const byPaper = new Map<string, Row[]>();
  for (const row of await rowsFor(
    db,
    papers.map((p) => p.id),
  )) {
    const list = byPaper.get(row.paper_id);
    if (list) list.push(row);
    else byPaper.set(row.paper_id, [row]);
  }
  const rank = (row: Row, version: number) => {
    if (Number(row.version) === version) {
      return prefer && row.model === prefer.model && row.prompt_version === prefer.promptVersion ? 0 : 1;
    }
    return Number(row.version) === 0 ? 2 : 3;
  };
  const found = new Map<string, TranslationRecord[]>();
  for (const paper of papers) {
    const rows = (byPaper.get(paper.id) ?? [])
      .filter((r) => rank(r, paper.version) < 3)
      .sort((a, b) => {
        const byRank = rank(a, paper.version) - rank(b, paper.version);
        if (byRank !== 0) return byRank;
        // Newest first; ties broken by model and prompt so the order is stable.
        if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
        const ka = `${a.model}\0${a.prompt_version}`;
        const kb = `${b.model}\0${b.prompt_version}`;
        return ka < kb ? 1 : ka > kb ? -1 : 0;
      });
    if (rows.length > 0) found.set(paper.id, rows.map(toTranslationRecord));
  }
  return found;
}
