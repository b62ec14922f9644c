import type { Kysely } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { listBatches, loadBatch, saveBatch } from '../../src/store/batches.ts';
import { paperLinks } from '../../src/store/paper-links.ts';
import type { Database } from '../../src/store/schema.ts';
import { StoreError } from '../../src/store/store-error.ts';
import type { AnnounceType, Paper } from '../../src/types.ts';
import { describeStore } from '../support/test-databases.ts';

let db: Kysely<Database>;

function paper(id: string, version: number, announceType: AnnounceType, extra: Partial<Paper> = {}): Paper {
  return {
    id,
    version,
    title: `Title of ${id} v${version}`,
    abstract: `Abstract of ${id} v${version}, with "quotes" and 中文.`,
    authors: [{ name: `Author of ${id}`, affiliations: [] }],
    categories: ['cs.CL', 'cs.AI'],
    announceType,
    links: paperLinks(id, version),
    ...extra,
  };
}

const DAY1 = new Date('2025-11-14T06:00:00.000Z');
const DAY2 = new Date('2025-11-17T06:00:00.000Z');

describeStore('store/batches', (store) => {
  beforeEach(() => {
    db = store.db;
  });

  describe('paperLinks', () => {
    it.each([
      [
        '2511.10593',
        2,
        {
          abs: 'https://arxiv.org/abs/2511.10593',
          pdf: 'https://arxiv.org/pdf/2511.10593v2',
          html: 'https://arxiv.org/html/2511.10593v2',
          papersCool: 'https://papers.cool/arxiv/2511.10593',
        },
      ],
      [
        'hep-ex/0307015',
        1,
        {
          abs: 'https://arxiv.org/abs/hep-ex/0307015',
          pdf: 'https://arxiv.org/pdf/hep-ex/0307015v1',
          html: 'https://arxiv.org/html/hep-ex/0307015v1',
          papersCool: 'https://papers.cool/arxiv/hep-ex/0307015',
        },
      ],
    ])('%s v%i', (id, version, expected) => {
      expect(paperLinks(id, version)).toEqual(expected);
    });
  });

  describe('saveBatch / loadBatch', () => {
    it('round-trips papers in order, with affiliations, category order and optional fields', async () => {
      const papers = [
        paper('2511.00003', 1, 'new', {
          authors: [
            { name: 'Zoë Müller', affiliations: ['ETH Zürich', 'Max Planck Institute for Intelligent Systems, Tübingen'] },
            { name: '王小明', affiliations: [] },
          ],
          categories: ['cs.LG', 'stat.ML', 'cs.AI'],
          license: 'http://creativecommons.org/licenses/by/4.0/',
          doi: '10.1000/xyz123',
          journalRef: 'NeurIPS 2025',
        }),
        paper('2511.00001', 2, 'replace'),
        paper('hep-ex/0307015', 3, 'replace-cross', { categories: ['hep-ex', 'cs.LG'] }),
        paper('2511.00002', 1, 'cross'),
      ];
      await saveBatch(db, '2025-11-14', papers, ['cs.AI+cs.CL', 'cs.CV'], DAY1);

      const loaded = await loadBatch(db, '2025-11-14');
      expect(loaded).toEqual({
        batchDate: '2025-11-14',
        papers,
        sources: ['cs.AI+cs.CL', 'cs.CV'],
        fetchedAt: DAY1.toISOString(),
      });
      // No optional key appears as an explicit undefined/null on papers that lack it.
      expect(Object.keys(loaded!.papers[1]!)).not.toContain('doi');
    });

    it('returns null for a day never saved', async () => {
      expect(await loadBatch(db, '2025-11-13')).toBeNull();
    });

    it('keeps the announce type and version of each day: a paper new on one day is a replacement on another', async () => {
      await saveBatch(db, '2025-11-14', [paper('2511.00001', 1, 'new')], ['cs.AI'], DAY1);
      await saveBatch(db, '2025-11-17', [paper('2511.00001', 2, 'replace')], ['cs.AI'], DAY2);

      const first = await loadBatch(db, '2025-11-14');
      const second = await loadBatch(db, '2025-11-17');
      expect(first?.papers.map((p) => [p.version, p.announceType, p.links.pdf])).toEqual([
        [1, 'new', 'https://arxiv.org/pdf/2511.00001v1'],
      ]);
      expect(second?.papers.map((p) => [p.version, p.announceType, p.links.pdf])).toEqual([
        [2, 'replace', 'https://arxiv.org/pdf/2511.00001v2'],
      ]);
      // The papers table holds the latest version's text.
      expect(second?.papers[0]?.title).toBe('Title of 2511.00001 v2');
    });

    it('re-saving an old day does not roll a paper back to an older version', async () => {
      await saveBatch(db, '2025-11-17', [paper('2511.00001', 2, 'replace')], ['cs.AI'], DAY2);
      await saveBatch(db, '2025-11-14', [paper('2511.00001', 1, 'new')], ['cs.AI'], DAY2);
      const row = await db.selectFrom('papers').select(['version', 'title']).where('id', '=', '2511.00001').executeTakeFirst();
      expect(row).toEqual({ version: 2, title: 'Title of 2511.00001 v2' });
    });

    it('re-saving a day replaces its paper list, order and sources', async () => {
      await saveBatch(db, '2025-11-14', [paper('a.1', 1, 'new'), paper('a.2', 1, 'new'), paper('a.3', 1, 'cross')], ['x'], DAY1);
      await saveBatch(db, '2025-11-14', [paper('a.3', 1, 'cross'), paper('a.4', 1, 'new')], ['x', 'y'], DAY2);
      const loaded = await loadBatch(db, '2025-11-14');
      expect(loaded?.papers.map((p) => p.id)).toEqual(['a.3', 'a.4']);
      expect(loaded?.sources).toEqual(['x', 'y']);
      expect(loaded?.fetchedAt).toBe(DAY2.toISOString());
      expect(await listBatches(db)).toEqual([
        { batchDate: '2025-11-14', paperCount: 2, sources: ['x', 'y'], fetchedAt: DAY2.toISOString() },
      ]);
    });

    it('keeps the first occurrence of a paper given twice', async () => {
      await saveBatch(db, '2025-11-14', [paper('a.1', 1, 'new'), paper('a.2', 1, 'new'), paper('a.1', 1, 'cross')], ['x'], DAY1);
      const loaded = await loadBatch(db, '2025-11-14');
      expect(loaded?.papers.map((p) => [p.id, p.announceType])).toEqual([
        ['a.1', 'new'],
        ['a.2', 'new'],
      ]);
    });

    it('saves an empty day and a large one (more rows than one insert chunk)', async () => {
      await saveBatch(db, '2025-11-13', [], ['cs.AI'], DAY1);
      expect((await loadBatch(db, '2025-11-13'))?.papers).toEqual([]);

      const many = Array.from({ length: 1234 }, (_, i) => paper(`2511.${String(i).padStart(5, '0')}`, 1, 'new'));
      await saveBatch(db, '2025-11-14', many.reverse(), ['cs.AI'], DAY1);
      const loaded = await loadBatch(db, '2025-11-14');
      expect(loaded?.papers.map((p) => p.id)).toEqual(many.map((p) => p.id));
    });

    it('rolls back the whole day when a write fails', async () => {
      await saveBatch(db, '2025-11-14', [paper('a.1', 1, 'new')], ['x'], DAY1);
      const broken = paper('a.2', 1, 'new', { title: null as unknown as string });
      await expect(saveBatch(db, '2025-11-14', [paper('a.3', 1, 'new'), broken], ['y'], DAY2)).rejects.toThrow(/NOT NULL|not-null/);
      const loaded = await loadBatch(db, '2025-11-14');
      expect(loaded?.papers.map((p) => p.id)).toEqual(['a.1']);
      expect(loaded?.sources).toEqual(['x']);
    });

    it('rejects a batch date that is not YYYY-MM-DD', async () => {
      await expect(saveBatch(db, '14/11/2025', [], [], DAY1)).rejects.toBeInstanceOf(StoreError);
    });
  });

  describe('listBatches', () => {
    it('lists stored days newest first', async () => {
      await saveBatch(db, '2025-11-14', [paper('a.1', 1, 'new')], ['x'], DAY1);
      await saveBatch(db, '2025-11-17', [paper('a.2', 1, 'new'), paper('a.3', 1, 'new')], ['x'], DAY2);
      await saveBatch(db, '2025-11-13', [], ['x'], DAY1);
      expect((await listBatches(db)).map((b) => [b.batchDate, b.paperCount])).toEqual([
        ['2025-11-17', 2],
        ['2025-11-14', 1],
        ['2025-11-13', 0],
      ]);
    });
  });
});
