import { describe, expect, it } from 'vitest';
import { claimRules, createClaimQueue, idempotencyKeyOf, reclaimRetries, reclaimUncertain, type Claim, type ClaimQueueOptions } from '../../src/deliver/claim-queue.ts';
import type { Ledger } from '../../src/deliver/ledger.ts';
import type { ClaimSpec, PendingDelivery, SendableStatus } from '../../src/store/deliveries.ts';

// Where claims come from, against a ledger held in memory: the read-ahead queue (pages, claim numbers, readers
// who left), an unknown claim repeated exactly, and retries claimed afresh.

const DAY = '2025-11-14';
const NOW = new Date('2025-11-14T06:00:00.000Z');

interface Row extends PendingDelivery {
  segmentId: string;
  active: boolean;
}

/** A ledger of rows in memory that keeps a log of the calls made to it. */
function memoryLedger(rows: Row[]) {
  const log: string[] = [];
  const claims: Array<{ ids: number[]; spec: ClaimSpec }> = [];
  let lastBatch = 0;
  const sendable = (r: Row, from: readonly SendableStatus[]) => (from as readonly string[]).includes(r.status);
  const ledger: Ledger = {
    markInterrupted: async () => 0,
    summarize: async () => {
      throw new Error('not used by the claim queue');
    },
    countUnknown: async () => 0,
    uncertainClaims: async () => [],
    async pending({ segmentId, statuses, after, limit }) {
      log.push(`page after ${after}`);
      return rows.filter((r) => r.segmentId === segmentId && r.subscriberId > after && sendable(r, statuses)).slice(0, limit);
    },
    async skipInactive(ids, from) {
      log.push(`skip? ${ids.join(',')}`);
      const gone = rows.filter((r) => ids.includes(r.subscriberId) && !r.active && sendable(r, from));
      for (const r of gone) r.status = 'skipped';
      return gone.map((r) => r.subscriberId);
    },
    async reserveBatchNumbers(count) {
      log.push(`reserve ${count}`);
      lastBatch += count;
      return lastBatch - count + 1;
    },
    async claim(ids, spec) {
      claims.push({ ids: [...ids], spec });
      const claimed = rows.filter((r) => ids.includes(r.subscriberId) && sendable(r, spec.from) && (r.active || spec.activeOnly === false));
      for (const r of claimed) r.status = 'sending';
      return claimed.map((r) => r.subscriberId);
    },
    settle: async () => {},
  };
  return { ledger, log, claims };
}

const reader = (id: number, extra: Partial<Row> = {}): Row => ({
  subscriberId: id,
  email: `r${id}@example.org`,
  status: 'planned',
  attempts: 0,
  transport: null,
  batchNo: null,
  idempotencyKey: null,
  segmentId: 'en.llm',
  active: true,
  ...extra,
});

function queue(ledger: Ledger, extra: Partial<ClaimQueueOptions> = {}) {
  const skipped: number[] = [];
  const next = createClaimQueue({
    ledger,
    batchDate: DAY,
    segmentId: 'en.llm',
    transport: 'smtp',
    statuses: ['planned', 'failed'],
    eligible: () => true,
    batchSize: 2,
    pageSize: 5,
    clock: () => NOW,
    running: () => true,
    onSkipped: (n) => skipped.push(n),
    ...extra,
  });
  return { next, skipped };
}

async function drain(next: () => Promise<Claim | null>): Promise<Claim[]> {
  const claims: Claim[] = [];
  for (let claim = await next(); claim; claim = await next()) claims.push(claim);
  return claims;
}

const idsOf = (claim: Claim) => claim.rows.map((r) => r.subscriberId);

describe('claimRules', () => {
  const unknownRow = (transport: string | null) => reader(1, { status: 'unknown', transport });
  it.each([
    /** transport behaviour, resendUnknown → statuses claimed; which unknown rows are sent (left by smtp, by outbox) */
    ['duplicate', false, ['planned', 'failed'], [false, false]],
    ['duplicate', true, ['planned', 'failed', 'unknown'], [true, true]],
    ['overwrite', false, ['planned', 'failed', 'unknown'], [false, true]],
    ['same-key', false, ['planned', 'failed'], [false, false]],
    ['same-key', true, ['planned', 'failed', 'unknown'], [true, true]],
  ] as const)('%s, resendUnknown %s → %j', (resend, resendUnknown, statuses, unknownSent) => {
    const rules = claimRules({ name: 'outbox', maxBatch: 100, resend }, { batchSize: 10, resendUnknown });
    expect(rules.statuses).toEqual(statuses);
    expect([rules.eligible(unknownRow('smtp')), rules.eligible(unknownRow('outbox'))]).toEqual(unknownSent);
    expect(rules.eligible(reader(2))).toBe(true);
  });

  it.each([
    // batchSize, transport maxBatch → claim size, page size
    [250, 100, 100, 250],
    [10, 100, 10, 10],
    [50, 1, 1, 50],
    [0, 100, 1, 1],
  ])('batchSize %i with a transport taking %i: claims of %i, pages of %i', (batchSize, maxBatch, claim, page) => {
    const rules = claimRules({ name: 'smtp', maxBatch, resend: 'duplicate' }, { batchSize, resendUnknown: false });
    expect([rules.batchSize, rules.pageSize]).toEqual([claim, page]);
  });
});

describe('createClaimQueue', () => {
  it('cuts pages into claims of batchSize, reserving the claim numbers once per page, each claim under its own key', async () => {
    const { ledger, log, claims } = memoryLedger(Array.from({ length: 7 }, (_, i) => reader(i + 1)));
    const { next } = queue(ledger);
    const got = await drain(next);
    expect(got.map(idsOf)).toEqual([[1, 2], [3, 4], [5], [6, 7]]);
    expect(got.map((c) => c.batchNo)).toEqual([1, 2, 3, 4]);
    expect(got.every((c) => !c.resolving)).toBe(true);
    expect(got[0]!.key).toBe(idempotencyKeyOf(DAY, 1, [1, 2]));
    expect(claims[0]!.spec).toEqual({ from: ['planned', 'failed'], transport: 'smtp', batchNo: 1, idempotencyKey: got[0]!.key });
    // Page 1 (5 rows → 3 claims) and page 2 (2 rows, short: the last page) each cost one reservation.
    expect(log.filter((l) => l.startsWith('reserve') || l.startsWith('page'))).toEqual(['page after 0', 'reserve 3', 'page after 5', 'reserve 1']);
  });

  it('skips readers who left before they are claimed, and leaves ineligible rows and unknown rows alone', async () => {
    const rows = [
      reader(1),
      reader(2, { active: false }),
      reader(3, { status: 'unknown' }),
      reader(4),
      reader(5),
      reader(6, { status: 'unknown', active: false }),
    ];
    const { ledger, log } = memoryLedger(rows);
    const { next, skipped } = queue(ledger, { statuses: ['planned', 'failed', 'unknown'], eligible: (r) => r.subscriberId !== 5, pageSize: 10 });
    const got = await drain(next);
    expect(got.map(idsOf)).toEqual([[1, 3], [4]]);
    expect(log).toContain('skip? 1,2,4');
    expect(skipped).toEqual([1]);
    // An unknown row is never suppressed (its reader may have the mail already): a gone reader's stays unknown.
    expect(rows.map((r) => r.status)).toEqual(['sending', 'skipped', 'sending', 'sending', 'planned', 'unknown']);
  });

  it('skips a reader who left between the read and the claim, and claims on', async () => {
    const rows = [reader(1), reader(2), reader(3)];
    const { ledger } = memoryLedger(rows);
    const { next, skipped } = queue(ledger);
    const first = await next();
    expect(idsOf(first!)).toEqual([1, 2]);
    rows[2]!.active = false;
    expect(await next()).toBeNull();
    expect(rows[2]!.status).toBe('skipped');
    expect(skipped).toEqual([1]);
  });

  it('hands concurrent callers distinct claims, one after another', async () => {
    const { ledger } = memoryLedger(Array.from({ length: 9 }, (_, i) => reader(i + 1)));
    const { next } = queue(ledger);
    const got = await Promise.all([next(), next(), next(), next(), next(), next()]);
    expect(got.map((c) => (c ? idsOf(c) : null))).toEqual([[1, 2], [3, 4], [5], [6, 7], [8, 9], null]);
  });

  it('claims nothing once the run stopped', async () => {
    const { ledger, claims } = memoryLedger([reader(1), reader(2), reader(3)]);
    let running = true;
    const { next } = queue(ledger, { running: () => running });
    expect(await next()).not.toBeNull();
    running = false;
    expect(await next()).toBeNull();
    expect(claims).toHaveLength(1);
  });

  it('goes on after a failed claim: the queue is not stuck behind the error', async () => {
    const { ledger } = memoryLedger([reader(1), reader(2), reader(3)]);
    let fail = true;
    const claim = ledger.claim.bind(ledger);
    ledger.claim = async (ids, spec, now) => {
      if (fail) {
        fail = false;
        throw new Error('database is locked');
      }
      return claim(ids, spec, now);
    };
    const { next } = queue(ledger);
    await expect(next()).rejects.toThrow(/locked/);
    expect(idsOf((await next())!)).toEqual([3]);
  });
});

describe('reclaimUncertain', () => {
  it('claims an unknown claim again with its rows, number and key, readers who left included', async () => {
    const rows = [reader(1, { status: 'unknown', active: false }), reader(2, { status: 'unknown' }), reader(3, { status: 'sent' })];
    const { ledger, claims } = memoryLedger(rows);
    const uncertain = { batchNo: 7, idempotencyKey: 'k7', rows: rows.map(({ segmentId: _s, active: _a, ...r }) => r) };
    const claim = await reclaimUncertain(ledger, uncertain, 'resend', NOW);
    expect(claim).toMatchObject({ batchNo: 7, key: 'k7', resolving: true });
    expect(idsOf(claim!)).toEqual([1, 2]);
    expect(claims[0]!.spec).toEqual({ from: ['unknown'], transport: 'resend', batchNo: 7, idempotencyKey: 'k7', activeOnly: false });
    expect(await reclaimUncertain(ledger, uncertain, 'resend', NOW)).toBeNull();
  });
});

describe('reclaimRetries', () => {
  it('claims parked retries afresh under a new number and key; readers who left are skipped, rows another sender took are its own', async () => {
    const rows = [
      reader(1, { status: 'failed' }),
      reader(2, { status: 'failed', active: false }),
      reader(3, { status: 'failed' }),
      // Parked here, then claimed and sent by another sender of the shared issue during the wait.
      reader(4, { status: 'sent' }),
    ];
    const { ledger, claims } = memoryLedger(rows);
    const retries = rows.map((row) => ({ row, tag: row.subscriberId }));
    const again = await reclaimRetries(ledger, DAY, 'smtp', retries, () => NOW);
    expect(again.batchNo).toBe(1);
    expect(again.key).toBe(idempotencyKeyOf(DAY, 1, [1, 2, 3, 4]));
    expect(again.claimed.map((r) => r.tag)).toEqual([1, 3]);
    expect(again.skipped.map((r) => r.tag)).toEqual([2]);
    expect(again.elsewhere.map((r) => r.tag)).toEqual([4]);
    expect(rows[1]!.status).toBe('skipped');
    expect(claims[0]!.spec).toEqual({ from: ['failed'], transport: 'smtp', batchNo: 1, idempotencyKey: again.key });
  });
});
