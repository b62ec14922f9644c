import type { Kysely } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { planDeliveries } from '../../src/store/deliveries.ts';
import {
  clearSegmentRenders,
  findIssue,
  finishPreparation,
  listIssueSegments,
  loadSegmentRender,
  nextBatchNumber,
  openIssue,
  saveIssueSegments,
  saveSegmentRender,
} from '../../src/store/issues.ts';
import type { Database } from '../../src/store/schema.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { upsertSubscribers } from '../../src/store/subscribers.ts';
import { describeStore } from '../support/test-databases.ts';

let db: Kysely<Database>;
const T0 = new Date('2025-11-14T06:00:00.000Z');
const T1 = new Date('2025-11-14T06:05:00.000Z');
const DAY = '2025-11-14';
const RENDER = { subject: '日报 | digest', preheader: 'p', html: '<p>__PB_READER_EMAIL__</p>', text: 'text', degraded: 2 };

describeStore('store/issues', (store) => {
  beforeEach(async () => {
    db = store.db;
    await upsertSubscribers(
      db,
      [1, 2, 3].map((i) => ({ email: `r${i}@example.org`, name: null, topics: ['llm'], language: 'en' as const })),
      T0,
    );
  });

  describe('issues', () => {
    it('opens an issue once, and freezes its audience with per-segment counts from the ledger', async () => {
      expect(await findIssue(db, DAY)).toBeNull();
      expect(await openIssue(db, DAY, T0)).toEqual({ batchDate: DAY, preparedAt: null, audience: 0, withoutTopics: 0, lastBatch: 0 });
      await openIssue(db, DAY, T1);
      await saveIssueSegments(db, DAY, [
        { segmentId: 'en.llm', key: { topics: ['llm'], language: 'en' } },
        { segmentId: 'zh.agents+llm', key: { topics: ['llm', 'agents'], language: 'zh' } },
      ]);
      // Saving a segment again (a resumed preparation) keeps the first.
      await saveIssueSegments(db, DAY, [{ segmentId: 'en.llm', key: { topics: ['other'], language: 'en' } }]);
      await planDeliveries(
        db,
        DAY,
        [
          { subscriberId: 1, email: 'r1@example.org', segmentId: 'en.llm' },
          { subscriberId: 2, email: 'r2@example.org', segmentId: 'en.llm' },
          { subscriberId: 3, email: 'r3@example.org', segmentId: 'zh.agents+llm' },
        ],
        T0,
      );
      const issue = await finishPreparation(db, DAY, { withoutTopics: 4 }, T1);
      expect(issue).toEqual({ batchDate: DAY, preparedAt: T1.toISOString(), audience: 3, withoutTopics: 4, lastBatch: 0 });
      expect(await listIssueSegments(db, DAY)).toEqual([
        { segmentId: 'en.llm', key: { topics: ['llm'], language: 'en' }, readers: 2, renderedAt: null },
        { segmentId: 'zh.agents+llm', key: { topics: ['llm', 'agents'], language: 'zh' }, readers: 1, renderedAt: null },
      ]);
    });

    it('keeps a segment’s render for later runs, and drops it once the issue is settled', async () => {
      await openIssue(db, DAY, T0);
      await saveIssueSegments(db, DAY, [{ segmentId: 'en.llm', key: { topics: ['llm'], language: 'en' } }]);
      expect(await loadSegmentRender(db, DAY, 'en.llm')).toBeNull();
      await saveSegmentRender(db, DAY, 'en.llm', RENDER, T1);
      expect(await loadSegmentRender(db, DAY, 'en.llm')).toEqual(RENDER);
      expect((await listIssueSegments(db, DAY))[0]?.renderedAt).toBe(T1.toISOString());
      await expect(saveSegmentRender(db, DAY, 'zh.llm', RENDER, T1)).rejects.toBeInstanceOf(StoreError);
      await clearSegmentRenders(db, DAY);
      expect(await loadSegmentRender(db, DAY, 'en.llm')).toBeNull();
    });

    it('hands out claim numbers 1, 2, 3 … per issue, also to concurrent callers', async () => {
      await openIssue(db, DAY, T0);
      await openIssue(db, '2025-11-17', T0);
      const numbers = await Promise.all(Array.from({ length: 10 }, () => nextBatchNumber(db, DAY, T1)));
      expect(numbers.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(await nextBatchNumber(db, '2025-11-17', T1)).toBe(1);
      // A block of numbers for a page of claims: the first is returned, the rest are the caller's.
      expect(await nextBatchNumber(db, '2025-11-17', T1, 5)).toBe(2);
      expect(await nextBatchNumber(db, '2025-11-17', T1)).toBe(7);
      await expect(nextBatchNumber(db, '2025-11-18', T1)).rejects.toBeInstanceOf(StoreError);
    });
  });
});
