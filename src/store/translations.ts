import type { Kysely, Selectable } from 'kysely';
import type { ChineseText } from '../types.ts';
import { chunkRows } from './chunk-rows.ts';
import type { Database, TranslationsTable } from './schema.ts';

/** One part of a paper's analysis in both languages; a part that failed its checks in one language is null there. */
export interface AnalysisText {
  en: string | null;
  zh: string | null;
}

/** What problem, how, what results, what is left open (issue 11): for a page per paper. */
export type PaperAnalysis = Partial<Record<'problem' | 'method' | 'results' | 'limitations', AnalysisText>>;

/** What the translate stage saves for one paper version, model and prompt version. */
export interface TranslationRecord extends ChineseText {
  paperId: string;
  /** 0: an unversioned import that applies to any version of the paper. */
  version: number;
  model: string;
  promptVersion: string;
  tldrEn: string | null;
  tldrZh: string | null;
  /** Checked key points; null or empty: none. Optional so records written before issue 11 still type-check. */
  pointsEn?: string[] | null;
  pointsZh?: string[] | null;
  analysis?: PaperAnalysis | null;
  /** What cleaning and validation found (kept for the run report). */
  problems: string[];
  /** ISO timestamp; among several translations of one version the newest wins. */
  createdAt: string;
}

/**
 * Which lookup found it: `exact` (same version, model and prompt), `newest` (same version, the newest of any
 * model or prompt), `unversioned` (a version-0 import).
 */
export type TranslationMatch = 'exact' | 'newest' | 'unversioned';

export interface StoredTranslation extends TranslationRecord {
  match: TranslationMatch;
}

function listJson(list: readonly string[] | null | undefined): string | null {
  return list && list.length > 0 ? JSON.stringify(list) : null;
}

/** A JSON column written by this file; anything else (a hand-edited row) reads as nothing rather than failing. */
function parseJson<T>(text: string | null | undefined, valid: (value: unknown) => value is T): T | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return valid(value) ? value : null;
  } catch {
    return null;
  }
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isAnalysis = (v: unknown): v is PaperAnalysis => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Saves a translation; saving the same (paper, version, model, prompt version) again replaces it. */
export async function saveTranslation(db: Kysely<Database>, t: TranslationRecord): Promise<void> {
  await db
    .insertInto('translations')
    .values({
      paper_id: t.paperId,
      version: t.version,
      model: t.model,
      prompt_version: t.promptVersion,
      title_zh: t.titleZh,
      abstract_zh: t.abstractZh,
      tldr_en: t.tldrEn,
      tldr_zh: t.tldrZh,
      points_en: listJson(t.pointsEn),
      points_zh: listJson(t.pointsZh),
      analysis: t.analysis && Object.keys(t.analysis).length > 0 ? JSON.stringify(t.analysis) : null,
      problems: JSON.stringify(t.problems),
      created_at: t.createdAt,
    })
    .onConflict((oc) =>
      oc.columns(['paper_id', 'version', 'model', 'prompt_version']).doUpdateSet((eb) => ({
        title_zh: eb.ref('excluded.title_zh'),
        abstract_zh: eb.ref('excluded.abstract_zh'),
        tldr_en: eb.ref('excluded.tldr_en'),
        tldr_zh: eb.ref('excluded.tldr_zh'),
        points_en: eb.ref('excluded.points_en'),
        points_zh: eb.ref('excluded.points_zh'),
        analysis: eb.ref('excluded.analysis'),
        problems: eb.ref('excluded.problems'),
        created_at: eb.ref('excluded.created_at'),
      })),
    )
    .execute();
}

type Row = Selectable<TranslationsTable>;

function newest(rows: readonly Row[]): Row | undefined {
  let best: Row | undefined;
  for (const row of rows) {
    // ISO timestamps compare as strings; a tie is broken by model and prompt so the choice is stable.
    if (
      !best ||
      row.created_at > best.created_at ||
      (row.created_at === best.created_at && `${row.model}\0${row.prompt_version}` > `${best.model}\0${best.prompt_version}`)
    ) {
      best = row;
    }
  }
  return best;
}

/** A stored row as the record the translate stage reads. */
export function toTranslationRecord(row: Selectable<TranslationsTable>): TranslationRecord {
  return {
    paperId: row.paper_id,
    version: Number(row.version),
    model: row.model,
    promptVersion: row.prompt_version,
    titleZh: row.title_zh,
    abstractZh: row.abstract_zh,
    tldrEn: row.tldr_en,
    tldrZh: row.tldr_zh,
    pointsEn: parseJson(row.points_en, isStringList),
    pointsZh: parseJson(row.points_zh, isStringList),
    analysis: parseJson(row.analysis, isAnalysis),
    problems: JSON.parse(row.problems) as string[],
    createdAt: row.created_at,
  };
}

function toStored(row: Row, match: TranslationMatch): StoredTranslation {
  return { ...toTranslationRecord(row), match };
}

/**
 * Finds the best stored translation of each paper: the preferred model and prompt for that exact version,
 * else the newest translation of that version, else the newest unversioned import. Papers with none are absent.
 */
export async function findTranslations(
  db: Kysely<Database>,
  papers: ReadonlyArray<{ id: string; version: number }>,
  prefer?: { model: string; promptVersion: string },
): Promise<Map<string, StoredTranslation>> {
  const byPaper = new Map<string, Row[]>();
  const ids = [...new Set(papers.map((p) => p.id))];
  for (const chunk of chunkRows(ids)) {
    const rows = await db.selectFrom('translations').selectAll().where('paper_id', 'in', chunk).execute();
    for (const row of rows) {
      const list = byPaper.get(row.paper_id);
      if (list) list.push(row);
      else byPaper.set(row.paper_id, [row]);
    }
  }

  const found = new Map<string, StoredTranslation>();
  for (const paper of papers) {
    const rows = byPaper.get(paper.id) ?? [];
    const sameVersion = rows.filter((r) => Number(r.version) === paper.version);
    const exact = prefer
      ? sameVersion.find((r) => r.model === prefer.model && r.prompt_version === prefer.promptVersion)
      : undefined;
    if (exact) {
      found.set(paper.id, toStored(exact, 'exact'));
      continue;
    }
    const latest = newest(sameVersion);
    if (latest) {
      found.set(paper.id, toStored(latest, 'newest'));
      continue;
    }
    const imported = newest(rows.filter((r) => Number(r.version) === 0));
    if (imported) found.set(paper.id, toStored(imported, 'unversioned'));
  }
  return found;
}
