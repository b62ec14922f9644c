import type { Kysely } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { prepareIssue } from '../../src/deliver/prepare-issue.ts';
import { surveyAudience } from '../../src/select/index.ts';
import { listDeliveries, planDeliveries } from '../../src/store/deliveries.ts';
import { findIssue, openIssue, saveIssueSegments } from '../../src/store/issues.ts';
import type { Database } from '../../src/store/schema.ts';
import { setSubscriberStatus, upsertSubscribers } from '../../src/store/subscribers.ts';
import type { Language } from '../../src/types.ts';
import { describeStore } from '../support/test-databases.ts';

const DAY = '2025-11-14';
const T0 = new Date('2025-11-14T06:00:00.000Z');
const T1 = new Date('2025-11-14T07:00:00.000Z');
const ORDER = ['llm', 'agents', 'vision'];
const COMBOS: Array<[string[], Language]> = [
  [['llm'], 'en'],
  [['agents', 'llm'], 'bilingual'],
  [['vision'], 'zh'],
  [['quantum'], 'en'],
];

let db: Kysely<Database>;

async function readers(n: number, offset = 0) {
  await upsertSubscribers(
    db,
    Array.from({ length: n }, (_, i) => {
      const [topics, language] = COMBOS[(i + offset) % COMBOS.length]!;
      return { email: `r${i + offset}@example.org`, name: null, topics, language };
    }),
    T0,
  );
}

describeStore('deliver/prepare-issue', (store) => {
  beforeEach(() => {
    db = store.db;
  });

  describe('prepareIssue', () => {
    it('freezes the audience a page at a time: a row per reader with a known topic, segments counted', async () => {
      await readers(23);
      const audience = await prepareIssue(db, DAY, ORDER, T0, 5);
      expect(audience).toMatchObject({ readers: 18, withoutTopics: 5, preparedAt: T0.toISOString(), preparedNow: true });
      expect(audience.segments).toEqual([
        { segmentId: 'bilingual.agents+llm', key: { topics: ['llm', 'agents'], language: 'bilingual' }, readers: 6 },
        { segmentId: 'en.llm', key: { topics: ['llm'], language: 'en' }, readers: 6 },
        { segmentId: 'zh.vision', key: { topics: ['vision'], language: 'zh' }, readers: 6 },
      ]);
      const rows = await listDeliveries(db, DAY);
      expect(rows).toHaveLength(18);
      expect(rows.every((r) => r.status === 'planned')).toBe(true);
      expect(rows.find((r) => r.email === 'r1@example.org')?.segmentId).toBe('bilingual.agents+llm');
    });

    it('keeps the frozen audience on later runs: new readers wait for the next issue, leavers are skipped at send time', async () => {
      await readers(8);
      await prepareIssue(db, DAY, ORDER, T0);
      await readers(4, 100);
      await setSubscriberStatus(db, 1, 'unsubscribed', T1);
      const again = await prepareIssue(db, DAY, ORDER, T1);
      expect(again).toMatchObject({ readers: 6, preparedAt: T0.toISOString(), preparedNow: false });
      expect(await listDeliveries(db, DAY)).toHaveLength(6);
      expect((await prepareIssue(db, '2025-11-17', ORDER, T1)).readers).toBe(8);
    });

    it('finishes a preparation a dead run left half done, without a duplicate row', async () => {
      await readers(12);
      await openIssue(db, DAY, T0);
      await saveIssueSegments(db, DAY, [{ segmentId: 'en.llm', key: { topics: ['llm'], language: 'en' } }]);
      await planDeliveries(db, DAY, [{ subscriberId: 1, email: 'r0@example.org', segmentId: 'en.llm' }], T0);
      expect((await findIssue(db, DAY))?.preparedAt).toBeNull();
      const audience = await prepareIssue(db, DAY, ORDER, T1, 4);
      expect(audience).toMatchObject({ readers: 9, preparedNow: true });
      expect(await listDeliveries(db, DAY)).toHaveLength(9);
    });

    it('a survey (dry run) counts the same audience and writes nothing', async () => {
      await readers(23);
      const survey = await surveyAudience(db, ORDER, 7);
      expect(survey).toMatchObject({ readers: 18, withoutTopics: 5, preparedAt: null });
      expect(survey.segments.map((s) => [s.segmentId, s.readers])).toEqual([
        ['bilingual.agents+llm', 6],
        ['en.llm', 6],
        ['zh.vision', 6],
      ]);
      expect(await findIssue(db, DAY)).toBeNull();
      expect(await listDeliveries(db, DAY)).toEqual([]);
    });
  });
});
