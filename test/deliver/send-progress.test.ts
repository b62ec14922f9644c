import { describe, expect, it } from 'vitest';
import type { SendProgress } from '../../src/deliver/send-issue.ts';
import { createSendProgress, formatSendProgress, sendProgressRecord } from '../../src/deliver/send-progress.ts';

const base: SendProgress = {
  segmentId: 'en.llm',
  batchNo: 3,
  mails: 100,
  sent: 0,
  failed: 0,
  bounced: 0,
  unknown: 0,
  skipped: 0,
  done: 0,
  total: 0,
  elapsedMs: 0,
};

describe('formatSendProgress', () => {
  it.each([
    [{ done: 0, total: 10_000, elapsedMs: 0 }, 'sending [░░░░░░░░░░] 0/10,000 0% · 0 mail/s · ETA ?'],
    [{ done: 4200, sent: 4200, total: 10_000, elapsedMs: 5000 }, 'sending [████░░░░░░] 4,200/10,000 42% · 840 mail/s · ETA 7 s'],
    [{ done: 1000, sent: 990, failed: 3, skipped: 7, total: 100_000, elapsedMs: 10_000 }, 'sending [░░░░░░░░░░] 1,000/100,000 1% · 100 mail/s · ETA 16 min 30 s · 3 failed · 7 skipped'],
    [{ done: 50, sent: 50, total: 50, elapsedMs: 1000 }, 'sending [██████████] 50/50 100% · 50 mail/s · done'],
    [{ done: 0, total: 0, elapsedMs: 5 }, 'sending [██████████] 0/0 100% · 0 mail/s · done'],
  ])('%j', (p, line) => {
    expect(formatSendProgress({ ...base, ...p }, 10)).toBe(line);
  });
});

describe('progress output', () => {
  it('logs one record per claim when stderr is not a terminal', () => {
    const records: object[] = [];
    const progress = createSendProgress({ transport: 'smtp', record: (r) => records.push(r) });
    progress.update({ ...base, done: 100, sent: 99, bounced: 1, total: 300, elapsedMs: 2000 });
    progress.end();
    expect(records).toEqual([sendProgressRecord({ ...base, done: 100, sent: 99, bounced: 1, total: 300, elapsedMs: 2000 }, 'smtp')]);
    expect(records[0]).toMatchObject({ event: 'send-batch', transport: 'smtp', batch: 3, done: 100, total: 300, mailsPerSecond: 50 });
  });

  it('gathers small claims into a record per ~100 mails, and logs the last state at the end', () => {
    const records: Array<{ done: number }> = [];
    const progress = createSendProgress({ transport: 'smtp', record: (r) => records.push(r) });
    for (let done = 5; done <= 250; done += 5) progress.update({ ...base, mails: 5, done, sent: done, total: 300, elapsedMs: done * 10 });
    progress.end();
    expect(records.map((r) => r.done)).toEqual([5, 105, 205, 250]);
  });

  it('redraws one bar in the status line and ends that line at the end', () => {
    const calls: string[] = [];
    const status = { show: (text: string) => calls.push(`show ${text}`), end: () => calls.push('end') };
    const progress = createSendProgress({ transport: 'smtp', status, record: () => expect.unreachable(), redrawMs: 0 });
    progress.update({ ...base, done: 1, sent: 1, total: 2, elapsedMs: 10 });
    progress.update({ ...base, done: 2, sent: 2, total: 2, elapsedMs: 20 });
    progress.end();
    expect(calls.every((c) => c === 'end' || c.startsWith('show sending ['))).toBe(true);
    expect(calls.at(-1)).toBe('end');
    expect(calls.at(-2)).toContain('2/2 100% · 100 mail/s · done');
  });
});
