import type { Kysely } from 'kysely';
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
        problems: ['abstract: English left in'],
        createdAt: '2025-11-18T06:00:00.000Z',
        match: 'exact',
      });
      const count = await db.selectFrom('translations').select((eb) => eb.fn.countAll().as('n')).where('paper_id', '=', 'a.1').executeTakeFirst();
      expect(Number(count?.n)).toBe(2);
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
