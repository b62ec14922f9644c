import { expect, it } from 'vitest';
import { findSubscriber, listSubscribers, upsertSubscribers } from '../../src/store/subscribers.ts';
import { describeStore } from '../support/test-databases.ts';

// A reader's frequency in the store (migration 0600_weekly_digest): daily unless chosen; an import without the
// column keeps what the reader chose (on the preferences page, say).

const T0 = new Date('2025-11-10T08:00:00Z');
const T1 = new Date('2025-11-11T08:00:00Z');

describeStore('store/frequency', (store) => {
  it('stores weekly, keeps it when an import leaves the column out, and counts a change as an update', async () => {
    const { db } = store;
    await upsertSubscribers(db, [
      { email: 'a@example.org', name: null, topics: ['llm'], language: 'en' },
      { email: 'b@example.org', name: null, topics: ['llm'], language: 'en', frequency: 'weekly' },
    ], T0);
    expect((await listSubscribers(db)).map((s) => [s.email, s.frequency ?? 'daily'])).toEqual([
      ['a@example.org', 'daily'],
      ['b@example.org', 'weekly'],
    ]);
    const kept = await upsertSubscribers(db, [{ email: 'b@example.org', name: null, topics: ['llm'], language: 'en' }], T1);
    expect(kept).toMatchObject({ unchanged: 1, updated: 0 });
    expect((await findSubscriber(db, { email: 'b@example.org' }))?.frequency).toBe('weekly');
    const changed = await upsertSubscribers(db, [{ email: 'a@example.org', name: null, topics: ['llm'], language: 'en', frequency: 'weekly' }], T1);
    expect(changed).toMatchObject({ updated: 1 });
    expect((await findSubscriber(db, { email: 'a@example.org' }))?.frequency).toBe('weekly');
    // The column refuses anything else.
    await expect(db.updateTable('subscribers').set({ frequency: 'hourly' as 'daily' }).where('email', '=', 'a@example.org').execute()).rejects.toThrow();
  });
});
