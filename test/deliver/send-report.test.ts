import { describe, expect, it } from 'vitest';
import { addTally, FAILURES_LISTED, progressOf, startSendResult, stopSending } from '../../src/deliver/send-report.ts';
import { emptyTally } from '../../src/deliver/settle-outcomes.ts';
import type { LedgerSummary } from '../../src/store/deliveries.ts';

// The run's report as the send loop fills it in.

const BEFORE: LedgerSummary = {
  counts: { planned: 10, sending: 0, sent: 4, failed: 3, bounced: 0, unknown: 2, skipped: 0 },
  failedTransient: 1,
  unknownByTransport: { resend: 2 },
  total: 19,
};

describe('send report', () => {
  it('counts what there is to send: planned, transient failures and the unknown rows this run may send again', () => {
    expect(startSendResult('resend', BEFORE, 2, 2)).toMatchObject({ total: 13, alreadySent: 4, interrupted: 2, stopped: null, ledgerAfter: BEFORE });
  });

  it('lists the first failures and counts them all', () => {
    const result = startSendResult('smtp', BEFORE, 0, 0);
    const failures = Array.from({ length: FAILURES_LISTED + 5 }, (_, i) => ({ subscriberId: i + 1, email: `r${i + 1}@example.org`, status: 'failed' as const, error: '451' }));
    addTally(result, { ...emptyTally(), sent: 3, failed: 20, bounced: 5, resolved: 1, failures: failures.slice(0, 10) });
    addTally(result, { ...emptyTally(), unknown: 2, failures: failures.slice(10) });
    expect(result).toMatchObject({ sent: 3, failed: 20, bounced: 5, unknown: 2, resolved: 1, failuresTotal: FAILURES_LISTED + 5 });
    expect(result.failures.map((f) => f.subscriberId)).toEqual(Array.from({ length: FAILURES_LISTED }, (_, i) => i + 1));
    expect(progressOf(result, { segmentId: 'en.llm', batchNo: 3, mails: 2 }, 1500)).toMatchObject({ done: 30, total: 11, batchNo: 3, elapsedMs: 1500 });
  });

  it('keeps the first reason a run stopped for', () => {
    const result = startSendResult('resend', BEFORE, 0, 0);
    stopSending(result, 'quota used up');
    stopSending(result, 'the lock was taken over');
    expect(result.stopped).toBe('quota used up');
  });
});
