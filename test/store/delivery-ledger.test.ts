import { beforeEach, expect, it } from 'vitest';
import type { Ledger } from '../../src/deliver/ledger.ts';
import { listDeliveries, planDeliveries } from '../../src/store/deliveries.ts';
import { openDeliveryLedger } from '../../src/store/delivery-ledger.ts';
import { openIssue } from '../../src/store/issues.ts';
import { findSubscriber, setSubscriberStatus, upsertSubscribers } from '../../src/store/subscribers.ts';
import { describeStore } from '../support/test-databases.ts';

// The store's adapter of deliver/'s Ledger seam, on both dialects: one issue's rows through a claim's life.

const DAY = '2025-11-14';
const OTHER_DAY = '2025-11-17';
const T0 = new Date('2025-11-14T06:00:00.000Z');
const T1 = new Date('2025-11-14T06:01:00.000Z');
const T2 = new Date('2025-11-14T06:02:00.000Z');
const PLAN = [1, 2, 3, 4].map((id) => ({ subscriberId: id, email: `r${id}@example.org`, segmentId: id === 4 ? 'zh.vision' : 'en.llm' }));

describeStore('store/delivery-ledger', (store) => {
  let ledger: Ledger;

  beforeEach(async () => {
    const { db } = store;
    await upsertSubscribers(
      db,
      [1, 2, 3, 4].map((i) => ({ email: `r${i}@example.org`, name: null, topics: ['llm'], language: 'en' as const })),
      T0,
    );
    for (const day of [DAY, OTHER_DAY]) {
      await openIssue(db, day, T0);
      await planDeliveries(db, day, PLAN, T0);
    }
    // Typed against the seam: the adapter must keep up with `Ledger`.
    ledger = openDeliveryLedger(db, DAY) satisfies Ledger;
  });

  it('pages, claims and settles the rows of its own issue only, stamping each write with the time it is given', async () => {
    expect((await ledger.pending({ segmentId: 'en.llm', statuses: ['planned'], after: 1, limit: 10 })).map((r) => r.subscriberId)).toEqual([2, 3]);
    const first = await ledger.reserveBatchNumbers(2, T1);
    expect(await ledger.reserveBatchNumbers(1, T1)).toBe(first + 2);
    expect(await ledger.claim([1, 2, 3], { from: ['planned'], transport: 'smtp', batchNo: first, idempotencyKey: 'k1' }, T1)).toEqual([1, 2, 3]);
    await ledger.settle(
      [
        { subscriberId: 1, status: 'sent', messageId: 'm1' },
        { subscriberId: 2, status: 'bounced', error: '550' },
        { subscriberId: 3, status: 'failed', error: '451', kind: 'transient' },
      ],
      T2,
    );
    const rows = await listDeliveries(store.db, DAY);
    expect(rows.map((r) => [r.subscriberId, r.status, r.batchNo, r.idempotencyKey])).toEqual([
      [1, 'sent', first, 'k1'],
      [2, 'bounced', first, 'k1'],
      [3, 'failed', first, 'k1'],
      [4, 'planned', null, null],
    ]);
    expect(rows[0]).toMatchObject({ claimedAt: T1.toISOString(), sentAt: T2.toISOString(), updatedAt: T2.toISOString() });
    expect((await findSubscriber(store.db, { id: 2 }))?.status).toBe('bounced');
    expect((await listDeliveries(store.db, OTHER_DAY)).every((r) => r.status === 'planned')).toBe(true);

    const summary = await ledger.summarize();
    expect(summary.counts).toMatchObject({ sent: 1, bounced: 1, failed: 1, planned: 1 });
    expect(summary.failedTransient).toBe(1);
  });

  it('turns a dead run’s claims unknown, counts and groups them, and repeats them exactly', async () => {
    await ledger.claim([1, 2], { from: ['planned'], transport: 'resend', batchNo: 5, idempotencyKey: 'k5' }, T0);
    await ledger.claim([3], { from: ['planned'], transport: 'resend', batchNo: 6, idempotencyKey: 'k6' }, T1);
    expect(await ledger.markInterrupted(T2)).toBe(3);
    expect(await ledger.countUnknown({ transport: 'resend' })).toBe(3);
    expect(await ledger.countUnknown({ transport: 'resend', claimedSince: T1.toISOString() })).toBe(1);
    expect(await ledger.countUnknown({ transport: 'smtp' })).toBe(0);
    const claims = await ledger.uncertainClaims({ segmentId: 'en.llm', transport: 'resend' });
    expect(claims.map((c) => [c.batchNo, c.idempotencyKey, c.rows.map((r) => r.subscriberId)])).toEqual([
      [5, 'k5', [1, 2]],
      [6, 'k6', [3]],
    ]);
    expect(await ledger.uncertainClaims({ segmentId: 'en.llm', transport: 'resend', claimedSince: T1.toISOString() })).toHaveLength(1);
  });

  it('moves rows of readers who left to skipped and says which', async () => {
    await setSubscriberStatus(store.db, 3, 'unsubscribed', T0);
    expect(await ledger.skipInactive([1, 2, 3], ['planned', 'failed'], T1)).toEqual([3]);
    expect(await ledger.skipInactive([3], ['planned'], T1)).toEqual([]);
    expect((await listDeliveries(store.db, DAY)).find((r) => r.subscriberId === 3)?.status).toBe('skipped');
  });
});
