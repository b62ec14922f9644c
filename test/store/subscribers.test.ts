import type { Kysely } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/schema.ts';
import {
  countSubscribers,
  findSubscriber,
  iterateActiveSubscribers,
  listSubscribers,
  setSubscriberStatus,
  upsertSubscribers,
  type SubscriberInput,
} from '../../src/store/subscribers.ts';
import { describeStore } from '../support/test-databases.ts';

let db: Kysely<Database>;

const T0 = new Date('2025-11-14T06:00:00.000Z');
const T1 = new Date('2025-11-15T06:00:00.000Z');

const READERS: SubscriberInput[] = [
  { email: 'ada@example.org', name: 'Ada', topics: ['llm', 'agents'], language: 'bilingual' },
  { email: 'li.wei@example.com', name: '李伟', topics: ['vision'], language: 'zh' },
  { email: 'bob@example.org', name: null, topics: ['robotics', 'reasoning'], language: 'en' },
];

async function rowOf(email: string) {
  return db.selectFrom('subscribers').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
}

describeStore('store/subscribers', (store) => {
  beforeEach(() => {
    db = store.db;
  });

  describe('upsertSubscribers', () => {
    it('adds new readers as active, with their topics, and a second import of the same rows changes nothing', async () => {
      expect(await upsertSubscribers(db, READERS, T0)).toEqual({ added: 3, updated: 0, unchanged: 0, suppressed: 0 });
      expect(await upsertSubscribers(db, READERS, T1)).toEqual({ added: 0, updated: 0, unchanged: 3, suppressed: 0 });

      expect(await listSubscribers(db)).toEqual([
        { id: 1, email: 'ada@example.org', name: 'Ada', topics: ['agents', 'llm'], language: 'bilingual', status: 'active' },
        { id: 2, email: 'li.wei@example.com', name: '李伟', topics: ['vision'], language: 'zh', status: 'active' },
        { id: 3, email: 'bob@example.org', name: null, topics: ['reasoning', 'robotics'], language: 'en', status: 'active' },
      ]);
      // Unchanged means not written: the timestamps are still the first import's.
      expect((await rowOf('ada@example.org')).updated_at).toBe(T0.toISOString());
    });

    it('stores emails trimmed and lowercased, so a differently cased re-import is the same reader', async () => {
      await upsertSubscribers(db, [{ ...READERS[0]!, email: '  Ada@Example.ORG ' }], T0);
      expect(await upsertSubscribers(db, [{ ...READERS[0]!, email: 'ADA@example.org' }], T1)).toEqual({
        added: 0,
        updated: 0,
        unchanged: 1,
        suppressed: 0,
      });
      expect((await listSubscribers(db)).map((s) => s.email)).toEqual(['ada@example.org']);
    });

    it('updates topics, language or name that changed, and treats topic order and case as the same set', async () => {
      await upsertSubscribers(db, READERS, T0);
      const counts = await upsertSubscribers(
        db,
        [
          { ...READERS[0]!, topics: ['Agents', 'llm', 'llm'] },
          { ...READERS[1]!, topics: ['vision', 'multimodal'] },
          { ...READERS[2]!, language: 'bilingual' },
        ],
        T1,
      );
      expect(counts).toEqual({ added: 0, updated: 2, unchanged: 1, suppressed: 0 });
      expect(await findSubscriber(db, { email: 'li.wei@example.com' })).toMatchObject({ topics: ['multimodal', 'vision'] });
      expect(await findSubscriber(db, { email: 'bob@example.org' })).toMatchObject({ language: 'bilingual' });
      const li = await rowOf('li.wei@example.com');
      expect([li.updated_at, li.status_changed_at]).toEqual([T1.toISOString(), T0.toISOString()]);
    });

    it('keeps a stored name when the import has none, and replaces it when the import has another', async () => {
      await upsertSubscribers(db, READERS, T0);
      expect(await upsertSubscribers(db, [{ ...READERS[0]!, name: null }, { ...READERS[1]!, name: '  ' }], T1)).toEqual({
        added: 0,
        updated: 0,
        unchanged: 2,
        suppressed: 0,
      });
      expect(await upsertSubscribers(db, [{ ...READERS[0]!, name: 'Ada Lovelace' }], T1)).toMatchObject({ updated: 1 });
      expect((await findSubscriber(db, { email: 'ada@example.org' }))?.name).toBe('Ada Lovelace');
    });

    it.each(['unsubscribed', 'bounced', 'complained'] as const)(
      'never reactivates a %s reader, even with new topics',
      async (status) => {
        await upsertSubscribers(db, READERS, T0);
        const ada = await findSubscriber(db, { email: 'ada@example.org' });
        await setSubscriberStatus(db, ada!.id, status, T0);

        const counts = await upsertSubscribers(db, [{ ...READERS[0]!, topics: ['vision'] }, READERS[1]!], T1);
        expect(counts).toEqual({ added: 0, updated: 0, unchanged: 1, suppressed: 1 });
        expect(await findSubscriber(db, { id: ada!.id })).toMatchObject({ status, topics: ['agents', 'llm'] });
      },
    );

    it('activates a pending reader the operator imports', async () => {
      await upsertSubscribers(db, [READERS[0]!], T0);
      const ada = await findSubscriber(db, { email: 'ada@example.org' });
      await setSubscriberStatus(db, ada!.id, 'pending', T0);
      expect(await upsertSubscribers(db, [READERS[0]!], T1)).toEqual({ added: 0, updated: 1, unchanged: 0, suppressed: 0 });
      const row = await rowOf('ada@example.org');
      expect([row.status, row.status_changed_at]).toEqual(['active', T1.toISOString()]);
    });

    it('applies a repeated email on top of the first occurrence', async () => {
      const counts = await upsertSubscribers(
        db,
        [READERS[0]!, { ...READERS[0]!, topics: ['vision'] }, { ...READERS[0]!, topics: ['vision'] }],
        T0,
      );
      expect(counts).toEqual({ added: 1, updated: 1, unchanged: 1, suppressed: 0 });
      expect((await listSubscribers(db)).map((s) => s.topics)).toEqual([['vision']]);
    });

    it('records the source on new readers', async () => {
      await upsertSubscribers(db, [READERS[0]!], T0, { source: 'csv:readers.csv' });
      expect((await rowOf('ada@example.org')).source).toBe('csv:readers.csv');
    });

    it('counts without writing in a dry run', async () => {
      await upsertSubscribers(db, [READERS[0]!], T0);
      const counts = await upsertSubscribers(
        db,
        [{ ...READERS[0]!, language: 'zh' }, READERS[1]!, READERS[1]!, READERS[2]!],
        T1,
        { dryRun: true },
      );
      expect(counts).toEqual({ added: 2, updated: 1, unchanged: 1, suppressed: 0 });
      expect(await listSubscribers(db)).toEqual([expect.objectContaining({ email: 'ada@example.org', language: 'bilingual' })]);
    });

    it('writes nothing when one row fails', async () => {
      await expect(
        upsertSubscribers(db, [READERS[0]!, { ...READERS[1]!, language: 'fr' as never }], T0),
      ).rejects.toThrow(/CHECK constraint failed|violates check constraint/);
      expect(await listSubscribers(db)).toEqual([]);
    });

    it('imports a list larger than one chunk', async () => {
      const many = Array.from({ length: 1203 }, (_, i) => ({
        email: `reader${i}@example.org`,
        name: null,
        topics: i % 2 ? ['llm'] : ['vision', 'agents'],
        language: 'en' as const,
      }));
      expect(await upsertSubscribers(db, many, T0)).toMatchObject({ added: 1203 });
      expect(await upsertSubscribers(db, many, T1)).toMatchObject({ unchanged: 1203 });
    });
  });

  describe('reading readers', () => {
    async function seed() {
      const rows = Array.from({ length: 8 }, (_, i) => ({
        email: `r${i}@example.org`,
        name: `Reader ${i}`,
        topics: [i % 2 ? 'llm' : 'vision'],
        language: 'en' as const,
      }));
      await upsertSubscribers(db, rows, T0);
      // Readers 2, 5 and 7 leave in different ways; 5 active ones remain: 1, 3, 4, 6, 8.
      await setSubscriberStatus(db, 2, 'unsubscribed', T1);
      await setSubscriberStatus(db, 5, 'bounced', T1);
      await setSubscriberStatus(db, 7, 'pending', T1);
    }

    it('iterates active readers a page at a time by id', async () => {
      await seed();
      const pages: number[][] = [];
      for await (const page of iterateActiveSubscribers(db, 2)) pages.push(page.map((s) => s.id));
      expect(pages).toEqual([[1, 3], [4, 6], [8]]);
    });

    it('yields no empty last page when the active readers fill the pages exactly', async () => {
      await seed();
      await setSubscriberStatus(db, 8, 'complained', T1);
      const pages: number[][] = [];
      for await (const page of iterateActiveSubscribers(db, 2)) pages.push(page.map((s) => s.id));
      expect(pages).toEqual([[1, 3], [4, 6]]);
    });

    it('yields nothing from an empty list, and full readers with topics', async () => {
      const none: unknown[] = [];
      for await (const page of iterateActiveSubscribers(db)) none.push(page);
      expect(none).toEqual([]);

      await seed();
      const [first] = await iterateActiveSubscribers(db).next().then((r) => (r.done ? [] : [r.value]));
      expect(first?.[0]).toEqual({ id: 1, email: 'r0@example.org', name: 'Reader 0', topics: ['vision'], language: 'en', status: 'active' });
      expect(first).toHaveLength(5);
    });

    it('lists by status and counts every status', async () => {
      await seed();
      expect((await listSubscribers(db, { status: 'active' })).map((s) => s.id)).toEqual([1, 3, 4, 6, 8]);
      expect((await listSubscribers(db, { status: 'bounced' })).map((s) => s.email)).toEqual(['r4@example.org']);
      expect(await countSubscribers(db)).toEqual({ pending: 1, active: 5, unsubscribed: 1, bounced: 1, complained: 0 });
    });

    it('finds a reader by id or email, and sets a status only on a reader that exists', async () => {
      await seed();
      expect(await findSubscriber(db, { email: ' R3@Example.org' })).toMatchObject({ id: 4 });
      expect(await findSubscriber(db, { id: 99 })).toBeNull();
      expect(await setSubscriberStatus(db, 99, 'unsubscribed', T1)).toBe(false);
      expect(await setSubscriberStatus(db, 2, 'unsubscribed', T1)).toBe(true);
    });
  });
});
