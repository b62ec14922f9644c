import type { Kysely } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  claimDeliveries,
  deliveryCounts,
  nothingDue,
  nothingResendable,
  listDeliveries,
  markDelivery,
  markInterruptedSends,
  pendingDeliveries,
  planDeliveries,
  recordOutcomes,
  skipInactiveReaders,
  summarizeLedger,
  uncertainClaims,
  type LedgerSummary,
} from '../../src/store/deliveries.ts';
import type { Database } from '../../src/store/schema.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { findSubscriber, setSubscriberStatus, upsertSubscribers } from '../../src/store/subscribers.ts';
import { describeStore } from '../support/test-databases.ts';

let db: Kysely<Database>;
const T0 = new Date('2025-11-14T06:00:00.000Z');
const T1 = new Date('2025-11-14T06:01:00.000Z');
const T2 = new Date('2025-11-14T06:02:00.000Z');
const DAY = '2025-11-14';

const PLAN = [
  { subscriberId: 1, email: 'r1@example.org', segmentId: 'en.llm' },
  { subscriberId: 2, email: 'r2@example.org', segmentId: 'en.llm' },
  { subscriberId: 3, email: 'r3@example.org', segmentId: 'en.llm' },
];
const CLAIM = { transport: 'smtp', batchNo: 1, idempotencyKey: 'paperboy/2025-11-14/batch/1/abc' };

describeStore('store/deliveries', (store) => {
  beforeEach(async () => {
    db = store.db;
    await upsertSubscribers(
      db,
      [1, 2, 3, 4, 5].map((i) => ({ email: `r${i}@example.org`, name: null, topics: ['llm'], language: 'en' as const })),
      T0,
    );
  });

  describe('deliveries ledger', () => {
    it('plans one row per reader; planning again adds nothing and resets nothing', async () => {
      expect(await planDeliveries(db, DAY, PLAN, T0)).toBe(3);
      await markDelivery(db, DAY, 1, { status: 'sending', transport: 'outbox' }, T1);
      await markDelivery(db, DAY, 1, { status: 'sent', messageId: '<1@paperboy>' }, T1);

      expect(await planDeliveries(db, DAY, [...PLAN, { subscriberId: 1, email: 'changed@example.org', segmentId: 'x' }], T2)).toBe(0);
      const rows = await listDeliveries(db, DAY);
      expect(rows).toHaveLength(3);
      expect(rows[0]).toEqual({
        batchDate: DAY,
        subscriberId: 1,
        segmentId: 'en.llm',
        email: 'r1@example.org',
        status: 'sent',
        attempts: 1,
        messageId: '<1@paperboy>',
        transport: 'outbox',
        lastError: null,
        createdAt: T0.toISOString(),
        updatedAt: T1.toISOString(),
        batchNo: null,
        idempotencyKey: null,
        failureKind: null,
        sentAt: null,
        claimedAt: null,
      });
      // Another day is another issue.
      expect(await planDeliveries(db, '2025-11-17', PLAN.slice(0, 1), T2)).toBe(1);
    });

    it('counts an attempt each time a row moves to sending, and keeps the last error until cleared', async () => {
      await planDeliveries(db, DAY, PLAN, T0);
      await markDelivery(db, DAY, 2, { status: 'sending', transport: 'smtp' }, T1);
      await markDelivery(db, DAY, 2, { status: 'failed', lastError: '451 try again later' }, T1);
      await markDelivery(db, DAY, 2, { status: 'sending' }, T2);
      let [row] = await listDeliveries(db, DAY, { status: 'sending' });
      expect(row).toMatchObject({ subscriberId: 2, attempts: 2, lastError: '451 try again later', transport: 'smtp' });
      await markDelivery(db, DAY, 2, { status: 'sent', messageId: 'abc', lastError: null }, T2);
      [row] = await listDeliveries(db, DAY, { status: 'sent' });
      expect(row).toMatchObject({ subscriberId: 2, attempts: 2, lastError: null, messageId: 'abc', updatedAt: T2.toISOString() });
    });

    it('claims a row only from the given states', async () => {
      await planDeliveries(db, DAY, PLAN, T0);
      expect(await markDelivery(db, DAY, 3, { status: 'sending', from: ['planned', 'failed'] }, T1)).toBe(true);
      // A second worker (or a re-run) cannot claim it again.
      expect(await markDelivery(db, DAY, 3, { status: 'sending', from: ['planned', 'failed'] }, T1)).toBe(false);
      expect((await listDeliveries(db, DAY, { status: 'sending' }))[0]?.attempts).toBe(1);
    });

    it('throws when the row is not in the ledger', async () => {
      await planDeliveries(db, DAY, PLAN, T0);
      await expect(markDelivery(db, DAY, 42, { status: 'sent' }, T1)).rejects.toBeInstanceOf(StoreError);
      await expect(markDelivery(db, '2025-11-17', 1, { status: 'sending', from: ['planned'] }, T1)).rejects.toThrow(
        /no delivery of 2025-11-17 to subscriber 1/,
      );
    });

    it('lists by one or several states and counts every state of a day', async () => {
      await planDeliveries(db, DAY, PLAN, T0);
      await markDelivery(db, DAY, 1, { status: 'sent' }, T1);
      await markDelivery(db, DAY, 2, { status: 'unknown' }, T1);
      expect((await listDeliveries(db, DAY, { status: ['planned', 'unknown'] })).map((d) => d.subscriberId)).toEqual([2, 3]);
      expect(await listDeliveries(db, DAY, { status: [] })).toEqual([]);
      expect(await deliveryCounts(db, DAY)).toEqual({
        planned: 1,
        sending: 0,
        sent: 1,
        failed: 0,
        bounced: 0,
        unknown: 1,
        skipped: 0,
      });
      expect(Object.values(await deliveryCounts(db, '2025-11-17')).every((n) => n === 0)).toBe(true);
    });

    it('refuses a ledger row for a reader who does not exist', async () => {
      await expect(planDeliveries(db, DAY, [{ subscriberId: 99, email: 'x@example.org', segmentId: 's' }], T0)).rejects.toThrow(
        /FOREIGN KEY|foreign key/,
      );
    });
  });

  describe('the sending protocol', () => {
    it('claims rows in one step (planned → sending with batch and key) and never twice', async () => {
      await planDeliveries(db, DAY, PLAN, T0);
      expect(await claimDeliveries(db, DAY, [3, 1], { ...CLAIM, from: ['planned'] }, T1)).toEqual([1, 3]);
      expect(await claimDeliveries(db, DAY, [1, 2, 3], { ...CLAIM, batchNo: 2, from: ['planned'] }, T1)).toEqual([2]);
      const rows = await listDeliveries(db, DAY);
      expect(rows.map((r) => [r.subscriberId, r.status, r.batchNo, r.attempts])).toEqual([
        [1, 'sending', 1, 1],
        [2, 'sending', 2, 1],
        [3, 'sending', 1, 1],
      ]);
      expect(rows[0]).toMatchObject({ transport: 'smtp', idempotencyKey: CLAIM.idempotencyKey });
    });

    it('repeats an uncertain claim whole, a reader who left since included, when asked to', async () => {
      await planDeliveries(db, DAY, PLAN, T0);
      await claimDeliveries(db, DAY, [1, 2], { ...CLAIM, from: ['planned'] }, T0);
      await markInterruptedSends(db, DAY, T1);
      await setSubscriberStatus(db, 2, 'unsubscribed', T1);
      expect(await claimDeliveries(db, DAY, [1, 2], { ...CLAIM, from: ['unknown'] }, T2)).toEqual([1]);
      await markInterruptedSends(db, DAY, T2);
      expect(await claimDeliveries(db, DAY, [1, 2], { ...CLAIM, from: ['unknown'], activeOnly: false }, T2)).toEqual([1, 2]);
    });

    it('claims only rows of active readers, and only transient failures among failed rows', async () => {
      await planDeliveries(db, DAY, [...PLAN, { subscriberId: 4, email: 'r4@example.org', segmentId: 'en.llm' }], T0);
      await claimDeliveries(db, DAY, [1, 2], { ...CLAIM, from: ['planned'] }, T1);
      await recordOutcomes(
        db,
        DAY,
        [
          { subscriberId: 1, status: 'failed', error: '451 later', kind: 'transient' },
          { subscriberId: 2, status: 'failed', error: '552 too big', kind: 'permanent' },
        ],
        T1,
      );
      await setSubscriberStatus(db, 4, 'unsubscribed', T1);
      const claimed = await claimDeliveries(db, DAY, [1, 2, 3, 4], { ...CLAIM, batchNo: 2, from: ['planned', 'failed'] }, T2);
      expect(claimed).toEqual([1, 3]);
    });

    it('records a claim’s outcomes in one go: ids, errors, kinds, sent time; bounces suppress the reader', async () => {
      await planDeliveries(db, DAY, [...PLAN, { subscriberId: 4, email: 'r4@example.org', segmentId: 'en.llm' }], T0);
      await claimDeliveries(db, DAY, [1, 2, 3, 4], { ...CLAIM, from: ['planned'] }, T1);
      await recordOutcomes(
        db,
        DAY,
        [
          { subscriberId: 1, status: 'sent', messageId: 're_1' },
          { subscriberId: 2, status: 'sent', messageId: "it's re_2" },
          { subscriberId: 3, status: 'bounced', error: '550 5.1.1 no such user' },
          { subscriberId: 4, status: 'unknown', error: 'connection lost after DATA' },
        ],
        T2,
      );
      const rows = await listDeliveries(db, DAY);
      expect(rows.map((r) => [r.status, r.messageId, r.lastError, r.failureKind])).toEqual([
        ['sent', 're_1', null, null],
        ['sent', "it's re_2", null, null],
        ['bounced', null, '550 5.1.1 no such user', null],
        ['unknown', null, 'connection lost after DATA', null],
      ]);
      expect(rows[0]?.sentAt).toBe(T2.toISOString());
      expect((await findSubscriber(db, { id: 3 }))?.status).toBe('bounced');
      expect((await findSubscriber(db, { id: 4 }))?.status).toBe('active');
      // A settled claim is settled once: a late, second report changes nothing.
      await recordOutcomes(db, DAY, [{ subscriberId: 1, status: 'failed', error: 'late', kind: 'transient' }], T2);
      expect((await listDeliveries(db, DAY, { status: 'sent' })).map((r) => r.subscriberId)).toEqual([1, 2]);
    });

    it('records a claim of more rows than one statement takes', async () => {
      const many = Array.from({ length: 450 }, (_, i) => ({ email: `m${i}@example.org`, name: null, topics: ['llm'], language: 'en' as const }));
      await upsertSubscribers(db, many, T0);
      const plan = many.map((_, i) => ({ subscriberId: i + 6, email: `m${i}@example.org`, segmentId: 'en.llm' }));
      await planDeliveries(db, DAY, plan, T0);
      const ids = plan.map((p) => p.subscriberId);
      expect(await claimDeliveries(db, DAY, ids, { ...CLAIM, from: ['planned'] }, T1)).toHaveLength(450);
      await recordOutcomes(db, DAY, ids.map((id) => ({ subscriberId: id, status: 'sent' as const, messageId: `id-${id}` })), T2);
      const sent = await listDeliveries(db, DAY, { status: 'sent' });
      expect(sent).toHaveLength(450);
      expect(sent.every((r) => r.messageId === `id-${r.subscriberId}`)).toBe(true);
    });

    it('settles a claim in one UPDATE per kind of outcome, not one per row', async () => {
      const many = Array.from({ length: 120 }, (_, i) => ({ email: `b${i}@example.org`, name: null, topics: ['llm'], language: 'en' as const }));
      await upsertSubscribers(db, many, T0);
      const ids = many.map((_, i) => i + 6);
      await planDeliveries(db, DAY, ids.map((id, i) => ({ subscriberId: id, email: `b${i}@example.org`, segmentId: 'en.llm' })), T0);
      await claimDeliveries(db, DAY, ids, { ...CLAIM, from: ['planned'] }, T1);
      const statements: string[] = [];
      const watched = db.withPlugin({
        transformQuery: (args) => (statements.push(args.node.kind), args.node),
        transformResult: async (args) => args.result,
      });
      // 100 sent: one statement.
      await recordOutcomes(watched, DAY, ids.slice(0, 100).map((id) => ({ subscriberId: id, status: 'sent' as const, messageId: `id-${id}` })), T2);
      expect(statements).toEqual(['UpdateQueryNode']);
      statements.length = 0;
      // 20 of three kinds: one statement per kind.
      const rest = ids.slice(100).map((id, i) =>
        i % 3 === 0
          ? { subscriberId: id, status: 'sent' as const, messageId: `id-${id}` }
          : i % 3 === 1
            ? { subscriberId: id, status: 'unknown' as const, error: 'lost' }
            : { subscriberId: id, status: 'failed' as const, error: '451', kind: 'transient' as const },
      );
      await recordOutcomes(watched, DAY, rest, T2);
      expect(statements.filter((k) => k === 'UpdateQueryNode')).toHaveLength(3);
      const rows = await listDeliveries(db, DAY);
      expect(rows.filter((r) => r.status === 'sent')).toHaveLength(107);
      expect(rows.filter((r) => r.status === 'unknown')).toHaveLength(7);
      expect(rows.filter((r) => r.status === 'failed' && r.failureKind === 'transient')).toHaveLength(6);
    });

    it('turns rows a dead run left in sending into unknown, and groups uncertain claims by key', async () => {
      await planDeliveries(db, DAY, [...PLAN, { subscriberId: 4, email: 'r4@example.org', segmentId: 'zh.llm' }], T0);
      await claimDeliveries(db, DAY, [1, 2], { ...CLAIM, transport: 'resend', from: ['planned'] }, T1);
      await claimDeliveries(db, DAY, [3], { ...CLAIM, transport: 'resend', batchNo: 2, idempotencyKey: 'k2', from: ['planned'] }, T1);
      await claimDeliveries(db, DAY, [4], { ...CLAIM, transport: 'resend', batchNo: 3, idempotencyKey: 'k3', from: ['planned'] }, T1);
      expect(await markInterruptedSends(db, DAY, T2)).toBe(4);
      expect(await markInterruptedSends(db, DAY, T2)).toBe(0);
      const claims = await uncertainClaims(db, DAY, { segmentId: 'en.llm', transport: 'resend' });
      expect(claims.map((c) => [c.batchNo, c.idempotencyKey, c.rows.map((r) => r.subscriberId)])).toEqual([
        [2, 'k2', [3]],
        [1, CLAIM.idempotencyKey, [1, 2]],
      ]);
      expect(await uncertainClaims(db, DAY, { segmentId: 'en.llm', transport: 'smtp' })).toEqual([]);
      // Only claims made since a time (a provider forgets keys).
      expect(await uncertainClaims(db, DAY, { segmentId: 'en.llm', transport: 'resend', claimedSince: T2.toISOString() })).toEqual([]);
      // The same rows claimed again from `unknown`, under the same key: the key keeps its first use time.
      expect(await claimDeliveries(db, DAY, [1, 2], { ...CLAIM, transport: 'resend', from: ['unknown'] }, T2)).toEqual([1, 2]);
      expect((await listDeliveries(db, DAY, { status: 'sending' })).map((r) => r.claimedAt)).toEqual([T1.toISOString(), T1.toISOString()]);
    });

    it('pages a segment’s sendable rows in subscriber order', async () => {
      await planDeliveries(
        db,
        DAY,
        [...PLAN, { subscriberId: 4, email: 'r4@example.org', segmentId: 'zh.llm' }, { subscriberId: 5, email: 'r5@example.org', segmentId: 'en.llm' }],
        T0,
      );
      await claimDeliveries(db, DAY, [2, 3], { ...CLAIM, from: ['planned'] }, T1);
      await recordOutcomes(
        db,
        DAY,
        [
          { subscriberId: 2, status: 'failed', error: '451', kind: 'transient' },
          { subscriberId: 3, status: 'failed', error: '552', kind: 'permanent' },
        ],
        T1,
      );
      const page = (after: number, limit: number) =>
        pendingDeliveries(db, DAY, { segmentId: 'en.llm', statuses: ['planned', 'failed'], after, limit });
      expect((await page(0, 2)).map((r) => [r.subscriberId, r.status])).toEqual([
        [1, 'planned'],
        [2, 'failed'],
      ]);
      expect((await page(2, 2)).map((r) => r.subscriberId)).toEqual([5]);
      expect(await pendingDeliveries(db, DAY, { segmentId: 'en.llm', statuses: [], after: 0, limit: 10 })).toEqual([]);
    });

    it('skips rows of readers who left since the audience was frozen, with the reason', async () => {
      await planDeliveries(db, DAY, PLAN, T0);
      await setSubscriberStatus(db, 2, 'unsubscribed', T1);
      await setSubscriberStatus(db, 3, 'complained', T1);
      const skipped = await skipInactiveReaders(db, DAY, [1, 2, 3], ['planned', 'failed'], T2);
      expect(skipped.sort((a, b) => a.subscriberId - b.subscriberId)).toEqual([
        { subscriberId: 2, status: 'unsubscribed' },
        { subscriberId: 3, status: 'complained' },
      ]);
      const rows = await listDeliveries(db, DAY);
      expect(rows.map((r) => [r.status, r.lastError])).toEqual([
        ['planned', null],
        ['skipped', 'the reader is unsubscribed now'],
        ['skipped', 'the reader is complained now'],
      ]);
    });

    it('summarizes the ledger: transient failures and unknowns by transport, and whether anything is left', async () => {
      await planDeliveries(db, DAY, PLAN, T0);
      await claimDeliveries(db, DAY, [1, 2, 3], { ...CLAIM, from: ['planned'] }, T1);
      await recordOutcomes(
        db,
        DAY,
        [
          { subscriberId: 1, status: 'sent', messageId: null },
          { subscriberId: 2, status: 'failed', error: '451', kind: 'transient' },
          { subscriberId: 3, status: 'unknown', error: 'lost' },
        ],
        T1,
      );
      let summary = await summarizeLedger(db, DAY);
      expect(summary).toMatchObject({ failedTransient: 1, unknownByTransport: { smtp: 1 }, total: 3 });
      expect(summary.counts).toMatchObject({ sent: 1, failed: 1, unknown: 1 });
      expect(nothingResendable(summary)).toBe(false);
      expect(nothingDue(summary)).toBe(false);
      await claimDeliveries(db, DAY, [2], { ...CLAIM, batchNo: 2, from: ['failed'] }, T2);
      await recordOutcomes(db, DAY, [{ subscriberId: 2, status: 'failed', error: '550', kind: 'permanent' }], T2);
      await markDelivery(db, DAY, 3, { status: 'sent' }, T2);
      summary = await summarizeLedger(db, DAY);
      expect(nothingResendable(summary)).toBe(true);
      expect(nothingDue(summary)).toBe(true);
    });
  });
});

// The two "done" questions differ only in `unknown` rows: a plain run does not send them again, --resend-unknown does.
describe('nothingDue and nothingResendable', () => {
  const summary = (counts: Partial<LedgerSummary['counts']>, failedTransient = 0): LedgerSummary => ({
    counts: { planned: 0, sending: 0, sent: 0, failed: 0, bounced: 0, unknown: 0, skipped: 0, ...counts },
    failedTransient,
    unknownByTransport: {},
    total: 0,
  });
  it.each([
    ['all sent', summary({ sent: 3 }), true, true],
    ['a planned row', summary({ sent: 2, planned: 1 }), false, false],
    ['a row in flight', summary({ sending: 1 }), false, false],
    ['a transient failure', summary({ failed: 1 }, 1), false, false],
    ['a permanent failure', summary({ sent: 1, failed: 1 }), true, true],
    ['an unknown row', summary({ sent: 2, unknown: 1 }), true, false],
  ])('%s: nothing due %s, nothing resendable %s', (_, ledger, due, resendable) => {
    expect(nothingDue(ledger)).toBe(due);
    expect(nothingResendable(ledger)).toBe(resendable);
  });
});
