import type { Kysely } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { idempotencyKeyOf, keyPrefixOf } from '../../src/deliver/claim-queue.ts';
import { prepareIssue } from '../../src/deliver/prepare-issue.ts';
import { sendIssue, type SendPolicy } from '../../src/deliver/send-issue.ts';
import type { MailJob, MailTransport, ResendBehaviour, SendContext, SendOutcome } from '../../src/deliver/transport.ts';
import { READER_PLACEHOLDERS } from '../../src/render/render-issue.ts';
import { claimSlice, listDeliveries, markInterruptedSends, type ClaimSpec, type SliceSpec } from '../../src/store/deliveries.ts';
import { openDeliveryLedger } from '../../src/store/delivery-ledger.ts';
import { nextBatchNumber } from '../../src/store/issues.ts';
import { senderLeaseName, tryAcquireLock } from '../../src/store/run-locks.ts';
import type { Database } from '../../src/store/schema.ts';
import { upsertSubscribers } from '../../src/store/subscribers.ts';
import { notePostgresSkipped, PG_URL, useTestDatabase } from '../support/test-databases.ts';

// Several senders, one issue (PostgreSQL only: SQLite keeps one run per issue). Senders in one test process stand
// for processes on several machines: each has its own name (`host/pid/nonce`) and, where the test needs it, a lease
// row; the database is the only thing they share.

const DAY = '2025-11-14';
const T0 = new Date('2025-11-14T06:00:00.000Z');
const SECRET = 'shared-senders-secret-0123456789abcdef0123456789';
const MAIL = {
  subject: 'arXiv digest 14 Nov 2025',
  preheader: '',
  html: `<p>Hello ${READER_PLACEHOLDERS.email}</p><a href="${READER_PLACEHOLDERS.unsubscribeUrl}">unsubscribe</a>`,
  text: `Hello ${READER_PLACEHOLDERS.email}\nunsubscribe: ${READER_PLACEHOLDERS.unsubscribeUrl}\n`,
};
const POLICY: SendPolicy = {
  batchSize: 10,
  workers: 2,
  attempts: 2,
  baseDelayMs: 5,
  maxDelayMs: 20,
  stopAfterFailedBatches: 0,
  resendUnknown: false,
};
// Other machines: never "provably dead" by a pid check on this one, so only their lease decides.
const A = 'host-a.example/101/aaaa0001';
const B = 'host-b.example/202/bbbb0002';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One provider shared by the senders: what it delivered (by reader) and which keys it has answered. */
function provider(resend: ResendBehaviour) {
  const delivered: number[] = [];
  const answered = new Map<string, SendOutcome[]>();
  const keys: string[] = [];
  const transport = (callMs: number): MailTransport => ({
    name: resend === 'same-key' ? 'resend' : 'smtp',
    maxBatch: 100,
    resend,
    ...(resend === 'same-key' ? { keyLifetimeMs: 24 * 3_600_000 } : {}),
    async send(mails: MailJob[], context: SendContext) {
      keys.push(context.idempotencyKey);
      await pause(callMs);
      const earlier = resend === 'same-key' ? answered.get(context.idempotencyKey) : undefined;
      if (earlier) return earlier;
      const outcomes = mails.map((m) => ({ status: 'sent' as const, providerId: `p-${m.subscriberId}` }));
      for (const m of mails) delivered.push(m.subscriberId);
      answered.set(context.idempotencyKey, outcomes);
      return outcomes;
    },
    async close() {},
  });
  return { transport, delivered, keys };
}

/**
 * The transports, each of whose calls waits until every one of them has been called once (for at most 10 s, so a
 * sender that never gets a row fails the test's counts instead of hanging it).
 */
function meetingTransports(transports: MailTransport[]): MailTransport[] {
  const arrived = new Set<number>();
  let allArrived!: () => void;
  const met = new Promise<void>((resolve) => (allArrived = resolve));
  return transports.map((inner, i) => ({
    ...inner,
    async send(mails: MailJob[], context: SendContext) {
      arrived.add(i);
      if (arrived.size === transports.length) allArrived();
      await Promise.race([met, pause(10_000)]);
      return inner.send(mails, context);
    },
  }));
}

let db: Kysely<Database>;

function senderContext(owner: string) {
  return {
    db,
    from: 'paperboy <digest@example.org>',
    publicBaseUrl: 'https://digest.example.org',
    secret: SECRET,
    clock: () => new Date(),
    sleep: pause,
    sender: { owner, pollMs: 20 },
  };
}

const segments = [
  { segmentId: 'en.llm', mail: async () => MAIL },
  { segmentId: 'zh.vision', mail: async () => ({ ...MAIL, subject: '日报' }) },
];

async function seed(readers: number) {
  await upsertSubscribers(
    db,
    Array.from({ length: readers }, (_, i) => ({
      email: `reader${i + 1}@example.org`,
      name: null,
      topics: i % 3 === 0 ? ['vision'] : ['llm'],
      language: i % 3 === 0 ? ('zh' as const) : ('en' as const),
    })),
    T0,
  );
  await prepareIssue(db, DAY, ['llm', 'vision'], T0);
}

/** A lease row of `owner` that nobody renews: it lapses `ttlMs` from now, as a killed sender's does. */
async function abandonedLease(owner: string, ttlMs: number) {
  expect((await tryAcquireLock(db, senderLeaseName(DAY, owner), owner, { now: new Date(), ttlMs })).acquired).toBe(true);
}

/** `owner` claims `ids` (as a sender would, before its provider call) and then dies. */
async function claimAndDie(owner: string, ids: number[], transport: string) {
  const batchNo = await nextBatchNumber(db, DAY, new Date());
  const spec: ClaimSpec = { from: ['planned'], transport, batchNo, idempotencyKey: `paperboy/${DAY}/batch/${batchNo}/dead`, claimedBy: owner };
  const ledger = openDeliveryLedger(db, DAY, owner);
  expect(await ledger.claim(ids, spec, new Date())).toEqual(ids);
}

const copiesOf = (delivered: readonly number[]) => {
  const copies = new Map<number, number>();
  for (const id of delivered) copies.set(id, (copies.get(id) ?? 0) + 1);
  return copies;
};

describe.runIf(PG_URL)('deliver/shared-senders on postgres', () => {
  const store = useTestDatabase('postgres');
  beforeEach(() => {
    db = store.db;
  });

  it('claimSlice passes over rows another sender is claiming (SKIP LOCKED) instead of waiting for them', async () => {
    await seed(60);
    let batchNo = 0;
    const claimOf = (owner: string): SliceSpec => {
      batchNo += 1;
      return { from: ['planned'], transport: 'smtp', batchNo, keyPrefix: keyPrefixOf(DAY, batchNo), claimedBy: owner };
    };
    const page = { segmentId: 'en.llm', statuses: ['planned'] as const, after: 0, limit: 10 };
    let inside: number[] = [];
    // Sender A's claim is held open (its transaction has locked its rows) while sender B claims.
    await db.transaction().execute(async (trx) => {
      const locked = await trx
        .selectFrom('deliveries')
        .select('subscriber_id')
        .where('batch_date', '=', DAY)
        .where('segment_id', '=', 'en.llm')
        .orderBy('subscriber_id')
        .limit(10)
        .forUpdate()
        .execute();
      const lockedIds = locked.map((r) => Number(r.subscriber_id));
      const slice = await claimSlice(db, DAY, page, claimOf(B), new Date());
      inside = slice.rows.map((r) => r.subscriberId);
      expect(inside).toHaveLength(10);
      expect(inside.filter((id) => lockedIds.includes(id))).toEqual([]);
      expect(Math.min(...inside)).toBeGreaterThan(Math.max(...lockedIds));
    });
    // Two claims at once take disjoint rows, and a row once claimed is no longer free.
    const [specX, specY] = [claimOf(A), claimOf(B)];
    const [x, y] = await Promise.all([claimSlice(db, DAY, page, specX, new Date()), claimSlice(db, DAY, page, specY, new Date())]);
    const xs = x.rows.map((r) => r.subscriberId);
    const ys = y.rows.map((r) => r.subscriberId);
    expect(xs).toHaveLength(10);
    expect(ys).toHaveLength(10);
    expect([...xs, ...ys, ...inside].length).toBe(new Set([...xs, ...ys, ...inside]).size);
    const rows = await listDeliveries(db, DAY, { status: 'sending' });
    expect(rows).toHaveLength(30);
    const owners = await db.selectFrom('deliveries').select(['subscriber_id', 'claimed_by']).where('status', '=', 'sending').execute();
    for (const row of owners) expect(row.claimed_by).toBe(xs.includes(Number(row.subscriber_id)) ? A : B);
    // The database finishes the key as idempotencyKeyOf does, from the ids it claimed.
    expect(x.key).toBe(idempotencyKeyOf(DAY, specX.batchNo, xs));
    expect(y.key).toBe(idempotencyKeyOf(DAY, specY.batchNo, ys));
    const keys = await db.selectFrom('deliveries').select(['subscriber_id', 'idempotency_key']).where('status', '=', 'sending').execute();
    for (const row of keys.filter((r) => xs.includes(Number(r.subscriber_id)))) expect(row.idempotency_key).toBe(x.key);
  });

  it('claimSlice skips readers who left since the issue was prepared, and keys the claim by the readers it took', async () => {
    await seed(30);
    const llm = (await listDeliveries(db, DAY, {})).filter((r) => r.segmentId === 'en.llm').map((r) => r.subscriberId);
    const left = [llm[1]!, llm[4]!];
    await db.updateTable('subscribers').set({ status: 'unsubscribed' }).where('id', 'in', left).execute();
    const spec: SliceSpec = { from: ['planned'], transport: 'smtp', batchNo: 7, keyPrefix: keyPrefixOf(DAY, 7), claimedBy: A };
    const slice = await claimSlice(db, DAY, { segmentId: 'en.llm', statuses: ['planned'], after: 0, limit: 8 }, spec, new Date());
    const taken = slice.rows.map((r) => r.subscriberId);
    expect(taken).toEqual(llm.slice(0, 8).filter((id) => !left.includes(id)));
    expect(slice).toMatchObject({ skipped: 2, last: llm[7], key: idempotencyKeyOf(DAY, 7, taken) });
    const rows = await listDeliveries(db, DAY, {});
    expect(rows.filter((r) => left.includes(r.subscriberId)).map((r) => r.status)).toEqual(['skipped', 'skipped']);
    // The next slice goes on after the last row looked at, skipped ones included.
    const next = await claimSlice(db, DAY, { segmentId: 'en.llm', statuses: ['planned'], after: slice.last!, limit: 8 }, { ...spec, batchNo: 8, keyPrefix: keyPrefixOf(DAY, 8) }, new Date());
    expect(next.rows.map((r) => r.subscriberId)).toEqual(llm.slice(8, 16));
  });

  it('two senders send one issue together: disjoint claims, every reader exactly once, each report its own share', async () => {
    await seed(240);
    // Both alive, as a run holds its sender's lease (run-issue.ts): neither may take the other's rows in flight.
    await abandonedLease(A, 60_000);
    await abandonedLease(B, 60_000);
    const mails = provider('duplicate');
    // Neither sender's first call returns before the other has made one: however the two are scheduled (a loaded
    // CI machine may start B late), both hold a claim at the same time, so the claims must be disjoint.
    const [transportA, transportB] = meetingTransports([mails.transport(3), mails.transport(3)]);
    const [a, b] = await Promise.all([
      sendIssue(senderContext(A), DAY, transportA!, segments, POLICY),
      sendIssue(senderContext(B), DAY, transportB!, segments, POLICY),
    ]);
    const copies = copiesOf(mails.delivered);
    expect(copies.size).toBe(240);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
    expect(a.sent).toBeGreaterThan(0);
    expect(b.sent).toBeGreaterThan(0);
    expect(a.sent + b.sent).toBe(240);
    expect([a.ledgerAfter.counts.sent, b.ledgerAfter.counts.sent]).toEqual([240, 240]);
    const rows = await db.selectFrom('deliveries').select(['status', 'claimed_by']).execute();
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(rows.filter((r) => r.claimed_by === A)).toHaveLength(a.sent);
    expect(rows.filter((r) => r.claimed_by === B)).toHaveLength(b.sent);
  });

  it("a live sender's rows in flight are its own: another sender neither marks them unknown nor ends before they settle", async () => {
    await seed(30);
    await abandonedLease(A, 60_000);
    await claimAndDie(A, [2, 3], 'smtp');
    // Recovery at start only touches senders that are gone.
    expect(await markInterruptedSends(db, DAY, new Date(), { deadOwners: [] })).toBe(0);
    const mails = provider('duplicate');
    const b = sendIssue(senderContext(B), DAY, mails.transport(1), segments, POLICY);
    // B sends the rest, then waits for A's rows; A settles them (as a live sender would) and B ends.
    await pause(400);
    expect((await listDeliveries(db, DAY)).filter((r) => r.status === 'sending').map((r) => r.subscriberId)).toEqual([2, 3]);
    await openDeliveryLedger(db, DAY, A).settle(
      [
        { subscriberId: 2, status: 'sent', messageId: 'a-2' },
        { subscriberId: 3, status: 'sent', messageId: 'a-3' },
      ],
      new Date(),
    );
    const result = await b;
    expect(result.sent).toBe(28);
    expect(result.interrupted).toBe(0);
    expect(result.ledgerAfter.counts.sent).toBe(30);
    expect(mails.delivered).not.toContain(2);
  });

  it('a sender that stalled past its lease cannot settle rows another sender took over and claimed again', async () => {
    await seed(12);
    await abandonedLease(A, 1);
    await claimAndDie(A, [2, 3], 'resend');
    await pause(20);
    const b = openDeliveryLedger(db, DAY, B);
    expect(await b.markInterrupted(new Date())).toBe(2);
    const [row] = await listDeliveries(db, DAY, { status: 'unknown' });
    const spec: ClaimSpec = { from: ['unknown'], transport: 'resend', batchNo: row!.batchNo!, idempotencyKey: row!.idempotencyKey!, activeOnly: false };
    expect(await b.claim([2, 3], spec, new Date())).toEqual([2, 3]);
    // A wakes up and records what its (late) call answered: B's claim is left alone.
    await openDeliveryLedger(db, DAY, A).settle([{ subscriberId: 2, status: 'failed', error: 'timeout', kind: 'transient' }], new Date());
    const rows = await db.selectFrom('deliveries').select(['subscriber_id', 'status', 'claimed_by']).where('subscriber_id', 'in', [2, 3]).execute();
    expect(rows.every((r) => r.status === 'sending' && r.claimed_by === B)).toBe(true);
    await b.settle([{ subscriberId: 2, status: 'sent', messageId: 'b-2' }], new Date());
    expect((await listDeliveries(db, DAY)).find((r) => r.subscriberId === 2)?.status).toBe('sent');
  });

  it("takes over a dead sender's claim once its lease lapses: SMTP leaves it unknown, never sends it twice", async () => {
    await seed(30);
    await abandonedLease(A, 300);
    await claimAndDie(A, [2, 3, 5], 'smtp');
    const mails = provider('duplicate');
    const result = await sendIssue(senderContext(B), DAY, mails.transport(1), segments, POLICY);
    expect(result.interrupted).toBe(3);
    expect(result.sent).toBe(27);
    const rows = await listDeliveries(db, DAY);
    expect(rows.filter((r) => r.status === 'unknown').map((r) => r.subscriberId)).toEqual([2, 3, 5]);
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(27);
    expect(mails.delivered.filter((id) => [2, 3, 5].includes(id))).toEqual([]);
  });

  it("takes over a dead sender's claim once its lease lapses: Resend sends it again under its own key, once", async () => {
    await seed(30);
    await abandonedLease(A, 300);
    await claimAndDie(A, [2, 3, 5], 'resend');
    const mails = provider('same-key');
    const result = await sendIssue(senderContext(B), DAY, mails.transport(1), segments, POLICY);
    expect(result.interrupted).toBe(3);
    expect(result.resolved).toBe(3);
    expect(result.sent).toBe(30);
    const rows = await listDeliveries(db, DAY);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    const copies = copiesOf(mails.delivered);
    expect(copies.size).toBe(30);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
    // The dead sender's claim went out again under exactly its key.
    expect(mails.keys).toContain(rows.find((r) => r.subscriberId === 2)!.idempotencyKey);
    expect(new Set(rows.filter((r) => [2, 3, 5].includes(r.subscriberId)).map((r) => r.idempotencyKey)).size).toBe(1);
  });
});

notePostgresSkipped('deliver/shared-senders');
