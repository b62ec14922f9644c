import type { Kysely, Migration } from 'kysely';
import type { DialectName } from './dialect.ts';

// Migration `0300_translation_summaries` (issue 11): the key points and the structured analysis of a paper live
// next to its translation and TL;DR, in the same row, so they are cached under the same key (paper, version,
// model, prompt version) and a re-run asks for nothing. JSON as TEXT, as everywhere in the store; plain ADD COLUMN,
// which SQLite and PostgreSQL both run.

/** The columns this migration adds to `translations` (TranslationsTable in schema.ts carries them). */
export interface TranslationSummaryColumns {
  /** JSON array of the checked English key points; null: none asked for or none passed. */
  points_en: string | null;
  /** JSON array of the checked Chinese key points. */
  points_zh: string | null;
  /** JSON object { problem, method, results, limitations }, each { en, zh }; null: none. */
  analysis: string | null;
}

export function translationSummariesMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const column of ['points_en', 'points_zh', 'analysis']) {
        await db.schema.alterTable('translations').addColumn(column, 'text').execute();
      }
    },
    async down(db: Kysely<unknown>) {
      for (const column of ['points_en', 'points_zh', 'analysis']) {
        await db.schema.alterTable('translations').dropColumn(column).execute();
      }
    },
  };
}
