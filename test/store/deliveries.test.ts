import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';
import { deliveryCounts, listDeliveries, markDelivery, planDeliveries } from '../../src/store/deliveries.ts';
import type { Database } from '../../src/store/schema.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { upsertSubscribers } from '../../src/store/subscribers.ts';

let dir: string;
let db: Kysely<Database>;
const T0 = new Date('2025-11-14T06:00:00.000Z');
const T1 = new Date('2025-11-14T06:01:00.000Z');
const T2 = new Date('2025-11-14T06:02:00.000Z');
const DAY = '2025-11-14';

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'paperboy-deliveries-'));
  db = await openDatabase({ file: join(dir, 'store.db') });
  await upsertSubscribers(
    db,
    [1, 2, 3].map((i) => ({ email: `r${i}@example.org`, name: null, topics: ['llm'], language: 'en' as const })),
    T0,
  );
});
afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const PLAN = [
  { subscriberId: 1, email: 'r1@example.org', segmentId: 'en.llm' },
  { subscriberId: 2, email: 'r2@example.org', segmentId: 'en.llm' },
  { subscriberId: 3, email: 'r3@example.org', segmentId: 'en.llm' },
];

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
      /FOREIGN KEY/,
    );
  });
});
