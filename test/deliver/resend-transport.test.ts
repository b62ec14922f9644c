import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareIssue } from '../../src/deliver/prepare-issue.ts';
import {
  classifyResendError,
  createPacer,
  createResendTransport,
  retryAfterMs,
} from '../../src/deliver/resend-transport.ts';
import { sendIssue, type SendPolicy } from '../../src/deliver/send-issue.ts';
import { READER_PLACEHOLDERS } from '../../src/render/render-issue.ts';
import { listDeliveries } from '../../src/store/deliveries.ts';
import type { Database } from '../../src/store/schema.ts';
import { upsertSubscribers } from '../../src/store/subscribers.ts';
import { describeStore } from '../support/test-databases.ts';
import { startFakeResend, type FakeResend } from './fake-resend.ts';

const DAY = '2025-11-14';
const T0 = new Date('2025-11-14T06:00:00.000Z');
const NOW = Date.parse('2025-11-14T06:00:00Z');
const KEY = 're_test_key';
const MAIL = {
  subject: 'arXiv digest 14 Nov 2025',
  preheader: '',
  html: `<p>${READER_PLACEHOLDERS.email}</p><a href="${READER_PLACEHOLDERS.unsubscribeUrl}">unsubscribe</a>`,
  text: `${READER_PLACEHOLDERS.email}\n${READER_PLACEHOLDERS.unsubscribeUrl}\n`,
};
const POLICY: SendPolicy = {
  batchSize: 100,
  workers: 2,
  attempts: 4,
  baseDelayMs: 1,
  maxDelayMs: 20,
  stopAfterFailedBatches: 0,
  resendUnknown: false,
};

describe('classifyResendError', () => {
  it.each([
    [{ name: 'daily_quota_exceeded', statusCode: 429, message: 'You have reached your daily email sending quota.' }, {}, 'stop'],
    [{ name: 'monthly_quota_exceeded', statusCode: 429 }, {}, 'stop'],
    [{ name: 'invalid_api_key', statusCode: 403 }, {}, 'stop'],
    [{ name: 'invalid_from_address', statusCode: 422 }, {}, 'stop'],
    [{ name: 'rate_limit_exceeded', statusCode: 429 }, { 'retry-after': '2' }, 'rejected-retryable:2000'],
    [{ name: 'validation_error', statusCode: 422 }, {}, 'rejected-permanent'],
    [{ name: 'concurrent_idempotent_requests', statusCode: 409 }, {}, 'uncertain:1000'],
    [{ name: 'invalid_idempotent_request', statusCode: 409 }, {}, 'uncertain-final'],
    [{ name: 'internal_server_error', statusCode: 500 }, {}, 'uncertain'],
    [{ name: 'application_error', statusCode: null, message: 'Unable to fetch data.' }, {}, 'uncertain'],
    [{ name: 'application_error', statusCode: 502 }, {}, 'uncertain'],
  ])('%j %j → %s', (error, headers, expected) => {
    const outcome = classifyResendError(error as never, headers, NOW);
    let kind: string = outcome.status;
    if (outcome.status === 'rejected') kind += outcome.retryable ? '-retryable' : '-permanent';
    if (outcome.status === 'uncertain' && outcome.final) kind += '-final';
    if ('retryAfterMs' in outcome && outcome.retryAfterMs !== undefined) kind += `:${outcome.retryAfterMs}`;
    expect(kind).toBe(expected);
  });

  it('says which quota ran out and that the rest waits', () => {
    const outcome = classifyResendError({ name: 'daily_quota_exceeded', statusCode: 429, message: 'quota' }, null, NOW);
    expect(outcome).toMatchObject({ status: 'stop', error: expect.stringMatching(/daily sending quota .*next run/) });
  });
});

describe('retryAfterMs', () => {
  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after': 'Fri, 14 Nov 2025 06:00:10 GMT' }, 10_000],
    [{ 'ratelimit-reset': '1' }, 1000],
    [{ 'retry-after': '' }, 0],
    [{ 'retry-after': 'soon', 'ratelimit-reset': '2' }, 2000],
    [{}, undefined],
    [null, undefined],
  ])('%j → %s', (headers, ms) => {
    expect(retryAfterMs(headers, NOW)).toBe(ms);
  });
});

describe('createPacer', () => {
  it('spaces calls 1/rps apart and lets a retry-after push every later call back', async () => {
    let now = 0;
    const waits: number[] = [];
    const pacer = createPacer(2, () => now, async (ms) => {
      waits.push(ms);
      now += ms;
    });
    await pacer.wait();
    await pacer.wait();
    await pacer.wait();
    expect(waits).toEqual([500, 500]);
    pacer.pushBack(3000);
    await pacer.wait();
    expect(waits.at(-1)).toBe(3000);
  });
});

let db: Kysely<Database>;
let fake: FakeResend;

describeStore('deliver/resend-transport', (store) => {
  beforeEach(async () => {
    db = store.db;
    fake = await startFakeResend({ apiKey: KEY });
    await upsertSubscribers(
      db,
      Array.from({ length: 230 }, (_, i) => ({
        email: i === 6 ? 'invalid-address@example.org' : `reader${i + 1}@example.org`,
        name: null,
        topics: ['llm'],
        language: 'en' as const,
      })),
      T0,
    );
    await prepareIssue(db, DAY, ['llm'], T0);
  });
  afterEach(async () => {
    await fake.close();
  });

  const transport = (requestsPerSecond = 50) => createResendTransport({ apiKey: KEY, baseUrl: fake.url, requestsPerSecond });
  const context = () => ({
    db,
    from: 'Lab digest <digest@example.org>',
    publicBaseUrl: 'https://digest.example.org',
    secret: 'resend-test-secret-0123456789abcdef0123456789',
    clock: () => new Date(),
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  });
  const segments = [{ segmentId: 'en.llm', mail: async () => MAIL }];
  const perReader = () => {
    const counts = new Map<string, number>();
    for (const d of fake.delivered) counts.set(d.to, (counts.get(d.to) ?? 0) + 1);
    return counts;
  };

  describe('Resend delivery through a local stand-in', () => {
    it('sends batches of at most 100 in permissive mode, each under its own key; a refused mail fails alone', async () => {
      const result = await sendIssue(context(), DAY, transport(), segments, POLICY);
      expect(result).toMatchObject({ sent: 229, failed: 1, unknown: 0 });
      // Claims run concurrently, so the batches may reach the API in any order.
      expect(fake.requests.map((r) => r.emails.length).sort((a, b) => b - a)).toEqual([100, 100, 30]);
      expect(fake.requests.every((r) => r.validation === 'permissive')).toBe(true);
      expect(new Set(fake.requests.map((r) => r.key)).size).toBe(3);
      expect(fake.requests[0]?.key).toMatch(/^paperboy\/2025-11-14\/batch\/\d+\/[0-9a-f]{16}$/);
      expect([...perReader().values()].every((n) => n === 1)).toBe(true);
      const rows = await listDeliveries(db, DAY);
      const refused = rows.find((r) => r.email === 'invalid-address@example.org');
      expect(refused).toMatchObject({ status: 'failed', failureKind: 'permanent' });
      expect(refused?.lastError).toMatch(/Invalid `to` field/);
      // Ids line up with the readers although Resend only listed the accepted mails.
      const sent = rows.find((r) => r.email === 'reader9@example.org');
      expect(fake.delivered.find((d) => d.to === 'reader9@example.org')?.id).toBe(sent?.messageId);
      const first = fake.delivered[0]!;
      expect(first.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
      expect(first.html).toContain(first.to);
    });

    it('waits out a 429 with retry-after and sends the same batch under the same key', async () => {
      fake.fault = (n) => (n === 1 ? { status: 429, name: 'rate_limit_exceeded', headers: { 'retry-after': '0.2' } } : null);
      const started = Date.now();
      const result = await sendIssue(context(), DAY, transport(), segments, { ...POLICY, workers: 1 });
      expect(result).toMatchObject({ sent: 229, failed: 1 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(fake.requests[0]?.status).toBe(429);
      expect(fake.requests[1]?.key).toBe(fake.requests[0]?.key);
      expect([...perReader().values()].every((n) => n === 1)).toBe(true);
    });

    it('a lost answer (500 after the batch went out) is settled by the same key: nobody gets two copies', async () => {
      fake.fault = (n) => (n === 2 ? { processThen: 'fail' } : n === 3 ? { status: 500, name: 'internal_server_error' } : null);
      const result = await sendIssue(context(), DAY, transport(), segments, { ...POLICY, workers: 1 });
      expect(result).toMatchObject({ sent: 229, failed: 1, unknown: 0 });
      const second = fake.requests[1]!.key;
      expect(fake.requests.filter((r) => r.key === second).map((r) => r.status)).toEqual([500, 500, 200]);
      expect(fake.delivered).toHaveLength(229);
      expect([...perReader().values()].every((n) => n === 1)).toBe(true);
    });

    it('stops at a quota error with a clear reason; the next run sends the rest', async () => {
      fake.fault = (n) => (n === 2 ? { status: 429, name: 'daily_quota_exceeded', message: 'You have reached your daily email sending quota.' } : null);
      const first = await sendIssue(context(), DAY, transport(), segments, { ...POLICY, workers: 1 });
      expect(first.stopped).toMatch(/daily sending quota is used up/);
      expect(first.sent).toBe(99);
      expect(fake.requests).toHaveLength(2);
      fake.fault = () => null;
      const second = await sendIssue(context(), DAY, transport(), segments, POLICY);
      expect(second).toMatchObject({ sent: 130, stopped: null });
      expect([...perReader().values()].every((n) => n === 1)).toBe(true);
      expect(perReader().size).toBe(229);
    });

    it('stops at once on a bad API key, sending nothing', async () => {
      const bad = createResendTransport({ apiKey: 're_wrong', baseUrl: fake.url, requestsPerSecond: 50 });
      const result = await sendIssue(context(), DAY, bad, segments, POLICY);
      expect(result.stopped).toMatch(/invalid_api_key/);
      expect(result.sent).toBe(0);
      expect(fake.delivered).toEqual([]);
    });

    it('a batch left unknown is settled by the next run under its key: the stand-in answers, nothing goes twice', async () => {
      // The first batch goes out but its answer is lost, and this run gives up on it: its rows stay unknown.
      fake.fault = (n) => (n === 1 ? { processThen: 'fail' } : null);
      const first = await sendIssue(context(), DAY, transport(), segments, { ...POLICY, attempts: 1, workers: 1 });
      expect(first).toMatchObject({ sent: 130, unknown: 100 });
      const lostKey = fake.requests[0]!.key;
      const unknown = await listDeliveries(db, DAY, { status: 'unknown' });
      expect(unknown).toHaveLength(100);
      expect(new Set(unknown.map((r) => r.idempotencyKey))).toEqual(new Set([lostKey]));

      const second = await sendIssue(context(), DAY, transport(), segments, POLICY);
      expect(second).toMatchObject({ resolved: 99, sent: 99, failed: 1, unknown: 0, total: 100 });
      expect(fake.requests.filter((r) => r.key === lostKey).map((r) => r.status)).toEqual([500, 200]);
      expect(fake.delivered).toHaveLength(229);
      expect([...perReader().values()].every((n) => n === 1)).toBe(true);
      expect((await listDeliveries(db, DAY, { status: 'unknown' })).length).toBe(0);
    });
  });
});
