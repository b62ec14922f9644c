import { expect, it } from 'vitest';
import { interestsOf, readInterests, writeInterests } from '../../src/store/reader-interests.ts';
import { findSubscriber, upsertSubscribers } from '../../src/store/subscribers.ts';
import { describeStore } from '../support/test-databases.ts';

const T0 = new Date('2025-11-14T06:00:00Z');
const T1 = new Date('2025-11-15T06:00:00Z');

describeStore('store/reader-interests', (store) => {
  it('an import stores interests, keeps lists a later import leaves out, and counts a change as an update', async () => {
    const reader = { email: 'a@example.org', name: null, topics: ['llm'], language: 'en' as const };
    await upsertSubscribers(store.db, [{ ...reader, interests: { keywords: ['RAG'], authors: ['Percy Liang'] } }], T0);
    const id = (await findSubscriber(store.db, { email: reader.email }))!.id;
    expect(await interestsOf(store.db, id)).toEqual({ keywords: ['RAG'], exclude: [], authors: ['Percy Liang'] });

    // No interest columns: nothing changes.
    expect(await upsertSubscribers(store.db, [reader], T1)).toMatchObject({ unchanged: 1, updated: 0 });
    // Only `exclude` given: the other lists stay.
    expect(await upsertSubscribers(store.db, [{ ...reader, interests: { exclude: ['medical'] } }], T1)).toMatchObject({
      updated: 1,
    });
    expect(await interestsOf(store.db, id)).toEqual({ keywords: ['RAG'], exclude: ['medical'], authors: ['Percy Liang'] });
    // Every list given empty: the reader follows nothing extra.
    await upsertSubscribers(store.db, [{ ...reader, interests: { keywords: [], exclude: [], authors: [] } }], T1);
    expect((await readInterests(store.db, [id])).has(id)).toBe(false);
  });

  it('a dry run writes no interests', async () => {
    const reader = { email: 'b@example.org', name: null, topics: ['llm'], language: 'en' as const, interests: { keywords: ['GNN'] } };
    expect(await upsertSubscribers(store.db, [reader], T0, { dryRun: true })).toMatchObject({ added: 1 });
    expect(await findSubscriber(store.db, { email: reader.email })).toBeNull();
  });

  it('writeInterests replaces the lists as a whole', async () => {
    await upsertSubscribers(store.db, [{ email: 'c@example.org', name: null, topics: ['llm'], language: 'zh' }], T0);
    const id = (await findSubscriber(store.db, { email: 'c@example.org' }))!.id;
    await writeInterests(store.db, id, { keywords: ['a b', '中文 词'], exclude: [], authors: ['X Y'] }, T0);
    await writeInterests(store.db, id, { keywords: ['only'], exclude: [], authors: [] }, T1);
    expect(await interestsOf(store.db, id)).toEqual({ keywords: ['only'], exclude: [], authors: [] });
  });
});
