import type { Kysely } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { prepareIssue } from '../../src/deliver/prepare-issue.ts';
import { backoffMs, idempotencyKeyOf, sendIssue, type SendPolicy, type SendProgress } from '../../src/deliver/send-issue.ts';
import type { MailJob, MailTransport, ResendBehaviour, SendContext, SendOutcome } from '../../src/deliver/transport.ts';
import { READER_PLACEHOLDERS } from '../../src/render/render-issue.ts';
import type { Ledger } from '../../src/deliver/ledger.ts';
import { claimDeliveries, listDeliveries, summarizeLedger } from '../../src/store/deliveries.ts';
import { openDeliveryLedger } from '../../src/store/delivery-ledger.ts';
import { nextBatchNumber } from '../../src/store/issues.ts';
import type { Database } from '../../src/store/schema.ts';
import { findSubscriber, setSubscriberStatus, upsertSubscribers } from '../../src/store/subscribers.ts';
import { describeStore } from '../support/test-databases.ts';

// The sending loop against in-memory transports: every path of the ledger (claims, retries, unknowns after a
// crash, suppression, stops) and the promise that matters: nobody gets a second copy.

const DAY = '2025-11-14';
const T0 = new Date('2025-11-14T06:00:00.000Z');
const SECRET = 'send-issue-secret-0123456789abcdef0123456789';
const MAIL = {
  subject: 'arXiv digest 14 Nov 2025',
  preheader: '',
  html: `<p>Hello ${READER_PLACEHOLDERS.email}</p><a href="${READER_PLACEHOLDERS.unsubscribeUrl}">unsubscribe</a>`,
  text: `Hello ${READER_PLACEHOLDERS.email}\nunsubscribe: ${READER_PLACEHOLDERS.unsubscribeUrl}\n`,
};
const POLICY: SendPolicy = {
  batchSize: 10,
  workers: 2,
  attempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  stopAfterFailedBatches: 0,
  resendUnknown: false,
};

/** An outcome for a mail (undefined: sent); `call` numbers the transport's calls from 1. */
type Decide = (mail: MailJob, context: SendContext, call: number) => SendOutcome | undefined;

/** A transport that keeps what it "delivered"; a same-key one answers a repeated key with its first answer. */
function memoryTransport(resend: ResendBehaviour, decide: Decide = () => undefined) {
  const delivered: number[] = [];
  const calls: Array<SendContext & { ids: number[] }> = [];
  const answered = new Map<string, SendOutcome[]>();
  const transport: MailTransport = {
    name: resend === 'same-key' ? 'resend' : resend === 'duplicate' ? 'smtp' : 'outbox',
    maxBatch: 100,
    resend,
    async send(mails, context) {
      calls.push({ ...context, ids: mails.map((m) => m.subscriberId) });
      const earlier = resend === 'same-key' ? answered.get(context.idempotencyKey) : undefined;
      if (earlier) return earlier;
      const outcomes = mails.map((m) => decide(m, context, calls.length) ?? { status: 'sent' as const, providerId: `p-${m.subscriberId}` });
      outcomes.forEach((o, i) => o.status === 'sent' && delivered.push(mails[i]!.subscriberId));
      if (resend === 'same-key' && outcomes.every((o) => o.status === 'sent')) answered.set(context.idempotencyKey, outcomes);
      return outcomes;
    },
    async close() {},
  };
  return { transport, delivered, calls, answered };
}

let db: Kysely<Database>;
const sleeps: number[] = [];

function context(extra: { onProgress?: (p: SendProgress) => void; lock?: { lost(): string | null } } = {}) {
  return {
    db,
    from: 'paperboy <digest@example.org>',
    publicBaseUrl: 'https://digest.example.org',
    secret: SECRET,
    clock: () => new Date(),
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    ...extra,
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
  const audience = await prepareIssue(db, DAY, ['llm', 'vision'], T0);
  expect(audience.segments.map((s) => s.segmentId)).toEqual(['en.llm', 'zh.vision']);
  return audience;
}

const statusOf = async (id: number) => (await listDeliveries(db, DAY)).find((d) => d.subscriberId === id)?.status;

describeStore('deliver/send-issue', (store) => {
  beforeEach(() => {
    db = store.db;
    sleeps.length = 0;
  });

  describe('sendIssue', () => {
    it('sends every reader once, in claims of at most batchSize, and a second run sends nothing', async () => {
      await seed(45);
      const { transport, delivered, calls } = memoryTransport('duplicate');
      const progress: SendProgress[] = [];
      const first = await sendIssue(context({ onProgress: (p) => progress.push(p) }), DAY, transport, segments, POLICY);
      expect(first).toMatchObject({ sent: 45, failed: 0, unknown: 0, skipped: 0, alreadySent: 0, total: 45, stopped: null });
      expect(delivered.sort((a, b) => a - b)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
      expect(Math.max(...calls.map((c) => c.ids.length))).toBe(10);
      expect(new Set(calls.map((c) => c.batchNo)).size).toBe(calls.length);
      expect(progress.at(-1)).toMatchObject({ done: 45, total: 45, sent: 45 });
      const rows = await listDeliveries(db, DAY);
      expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.sentAt !== null)).toBe(true);
      expect(rows.find((r) => r.subscriberId === 1)?.idempotencyKey).toMatch(/^paperboy\/2025-11-14\/batch\/\d+\/[0-9a-f]{16}$/);

      const second = await sendIssue(context(), DAY, transport, segments, POLICY);
      expect(second).toMatchObject({ sent: 0, alreadySent: 45, total: 0 });
      expect(delivered).toHaveLength(45);
    });

    it('fills each reader’s own address and signed unsubscribe link into the segment’s mail', async () => {
      await seed(3);
      const mails: MailJob[] = [];
      const { transport } = memoryTransport('duplicate', (m) => void mails.push(m));
      await sendIssue(context(), DAY, transport, segments, POLICY);
      const byId = new Map(mails.map((m) => [m.subscriberId, m]));
      const fields = byId.get(2)!.fields();
      expect(fields).toMatchObject({ to: 'reader2@example.org', subject: MAIL.subject, messageId: '<paperboy.2025-11-14.2@example.org>' });
      expect(fields.html).toContain('Hello reader2@example.org');
      expect(fields.headers['List-Unsubscribe']).toMatch(/^<https:\/\/digest\.example\.org\/unsubscribe\/u\.2\.[\w-]+>$/);
      expect(fields.text).toContain(fields.headers['List-Unsubscribe']!.slice(1, -1));
      const raw = String(await byId.get(1)!.raw());
      expect(raw).toMatch(/^To: reader1@example\.org\r$/m);
      expect(raw).not.toContain('__PB_');
    });

    it('skips readers who left after the audience was frozen, and never sends them the issue', async () => {
      await seed(6);
      await setSubscriberStatus(db, 2, 'unsubscribed', T0);
      await setSubscriberStatus(db, 4, 'bounced', T0);
      const { transport, delivered } = memoryTransport('duplicate');
      const result = await sendIssue(context(), DAY, transport, segments, POLICY);
      expect(result).toMatchObject({ sent: 4, skipped: 2 });
      expect(delivered).not.toContain(2);
      expect(delivered).not.toContain(4);
      expect(await statusOf(2)).toBe('skipped');
    });

    it('retries 4xx per mail with growing backoff; past the limit the mail waits for the next run', async () => {
      await seed(4);
      const greylisted = new Map<number, number>();
      const { transport, delivered } = memoryTransport('duplicate', (m) => {
        const n = (greylisted.get(m.subscriberId) ?? 0) + 1;
        greylisted.set(m.subscriberId, n);
        if (m.subscriberId === 2 && n <= 2) return { status: 'rejected', retryable: true, error: '451 4.7.1 greylisted' };
        if (m.subscriberId === 3) return { status: 'rejected', retryable: true, error: '452 mailbox full' };
        return undefined;
      });
      const first = await sendIssue(context(), DAY, transport, segments, POLICY);
      expect(first).toMatchObject({ sent: 3, failed: 1 });
      expect(sleeps).toEqual([100, 200]);
      const rows = await listDeliveries(db, DAY);
      expect(rows.find((r) => r.subscriberId === 2)).toMatchObject({ status: 'sent', attempts: 3 });
      expect(rows.find((r) => r.subscriberId === 3)).toMatchObject({ status: 'failed', failureKind: 'transient', lastError: '452 mailbox full' });
      expect(delivered.filter((id) => id === 2)).toHaveLength(1);

      greylisted.clear();
      const { transport: later, delivered: laterDelivered } = memoryTransport('duplicate');
      expect(await sendIssue(context(), DAY, later, segments, POLICY)).toMatchObject({ sent: 1, alreadySent: 3 });
      expect(laterDelivered).toEqual([3]);
    });

    it('a reader who leaves while their retry waits is skipped, not counted as failed', async () => {
      await seed(4);
      const { transport, delivered } = memoryTransport('duplicate', (m, _c, call) =>
        m.subscriberId === 3 && call === 1 ? { status: 'rejected', retryable: true, error: '451 4.7.1 greylisted' } : undefined,
      );
      const waits = { ...context(), sleep: async () => void (await setSubscriberStatus(db, 3, 'unsubscribed', T0)) };
      const result = await sendIssue(waits, DAY, transport, segments, POLICY);
      expect(result).toMatchObject({ sent: 3, failed: 0, skipped: 1 });
      expect(delivered).not.toContain(3);
      expect(await statusOf(3)).toBe('skipped');
    });

    it('never retries a permanent refusal, and bounces suppress the reader', async () => {
      await seed(4);
      const { transport } = memoryTransport('duplicate', (m) =>
        m.subscriberId === 2
          ? { status: 'bounced', error: '550 5.1.1 no such user' }
          : m.subscriberId === 3
            ? { status: 'rejected', retryable: false, error: '552 message too big' }
            : undefined,
      );
      const result = await sendIssue(context(), DAY, transport, segments, POLICY);
      expect(result).toMatchObject({ sent: 2, bounced: 1, failed: 1, failuresTotal: 2 });
      expect(result.failures.map((f) => [f.subscriberId, f.status])).toEqual(
        expect.arrayContaining([
          [2, 'bounced'],
          [3, 'failed'],
        ]),
      );
      expect(sleeps).toEqual([]);
      expect((await findSubscriber(db, { id: 2 }))?.status).toBe('bounced');
      const { transport: again, delivered } = memoryTransport('duplicate');
      expect(await sendIssue(context(), DAY, again, segments, POLICY)).toMatchObject({ total: 0, sent: 0 });
      expect(delivered).toEqual([]);
    });

    it('SMTP after a crash: rows left in sending become unknown and are not sent again unless asked', async () => {
      await seed(5);
      // A run claimed readers 1 and 2 and died before it learnt the outcome.
      const batchNo = await nextBatchNumber(db, DAY, T0);
      await claimDeliveries(db, DAY, [1, 2], { from: ['planned'], transport: 'smtp', batchNo, idempotencyKey: 'k' }, T0);
      const { transport, delivered } = memoryTransport('duplicate');
      const result = await sendIssue(context(), DAY, transport, segments, POLICY);
      expect(result).toMatchObject({ interrupted: 2, sent: 3, total: 3 });
      expect(result.ledgerAfter.counts.unknown).toBe(2);
      expect(result.ledgerAfter.unknownByTransport).toEqual({ smtp: 2 });
      expect(delivered.sort()).toEqual([3, 4, 5]);

      const forced = await sendIssue(context(), DAY, transport, segments, { ...POLICY, resendUnknown: true });
      expect(forced).toMatchObject({ sent: 2, total: 2, interrupted: 0 });
      expect(delivered.sort()).toEqual([1, 2, 3, 4, 5]);
      expect(forced.ledgerAfter.counts.unknown).toBe(0);
    });

    it('Resend after a crash: the claim is sent again with the same rows and key, and nothing goes out twice', async () => {
      await seed(25);
      const { transport, delivered, calls, answered } = memoryTransport('same-key');
      // Claim 1 reached the provider before the crash (it answered, the answer was lost); claim 2 never left.
      // Readers 2, 3, 5, 6, 8, 9 … are the en.llm segment; a claim never spans segments.
      const ids1 = [2, 3, 5, 6];
      const ids2 = [8, 9];
      const k1 = idempotencyKeyOf(DAY, await nextBatchNumber(db, DAY, T0), ids1);
      await claimDeliveries(db, DAY, ids1, { from: ['planned'], transport: 'resend', batchNo: 1, idempotencyKey: k1 }, T0);
      const k2 = idempotencyKeyOf(DAY, await nextBatchNumber(db, DAY, T0), ids2);
      await claimDeliveries(db, DAY, ids2, { from: ['planned'], transport: 'resend', batchNo: 2, idempotencyKey: k2 }, T0);
      answered.set(k1, ids1.map((id) => ({ status: 'sent', providerId: `early-${id}` })));
      delivered.push(...ids1);

      const result = await sendIssue(context(), DAY, transport, segments, POLICY);
      expect(result).toMatchObject({ interrupted: 6, resolved: 6, sent: 25, total: 25 });
      const repeated = calls.filter((c) => c.idempotencyKey === k1 || c.idempotencyKey === k2);
      expect(repeated.map((c) => [c.idempotencyKey, c.batchNo, c.ids])).toEqual([
        [k1, 1, ids1],
        [k2, 2, ids2],
      ]);
      expect(delivered.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      const rows = await listDeliveries(db, DAY);
      expect(rows.find((r) => r.subscriberId === 2)?.messageId).toBe('early-2');
    });

    it('leaves an uncertain claim older than the provider keeps keys unknown, rather than risk a second copy', async () => {
      await seed(6);
      const ids = [2, 3];
      const old = new Date(Date.now() - 25 * 60 * 60 * 1000);
      await claimDeliveries(db, DAY, ids, { from: ['planned'], transport: 'resend', batchNo: 1, idempotencyKey: 'old-key' }, old);
      const { transport, calls } = memoryTransport('same-key');
      const withLifetime = { ...transport, keyLifetimeMs: 23 * 60 * 60 * 1000 };
      const result = await sendIssue(context(), DAY, withLifetime, segments, POLICY);
      expect(result).toMatchObject({ interrupted: 2, resolved: 0, sent: 4, total: 4 });
      expect(calls.some((c) => c.idempotencyKey === 'old-key')).toBe(false);
      expect(result.ledgerAfter.unknownByTransport).toEqual({ resend: 2 });
    });

    it('retries a 5xx or a timeout under the same key, and leaves the claim unknown past the limit', async () => {
      await seed(3);
      const { transport, delivered, calls } = memoryTransport('same-key', (_m, _c, call) =>
        call === 1 ? { status: 'uncertain', error: 'internal_server_error (500)' } : undefined,
      );
      const result = await sendIssue(context(), DAY, transport, segments, { ...POLICY, workers: 1 });
      expect(result).toMatchObject({ sent: 3, unknown: 0 });
      expect(calls[0]!.idempotencyKey).toBe(calls[1]!.idempotencyKey);
      expect(calls[1]!.attempt).toBe(2);
      expect(delivered).toHaveLength(3);

      const { transport: down } = memoryTransport('same-key', () => ({ status: 'uncertain', error: 'fetch failed' }));
      await upsertSubscribers(db, [{ email: 'late@example.org', name: null, topics: ['llm'], language: 'en' }], T0);
      const day2 = '2025-11-17';
      await prepareIssue(db, day2, ['llm', 'vision'], T0);
      const r2 = await sendIssue(context(), day2, down, segments, { ...POLICY, attempts: 2 });
      expect(r2).toMatchObject({ sent: 0, unknown: 4 });
      expect((await summarizeLedger(db, day2)).unknownByTransport).toEqual({ resend: 4 });
    });

    it('waits what a 429 asks (retry-after) before trying the same claim again', async () => {
      await seed(2);
      const { transport } = memoryTransport('same-key', (_m, _c, call) =>
        call === 1 ? { status: 'rejected', retryable: true, error: 'rate_limit_exceeded', retryAfterMs: 5000 } : undefined,
      );
      expect(await sendIssue(context(), DAY, transport, segments, { ...POLICY, workers: 1 })).toMatchObject({ sent: 2 });
      // retry-after wins over the shorter backoff (and over maxDelayMs).
      expect(sleeps).toEqual([5000]);
    });

    it('stops on a quota error: the claim and the rest wait for the next run, which finishes the issue', async () => {
      await seed(30);
      const { transport, delivered } = memoryTransport('same-key', (_m, _c, call) =>
        call >= 2 ? { status: 'stop', error: "Resend's daily sending quota is used up" } : undefined,
      );
      const result = await sendIssue(context(), DAY, transport, segments, { ...POLICY, workers: 1 });
      expect(result.stopped).toMatch(/quota/);
      expect(result.sent).toBe(10);
      expect(result.ledgerAfter.counts.planned + result.ledgerAfter.failedTransient).toBe(20);
      expect(result.ledgerAfter.counts.sending).toBe(0);

      const next = memoryTransport('same-key');
      expect(await sendIssue(context(), DAY, next.transport, segments, POLICY)).toMatchObject({ sent: 20, stopped: null });
      expect([...delivered, ...next.delivered].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    });

    it('gives up after a number of claims in a row that sent nothing', async () => {
      await seed(50);
      const { transport } = memoryTransport('duplicate', () => ({ status: 'rejected', retryable: true, error: 'ECONNECTION: connect ECONNREFUSED' }));
      const result = await sendIssue(context(), DAY, transport, segments, { ...POLICY, workers: 1, attempts: 1, stopAfterFailedBatches: 2 });
      expect(result.stopped).toMatch(/2 batches in a row sent nothing .*ECONNREFUSED/);
      expect(result.failed).toBe(20);
      expect(result.ledgerAfter.counts.planned).toBe(30);
    });

    it('stops claiming once the run lost its lock', async () => {
      await seed(30);
      let lost: string | null = null;
      const { transport } = memoryTransport('duplicate', () => {
        lost = 'the lock was taken over';
        return undefined;
      });
      const result = await sendIssue(context({ lock: { lost: () => lost } }), DAY, transport, segments, { ...POLICY, workers: 1 });
      expect(result.stopped).toBe('the lock was taken over');
      expect(result.sent).toBe(10);
    });

    it('stamps every ledger write with the injected clock, and settles each claim before a worker claims again', async () => {
      await seed(5);
      const pinned = new Date('2025-11-14T07:30:00.000Z');
      const steps: string[] = [];
      const stamps = new Set<string>();
      const openLedger = (day: string): Ledger => {
        const ledger = openDeliveryLedger(db, day);
        return {
          ...ledger,
          async claim(ids, spec, now) {
            stamps.add(now.toISOString());
            const claimed = await ledger.claim(ids, spec, now);
            steps.push(`claim ${claimed.join(',')}`);
            return claimed;
          },
          async settle(outcomes, now) {
            stamps.add(now.toISOString());
            steps.push(`settle ${outcomes.map((o) => o.subscriberId).join(',')}`);
            return ledger.settle(outcomes, now);
          },
        };
      };
      const { transport } = memoryTransport('duplicate');
      const result = await sendIssue({ ...context(), clock: () => pinned, openLedger }, DAY, transport, segments, { ...POLICY, batchSize: 2, workers: 1 });
      expect(result).toMatchObject({ sent: 5, total: 5 });
      // en.llm holds readers 2, 3 and 5; zh.vision readers 1 and 4.
      expect(steps).toEqual(['claim 2,3', 'settle 2,3', 'claim 5', 'settle 5', 'claim 1,4', 'settle 1,4']);
      expect([...stamps]).toEqual([pinned.toISOString()]);
      const rows = await listDeliveries(db, DAY);
      expect(rows.every((r) => r.claimedAt === pinned.toISOString() && r.sentAt === pinned.toISOString() && r.updatedAt === pinned.toISOString())).toBe(true);
    });

    it('records a transport that throws as an unknown outcome', async () => {
      await seed(2);
      const transport: MailTransport = {
        name: 'smtp',
        maxBatch: 100,
        resend: 'duplicate',
        send: async () => {
          throw new Error('socket hang up');
        },
        close: async () => {},
      };
      const result = await sendIssue(context(), DAY, transport, segments, POLICY);
      expect(result).toMatchObject({ sent: 0, unknown: 2 });
      expect(result.failures[0]?.error).toMatch(/socket hang up/);
    });
  });
});

describe('backoffMs', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [10, 1000],
  ])('attempt %i → %i ms', (attempt, ms) => {
    expect(backoffMs(attempt, 100, 1000)).toBe(ms);
  });
});
