import { describe, expect, it } from 'vitest';
import { countFailedStreak, giveUp, settleOutcomes, type Retry, type SettleInput } from '../../src/deliver/settle-outcomes.ts';
import type { ResendBehaviour, SendOutcome } from '../../src/deliver/transport.ts';
import type { PendingDelivery } from '../../src/store/deliveries.ts';

// The outcome rules of the send loop, one row per rule: what an attempt writes, what it retries, what it reports.

const row = (id: number, status: PendingDelivery['status'] = 'planned'): PendingDelivery => ({
  subscriberId: id,
  email: `r${id}@example.org`,
  status,
  attempts: 1,
  transport: null,
  batchNo: null,
  idempotencyKey: null,
});

const SENT: SendOutcome = { status: 'sent', providerId: 'p-1' };
const BOUNCED: SendOutcome = { status: 'bounced', error: '550 no such user' };
const STOP: SendOutcome = { status: 'stop', error: 'quota used up' };
const REFUSED: SendOutcome = { status: 'rejected', retryable: false, error: '552 too big' };
const GREYLISTED: SendOutcome = { status: 'rejected', retryable: true, error: '451 greylisted' };
const RATE_LIMITED: SendOutcome = { status: 'rejected', retryable: true, error: 'rate_limit_exceeded', retryAfterMs: 5000 };
const TIMEOUT: SendOutcome = { status: 'uncertain', error: 'timeout' };
const FINAL: SendOutcome = { status: 'uncertain', error: 'no answer', final: true };

/** One attempt of a one-row claim (row 1), first of three, on a running send. */
function settleOne(outcome: SendOutcome, resend: ResendBehaviour, extra: Partial<SettleInput> = {}) {
  return settleOutcomes({ rows: [row(1)], outcomes: [outcome], resolving: false, attempt: 1, maxAttempts: 3, resend, stopped: false, ...extra });
}

const failure = (status: 'failed' | 'bounced' | 'unknown', error: string) => [{ subscriberId: 1, email: 'r1@example.org', status, error }];
const noTally = { sent: 0, failed: 0, bounced: 0, unknown: 0, resolved: 0, failures: [] };

describe('settleOutcomes', () => {
  it.each([
    /** Settled at once, whatever the attempt */
    ['sent', SENT, 'duplicate', {}, { writes: [{ subscriberId: 1, status: 'sent', messageId: 'p-1' }], retries: [], tally: { ...noTally, sent: 1 }, sentAny: true, troubled: false, lastError: null, stop: null }],
    ['sent, repeating an unknown claim: resolved', SENT, 'same-key', { resolving: true }, { writes: [{ subscriberId: 1, status: 'sent', messageId: 'p-1' }], tally: { ...noTally, sent: 1, resolved: 1 } }],
    ['bounced', BOUNCED, 'duplicate', {}, { writes: [{ subscriberId: 1, status: 'bounced', error: BOUNCED.error }], retries: [], tally: { ...noTally, bounced: 1, failures: failure('bounced', '550 no such user') }, troubled: false, lastError: '550 no such user' }],
    ['stop: a transient failure that is not counted, and the run stops', STOP, 'same-key', {}, { writes: [{ subscriberId: 1, status: 'failed', error: 'quota used up', kind: 'transient' }], retries: [], tally: noTally, stop: 'quota used up', troubled: false, sentAny: false }],
    ['rejected for good: permanent, never retried', REFUSED, 'duplicate', {}, { writes: [{ subscriberId: 1, status: 'failed', error: '552 too big', kind: 'permanent' }], retries: [], tally: { ...noTally, failed: 1, failures: failure('failed', '552 too big') }, troubled: false }],
    ['uncertain on a transport that may duplicate: unknown', TIMEOUT, 'duplicate', {}, { writes: [{ subscriberId: 1, status: 'unknown', error: 'timeout' }], retries: [], tally: { ...noTally, unknown: 1, failures: failure('unknown', 'timeout') }, troubled: true }],
    ['uncertain and final, even under a same key: unknown', FINAL, 'same-key', {}, { writes: [{ subscriberId: 1, status: 'unknown', error: 'no answer' }], retries: [], tally: { ...noTally, unknown: 1, failures: failure('unknown', 'no answer') } }],

    /** Retried while attempts are left */
    ['retryable refusal, per-mail transport: parked as a transient failure while it waits', GREYLISTED, 'duplicate', {}, { writes: [{ subscriberId: 1, status: 'failed', error: '451 greylisted', kind: 'transient' }], retries: [{ row: row(1), outcome: GREYLISTED }], retryAfterMs: 0, tally: noTally, troubled: true, lastError: '451 greylisted' }],
    ['retryable refusal under a same key: retried without a write, after what the provider asks', RATE_LIMITED, 'same-key', {}, { writes: [], retries: [{ row: row(1), outcome: RATE_LIMITED }], retryAfterMs: 5000, tally: noTally, troubled: true }],
    ['uncertain under a same key: the same claim again', TIMEOUT, 'same-key', {}, { writes: [], retries: [{ row: row(1), outcome: TIMEOUT }], tally: noTally, troubled: true }],
    ['uncertain on the outbox (overwrite): parked and retried', TIMEOUT, 'overwrite', {}, { writes: [{ subscriberId: 1, status: 'failed', error: 'timeout', kind: 'transient' }], retries: [{ row: row(1), outcome: TIMEOUT }], tally: noTally }],

    /** Given up: the last attempt, or the run stopped */
    ['retryable refusal on the last attempt: a transient failure for the next run', GREYLISTED, 'duplicate', { attempt: 3 }, { writes: [{ subscriberId: 1, status: 'failed', error: '451 greylisted', kind: 'transient' }], retries: [], tally: { ...noTally, failed: 1, failures: failure('failed', '451 greylisted') } }],
    ['uncertain under a same key on the last attempt: unknown', TIMEOUT, 'same-key', { attempt: 3 }, { writes: [{ subscriberId: 1, status: 'unknown', error: 'timeout' }], retries: [], tally: { ...noTally, unknown: 1, failures: failure('unknown', 'timeout') } }],
    ['uncertain on the outbox on the last attempt: a transient failure', TIMEOUT, 'overwrite', { attempt: 3 }, { writes: [{ subscriberId: 1, status: 'failed', error: 'timeout', kind: 'transient' }], retries: [], tally: { ...noTally, failed: 1, failures: failure('failed', 'timeout') } }],
    ['retryable refusal after the run stopped: given up with attempts left', GREYLISTED, 'same-key', { stopped: true }, { writes: [{ subscriberId: 1, status: 'failed', error: '451 greylisted', kind: 'transient' }], retries: [], tally: { ...noTally, failed: 1, failures: failure('failed', '451 greylisted') } }],
  ] as const)('%s', (_name, outcome, resend, extra, expected) => {
    expect(settleOne(outcome, resend, extra)).toMatchObject(expected);
  });

  it('a same-key claim only partly in need of another try settles that part as it stands', () => {
    const s = settleOutcomes({
      rows: [row(1), row(2), row(3)],
      outcomes: [SENT, RATE_LIMITED, TIMEOUT],
      resolving: false,
      attempt: 1,
      maxAttempts: 3,
      resend: 'same-key',
      stopped: false,
    });
    expect(s.retries).toEqual([]);
    expect(s.retryAfterMs).toBe(0);
    expect(s.writes).toEqual([
      { subscriberId: 1, status: 'sent', messageId: 'p-1' },
      { subscriberId: 2, status: 'failed', error: 'rate_limit_exceeded', kind: 'transient' },
      { subscriberId: 3, status: 'unknown', error: 'timeout' },
    ]);
    expect(s.tally).toMatchObject({ sent: 1, failed: 1, unknown: 1 });
    expect(s.tally.failures.map((f) => [f.subscriberId, f.status])).toEqual([
      [2, 'failed'],
      [3, 'unknown'],
    ]);
  });

  it('a per-mail claim retries only the rows that need it, waiting the longest retry-after asked', () => {
    const slower: SendOutcome = { ...RATE_LIMITED, retryAfterMs: 9000 };
    const s = settleOutcomes({
      rows: [row(1), row(2), row(3), row(4)],
      outcomes: [RATE_LIMITED, SENT, slower, BOUNCED],
      resolving: false,
      attempt: 2,
      maxAttempts: 3,
      resend: 'duplicate',
      stopped: false,
    });
    expect(s.retries.map((r) => r.row.subscriberId)).toEqual([1, 3]);
    expect(s.retryAfterMs).toBe(9000);
    expect(s.writes.map((w) => [w.subscriberId, w.status])).toEqual([
      [2, 'sent'],
      [4, 'bounced'],
      [1, 'failed'],
      [3, 'failed'],
    ]);
    expect(s).toMatchObject({ sentAny: true, troubled: true, lastError: '550 no such user' });
  });

  it('the first stop of a claim gives the reason; a permanent refusal alone is no trouble', () => {
    const s = settleOutcomes({
      rows: [row(1), row(2), row(3)],
      outcomes: [REFUSED, STOP, { status: 'stop', error: 'second reason' }],
      resolving: false,
      attempt: 1,
      maxAttempts: 3,
      resend: 'same-key',
      stopped: false,
    });
    expect(s).toMatchObject({ stop: 'quota used up', troubled: false, sentAny: false, lastError: 'second reason' });
  });

  it('refuses outcomes that do not cover every row', () => {
    expect(() =>
      settleOutcomes({ rows: [row(1), row(2)], outcomes: [SENT], resolving: false, attempt: 1, maxAttempts: 3, resend: 'duplicate', stopped: false }),
    ).toThrow(/no outcome for mail 2 of 2/);
  });
});

describe('giveUp', () => {
  const retries: Retry[] = [
    { row: row(1), outcome: { status: 'rejected', retryable: true, error: '451 greylisted' } },
    { row: row(2), outcome: { status: 'uncertain', error: 'timeout' } },
  ];

  it.each([
    ['same-key', [['failed', 'transient'], ['unknown', undefined]], { failed: 1, unknown: 1 }],
    ['overwrite', [['failed', 'transient'], ['failed', 'transient']], { failed: 2, unknown: 0 }],
    ['duplicate', [['failed', 'transient'], ['failed', 'transient']], { failed: 2, unknown: 0 }],
  ] as const)('%s: a refusal stays a transient failure; an uncertain mail is unknown only under a same key', (resend, states, counts) => {
    const { writes, tally } = giveUp(retries, resend);
    expect(writes.map((w) => [w.status, 'kind' in w ? w.kind : undefined])).toEqual(states);
    expect(tally).toMatchObject({ ...counts, sent: 0, bounced: 0, resolved: 0 });
    expect(tally.failures.map((f) => f.subscriberId)).toEqual([1, 2]);
  });
});

describe('countFailedStreak', () => {
  const claim = (sentAny: boolean, troubled: boolean) => ({ sentAny, troubled, lastError: 'ECONNREFUSED' });
  it.each([
    // streak before, the claim, run stopped, stopAfter → streak after, stops
    [3, claim(true, true), false, 2, 0, null],
    [0, claim(false, true), false, 2, 1, null],
    [1, claim(false, true), false, 2, 2, '2 batches in a row sent nothing (last error: ECONNREFUSED); the rest stays for the next run'],
    [5, claim(false, true), false, 0, 6, null],
    [1, claim(false, false), false, 2, 1, null],
    [1, claim(false, true), true, 2, 1, null],
  ] as const)('%i then %j (stopped %s, stop after %i) → %i, %s', (before, c, stopped, stopAfter, after, stop) => {
    expect(countFailedStreak(before, c, stopped, stopAfter)).toEqual({ inARow: after, stop });
  });
});
