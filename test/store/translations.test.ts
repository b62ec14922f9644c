import { Kysely, sql, SqliteDialect } from 'kysely';
import { runMigrations } from '../../src/store/database.ts';
import { createMigrations } from '../../src/store/migrations.ts';
import { loadSqlite } from '../../src/store/sqlite-driver.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/schema.ts';
import { findTranslations, saveTranslation, type TranslationRecord } from '../../src/store/translations.ts';
import { describeStore } from '../support/test-databases.ts';

let db: Kysely<Database>;

function t(paperId: string, version: number, model: string, promptVersion: string, createdAt: string): TranslationRecord {
  return {
    paperId,
    version,
    model,
    promptVersion,
    titleZh: `标题 ${model} ${promptVersion} v${version}`,
    abstractZh: `摘要 ${model}`,
    tldrEn: null,
    tldrZh: null,
    problems: [],
    createdAt,
  };
}

const PREFER = { model: 'deepseek-chat', promptVersion: 'p2' };

describeStore('store/translations', (store) => {
  beforeEach(() => {
    db = store.db;
  });

  describe('findTranslations', () => {
    beforeEach(async () => {
      // a.1 v2: the preferred one exists, plus a newer one from another model.
      await saveTranslation(db, t('a.1', 2, 'deepseek-chat', 'p2', '2025-11-14T06:00:00.000Z'));
      await saveTranslation(db, t('a.1', 2, 'qwen-plus', 'p1', '2025-11-15T06:00:00.000Z'));
      // a.2 v1: two other translations, the newest wins; a version-0 import is ignored while they exist.
      await saveTranslation(db, t('a.2', 1, 'qwen-plus', 'p1', '2025-11-14T06:00:00.000Z'));
      await saveTranslation(db, t('a.2', 1, 'glm-4', 'p1', '2025-11-16T06:00:00.000Z'));
      await saveTranslation(db, t('a.2', 0, 'import:zh.json', 'recorded', '2025-11-17T06:00:00.000Z'));
      // a.3: only an import; and a translation of another version that must not be used.
      await saveTranslation(db, t('a.3', 0, 'import:zh.json', 'recorded', '2025-11-10T06:00:00.000Z'));
      await saveTranslation(db, t('a.3', 1, 'deepseek-chat', 'p2', '2025-11-11T06:00:00.000Z'));
      // a.4: only another version.
      await saveTranslation(db, t('a.4', 1, 'deepseek-chat', 'p2', '2025-11-11T06:00:00.000Z'));
    });

    it.each([
      ['a.1', 2, 'exact', 'deepseek-chat', 2],
      ['a.2', 1, 'newest', 'glm-4', 1],
      ['a.3', 3, 'unversioned', 'import:zh.json', 0],
    ] as const)('%s v%i → %s (%s)', async (id, version, match, model, storedVersion) => {
      const found = await findTranslations(db, [{ id, version }], PREFER);
      expect(found.get(id)).toMatchObject({ paperId: id, match, model, version: storedVersion });
    });

    it('without a preference takes the newest of that version', async () => {
      const found = await findTranslations(db, [{ id: 'a.1', version: 2 }]);
      expect(found.get('a.1')).toMatchObject({ match: 'newest', model: 'qwen-plus' });
    });

    it('leaves out papers with nothing usable (only another version translated, or nothing at all)', async () => {
      const found = await findTranslations(db, [
        { id: 'a.4', version: 2 },
        { id: 'zzz', version: 1 },
        { id: 'a.1', version: 2 },
      ]);
      expect([...found.keys()]).toEqual(['a.1']);
    });

    it('returns every stored field, and saving the same key again replaces it', async () => {
      await saveTranslation(db, {
        ...t('a.1', 2, 'deepseek-chat', 'p2', '2025-11-18T06:00:00.000Z'),
        titleZh: '新的标题',
        abstractZh: null,
        tldrEn: 'One line.',
        tldrZh: '一句话。',
        pointsEn: ['First point.', 'Second point.'],
        pointsZh: ['第一点。', '第二点。'],
        analysis: { problem: { en: 'What is hard.', zh: '难在哪里。' }, limitations: { en: null, zh: '尚未验证。' } },
        problems: ['abstract: English left in'],
      });
      const found = await findTranslations(db, [{ id: 'a.1', version: 2 }], PREFER);
      expect(found.get('a.1')).toEqual({
        paperId: 'a.1',
        version: 2,
        model: 'deepseek-chat',
        promptVersion: 'p2',
        titleZh: '新的标题',
        abstractZh: null,
        tldrEn: 'One line.',
        tldrZh: '一句话。',
        pointsEn: ['First point.', 'Second point.'],
        pointsZh: ['第一点。', '第二点。'],
        analysis: { problem: { en: 'What is hard.', zh: '难在哪里。' }, limitations: { en: null, zh: '尚未验证。' } },
        problems: ['abstract: English left in'],
        createdAt: '2025-11-18T06:00:00.000Z',
        match: 'exact',
      });
      // Saved again without points (summaries off): the row holds none, not the old ones.
      await saveTranslation(db, { ...t('a.1', 2, 'deepseek-chat', 'p2', '2025-11-19T06:00:00.000Z') });
      expect((await findTranslations(db, [{ id: 'a.1', version: 2 }], PREFER)).get('a.1')).toMatchObject({ pointsEn: null, pointsZh: null, analysis: null });
      const count = await db.selectFrom('translations').select((eb) => eb.fn.countAll().as('n')).where('paper_id', '=', 'a.1').executeTakeFirst();
      expect(Number(count?.n)).toBe(2);
    });

    it('reads an empty list or a hand-edited JSON column as nothing', async () => {
      await saveTranslation(db, { ...t('c.1', 1, 'm', 'p', '2025-11-14T06:00:00.000Z'), pointsEn: [], pointsZh: ['点。'] });
      await db.updateTable('translations').set({ analysis: 'not json', points_zh: '{"a":1}' }).where('paper_id', '=', 'c.1').execute();
      const row = await db.selectFrom('translations').select(['points_en']).where('paper_id', '=', 'c.1').executeTakeFirst();
      expect(row?.points_en).toBeNull();
      expect((await findTranslations(db, [{ id: 'c.1', version: 1 }])).get('c.1')).toMatchObject({ pointsEn: null, pointsZh: null, analysis: null });
    });

    it('looks up more papers than one IN-list chunk', async () => {
      const papers = Array.from({ length: 1200 }, (_, i) => ({ id: `b.${i}`, version: 1 }));
      for (const p of papers.filter((_, i) => i % 100 === 0)) {
        await saveTranslation(db, t(p.id, 1, 'm', 'p', '2025-11-14T06:00:00.000Z'));
      }
      const found = await findTranslations(db, papers, PREFER);
      expect([...found.keys()].sort()).toEqual(papers.filter((_, i) => i % 100 === 0).map((p) => p.id).sort());
    });
  });
});

describe('migration 0300_translation_summaries', () => {
  it('adds the summary columns to a database with translations already in it, and takes them away again', async () => {
    const Sqlite = loadSqlite();
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new Sqlite(':memory:') }) });
    try {
      const all = createMigrations('sqlite');
      const before = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0300'));
      await runMigrations(db, before);
      await sql`insert into translations (paper_id, version, model, prompt_version, title_zh, problems, created_at)
                values ('a.1', 1, 'm', 'p', '标题', '[]', '2025-11-14T06:00:00.000Z')`.execute(db);
      const upTo0300 = Object.fromEntries(Object.entries(all).filter(([name]) => name <= '0300_translation_summaries'));
      expect(await runMigrations(db, upTo0300)).toEqual(['0300_translation_summaries']);
      const found = await findTranslations(db, [{ id: 'a.1', version: 1 }]);
      expect(found.get('a.1')).toMatchObject({ titleZh: '标题', pointsEn: null, pointsZh: null, analysis: null });
      await all['0300_translation_summaries']?.down?.(db);
      const columns = (await db.introspection.getTables()).find((t) => t.name === 'translations')?.columns.map((c) => c.name);
      expect(columns).not.toContain('points_en');
    } finally {
      await db.destroy();
    }
  });
});
