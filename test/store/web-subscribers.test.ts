import { describe, expect, it } from 'vitest';
import {
  findSubscriber,
  iterateActiveSubscribers,
  listSubscribers,
  upsertSubscribers,
} from '../../src/store/subscribers.ts';
import { hitRateLimit, pruneRateLimits } from '../../src/store/web-rate-limits.ts';
import { webDb } from '../../src/store/web-schema.ts';
import {
  confirmSignup,
  findOpenSignup,
  openSignup,
  removeExpiredSignups,
  suppressAddress,
  unsubscribeReader,
  updatePreferences,
} from '../../src/store/web-subscribers.ts';
import { describeStore } from '../support/test-databases.ts';

// The web front's store functions, on SQLite and (with TEST_DATABASE_URL) on PostgreSQL.

const T0 = new Date('2026-03-02T09:00:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * 3600_000);
const HOURS_72 = 72 * 3600_000;

describeStore('web sign-ups in the store', (store) => {
  async function activeIds(): Promise<number[]> {
    const db = store.db;
    const ids: number[] = [];
    for await (const page of iterateActiveSubscribers(db)) ids.push(...page.map((s) => s.id));
    return ids;
  }

  describe('web sign-ups in the store', () => {
    it('keeps a new reader pending (never mailed) until the confirmation, then applies the request', async () => {
      const db = store.db;
      const { subscriberId, status } = await openSignup(
        db,
        {
          email: 'New@Example.org',
          name: 'N',
          topics: ['llm', 'agents'],
          language: 'zh',
        },
        T0,
        '192.0.2.1',
      );
      expect(status).toBe('new');
      expect(await findSubscriber(db, { id: subscriberId })).toMatchObject({
        email: 'new@example.org',
        status: 'pending',
        topics: ['agents', 'llm'],
      });
      expect(await activeIds()).toEqual([]);
      expect(await findOpenSignup(db, subscriberId)).toEqual({
        name: 'N',
        topics: ['agents', 'llm'],
        language: 'zh',
        frequency: 'daily',
        requestedAt: T0.toISOString(),
      });

      const result = await confirmSignup(db, subscriberId, at(1), '192.0.2.2');
      expect(result.outcome).toBe('confirmed');
      expect(await activeIds()).toEqual([subscriberId]);
      expect(await findOpenSignup(db, subscriberId)).toBeNull();
      expect((await confirmSignup(db, subscriberId, at(2), null)).outcome).toBe('nothing-open');
    });

    it('leaves an active reader untouched by a sign-up until it is confirmed; the latest request wins', async () => {
      const db = store.db;
      await upsertSubscribers(
        db,
        [
          {
            email: 'a@example.org',
            name: 'A',
            topics: ['vision'],
            language: 'en',
          },
        ],
        T0,
      );
      const { subscriberId } = await openSignup(
        db,
        { email: 'a@example.org', name: null, topics: ['llm'], language: 'zh' },
        at(1),
        null,
      );
      await openSignup(
        db,
        {
          email: 'a@example.org',
          name: null,
          topics: ['robotics'],
          language: 'bilingual',
        },
        at(2),
        null,
      );
      expect(await findSubscriber(db, { id: subscriberId })).toMatchObject({
        status: 'active',
        topics: ['vision'],
        language: 'en',
        name: 'A',
      });
      await confirmSignup(db, subscriberId, at(3), null);
      expect(await findSubscriber(db, { id: subscriberId })).toMatchObject({
        status: 'active',
        topics: ['robotics'],
        language: 'bilingual',
        name: 'A',
      });
      const consents = await webDb(db).selectFrom('web_consents').selectAll().execute();
      expect(consents).toHaveLength(1);
    });

    it('keeps the weekly choice in the open request and applies it with the confirmation, not before', async () => {
      const db = store.db;
      await upsertSubscribers(db, [{ email: 'a@example.org', name: null, topics: ['vision'], language: 'en' }], T0);
      const known = (await findSubscriber(db, { email: 'a@example.org' }))!.id;
      const fresh = await openSignup(db, { email: 'w@example.org', name: null, topics: ['llm'], language: 'en', frequency: 'weekly' }, at(1), null);
      await openSignup(db, { email: 'a@example.org', name: null, topics: ['vision'], language: 'en', frequency: 'weekly' }, at(1), null);
      expect(await findOpenSignup(db, fresh.subscriberId)).toMatchObject({ frequency: 'weekly' });
      // An active daily reader stays daily until they confirm the new request themselves.
      expect(await findSubscriber(db, { id: known })).toMatchObject({ status: 'active' });
      expect((await findSubscriber(db, { id: known }))?.frequency).toBeUndefined(); // absent means daily
      await confirmSignup(db, fresh.subscriberId, at(2), null);
      await confirmSignup(db, known, at(2), null);
      expect(await findSubscriber(db, { id: fresh.subscriberId })).toMatchObject({ status: 'active', frequency: 'weekly' });
      expect(await findSubscriber(db, { id: known })).toMatchObject({ status: 'active', frequency: 'weekly' });
    });

    it('changes preferences of active readers only', async () => {
      const db = store.db;
      await upsertSubscribers(
        db,
        [
          {
            email: 'a@example.org',
            name: null,
            topics: ['vision'],
            language: 'en',
          },
        ],
        T0,
      );
      const id = (await findSubscriber(db, { email: 'a@example.org' }))!.id;
      expect(await updatePreferences(db, id, { topics: ['llm', 'agents'], language: 'zh' }, at(1))).toBe(true);
      expect(await findSubscriber(db, { id })).toMatchObject({
        topics: ['agents', 'llm'],
        language: 'zh',
      });
      await unsubscribeReader(db, id, at(2));
      expect(await updatePreferences(db, id, { topics: ['vision'], language: 'en' }, at(3))).toBe(false);
      expect(await findSubscriber(db, { id })).toMatchObject({
        status: 'unsubscribed',
        topics: ['agents', 'llm'],
      });
    });

    it.each([
      ['active', 'unsubscribed', true],
      ['pending', 'unsubscribed', true],
      ['unsubscribed', 'unsubscribed', false],
      ['bounced', 'bounced', false],
      ['complained', 'complained', false],
    ] as const)('unsubscribing a %s reader leaves them %s', async (before, after, changed) => {
      const db = store.db;
      await upsertSubscribers(
        db,
        [
          {
            email: 'a@example.org',
            name: null,
            topics: ['llm'],
            language: 'en',
          },
        ],
        T0,
      );
      const id = (await findSubscriber(db, { email: 'a@example.org' }))!.id;
      await db.updateTable('subscribers').set({ status: before }).where('id', '=', id).execute();
      expect(await unsubscribeReader(db, id, at(1))).toEqual({
        before,
        changed,
      });
      expect((await findSubscriber(db, { id }))?.status).toBe(after);
    });

    it.each([
      ['active', 'bounced', 'bounced'],
      ['active', 'complained', 'complained'],
      ['complained', 'bounced', 'complained'],
      ['bounced', 'complained', 'complained'],
      ['unsubscribed', 'bounced', 'bounced'],
    ] as const)('suppressing a %s reader for %s leaves them %s', async (before, reason, after) => {
      const db = store.db;
      await upsertSubscribers(
        db,
        [
          {
            email: 'a@example.org',
            name: null,
            topics: ['llm'],
            language: 'en',
          },
        ],
        T0,
      );
      const id = (await findSubscriber(db, { email: 'a@example.org' }))!.id;
      await db.updateTable('subscribers').set({ status: before }).where('id', '=', id).execute();
      expect(await suppressAddress(db, 'A@example.org', reason, at(1))).toBe(id);
      expect((await findSubscriber(db, { id }))?.status).toBe(after);
      expect(await suppressAddress(db, 'nobody@example.org', reason, at(1))).toBeNull();
    });

    it('removes unconfirmed web sign-ups after the configured time, and nothing else', async () => {
      const db = store.db;
      await upsertSubscribers(
        db,
        [
          {
            email: 'imported@example.org',
            name: null,
            topics: ['llm'],
            language: 'en',
          },
        ],
        T0,
      );
      const importedId = (await findSubscriber(db, {
        email: 'imported@example.org',
      }))!.id;
      const stale = await openSignup(
        db,
        {
          email: 'stale@example.org',
          name: null,
          topics: ['llm'],
          language: 'en',
        },
        T0,
        null,
      );
      const asksAgain = await openSignup(
        db,
        {
          email: 'again@example.org',
          name: null,
          topics: ['llm'],
          language: 'en',
        },
        T0,
        null,
      );
      await openSignup(
        db,
        {
          email: 'again@example.org',
          name: null,
          topics: ['agents'],
          language: 'en',
        },
        at(48),
        null,
      );
      const confirmed = await openSignup(
        db,
        {
          email: 'ok@example.org',
          name: null,
          topics: ['llm'],
          language: 'en',
        },
        T0,
        null,
      );
      await confirmSignup(db, confirmed.subscriberId, at(1), null);
      // An active reader's own request, never confirmed, expires too; the reader stays.
      await openSignup(
        db,
        {
          email: 'imported@example.org',
          name: null,
          topics: ['vision'],
          language: 'en',
        },
        T0,
        null,
      );

      expect(await removeExpiredSignups(db, at(71), HOURS_72)).toEqual({
        readers: 0,
        requests: 0,
      });
      expect(await removeExpiredSignups(db, at(73), HOURS_72)).toEqual({
        readers: 1,
        requests: 2,
      });
      const left = (await listSubscribers(db)).map((s) => [s.email, s.status]);
      expect(left).toEqual([
        ['imported@example.org', 'active'],
        ['again@example.org', 'pending'],
        ['ok@example.org', 'active'],
      ]);
      expect(await findSubscriber(db, { id: stale.subscriberId })).toBeNull();
      expect(await findOpenSignup(db, importedId)).toBeNull();
      expect(await findOpenSignup(db, asksAgain.subscriberId)).not.toBeNull();
      const orphanTopics = await db
        .selectFrom('subscriber_topics')
        .selectAll()
        .where('subscriber_id', '=', stale.subscriberId)
        .execute();
      expect(orphanTopics).toEqual([]);
    });
  });

  describe('rate-limit windows', () => {
    it('counts hits per bucket in fixed windows', async () => {
      const db = store.db;
      const hits = [];
      for (let i = 0; i < 4; i++) hits.push(await hitRateLimit(db, 'ip:a', 3, 3600_000, at(i * 0.1)));
      expect(hits.map((h) => h.allowed)).toEqual([true, true, true, false]);
      expect((await hitRateLimit(db, 'ip:b', 3, 3600_000, at(0.5))).allowed).toBe(true);
      expect(await hitRateLimit(db, 'ip:a', 3, 3600_000, at(1.01))).toEqual({
        allowed: true,
        count: 1,
      });
      expect(await pruneRateLimits(db, at(25), 24 * 3600_000)).toBe(1);
      expect(await pruneRateLimits(db, at(26), 24 * 3600_000)).toBe(1);
    });
  });
});
