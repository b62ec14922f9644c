import { expect, it } from 'vitest';
import { findStoredDetails, saveDetails } from '../../src/store/paper-details.ts';
import { describeStore } from '../support/test-databases.ts';

describeStore('store/paper-details', (store) => {
  it('keeps details per paper version and answers only for the version asked', async () => {
    await saveDetails(
      store.db,
      [
        { id: '2511.10621', version: 1, comment: 'Preprint; 29 pages', journalRef: null, doi: null },
        { id: '2508.01341', version: 2, comment: null, journalRef: 'J. Causal Inf. 13 (2025)', doi: '10.1/x' },
      ],
      new Date('2025-11-15T05:00:00Z'),
    );
    const found = await findStoredDetails(store.db, [
      { id: '2511.10621', version: 1 },
      { id: '2508.01341', version: 3 },
      { id: '2511.99999', version: 1 },
    ]);
    expect([...found.keys()]).toEqual(['2511.10621']);
    expect(found.get('2511.10621')).toEqual({
      id: '2511.10621',
      version: 1,
      comment: 'Preprint; 29 pages',
      journalRef: null,
      doi: null,
    });
  });

  it('a second answer for the same version replaces the first', async () => {
    const key = { id: '2511.10647', version: 1 };
    await saveDetails(store.db, [{ ...key, comment: 'old', journalRef: null, doi: null }], new Date('2025-11-15T05:00:00Z'));
    await saveDetails(store.db, [{ ...key, comment: 'new', journalRef: 'ICLR 2026', doi: null }], new Date('2025-11-16T05:00:00Z'));
    expect((await findStoredDetails(store.db, [key])).get(key.id)).toMatchObject({ comment: 'new', journalRef: 'ICLR 2026' });
  });
});
