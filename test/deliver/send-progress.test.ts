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
    [{ done: 0, total: 10_000, elapsedMs: 0 }, 'sending [░░░░░░░░░░] 0/10,000 0% · 0 mails/s · ETA ?'],
    [{ done: 4200, sent: 4200, total: 10_000, elapsedMs: 5000 }, 'sending [████░░░░░░] 4,200/10,000 42% · 840 mails/s · ETA 7 s'],
    [{ done: 1000, sent: 990, failed: 3, skipped: 7, total: 100_000, elapsedMs: 10_000 }, 'sending [░░░░░░░░░░] 1,000/100,000 1% · 100 mails/s · ETA 16 min 30 s · 3 failed · 7 skipped'],
    [{ done: 50, sent: 50, total: 50, elapsedMs: 1000 }, 'sending [██████████] 50/50 100% · 50 mails/s · done'],
    [{ done: 0, total: 0, elapsedMs: 5 }, 'sending [██████████] 0/0 100% · 0 mails/s · done'],
  ])('%j', (p, line) => {
    expect(formatSendProgress({ ...base, ...p }, 10)).toBe(line);
  });
});

describe('progress output', () => {
  it('logs one JSON line per claim when stderr is not a terminal', () => {
    const lines: string[] = [];
    const progress = createSendProgress({ isTTY: false, transport: 'smtp', write: () => expect.unreachable(), line: (t) => lines.push(t) });
    progress.update({ ...base, done: 100, sent: 99, bounced: 1, total: 300, elapsedMs: 2000 });
    progress.end();
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { ...sendProgressRecord({ ...base, done: 100, sent: 99, bounced: 1, total: 300, elapsedMs: 2000 }, 'smtp') },
    ]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'send-batch', transport: 'smtp', batch: 3, done: 100, total: 300, mailsPerSecond: 50 });
  });

  it('gathers small claims into a line per ~100 mails, and logs the last state at the end', () => {
    const lines: string[] = [];
    const progress = createSendProgress({ isTTY: false, transport: 'smtp', write: () => expect.unreachable(), line: (t) => lines.push(t) });
    for (let done = 5; done <= 250; done += 5) progress.update({ ...base, mails: 5, done, sent: done, total: 300, elapsedMs: done * 10 });
    progress.end();
    expect(lines.map((l) => JSON.parse(l).done)).toEqual([5, 105, 205, 250]);
  });

  it('redraws one bar in place on a terminal and ends it with a newline', () => {
    const chunks: string[] = [];
    const progress = createSendProgress({ isTTY: true, transport: 'smtp', write: (c) => chunks.push(c), line: () => expect.unreachable(), redrawMs: 0 });
    progress.update({ ...base, done: 1, sent: 1, total: 2, elapsedMs: 10 });
    progress.update({ ...base, done: 2, sent: 2, total: 2, elapsedMs: 20 });
    progress.end();
    expect(chunks.every((c) => c === '\n' || c.startsWith('\rsending ['))).toBe(true);
    expect(chunks.at(-1)).toBe('\n');
    expect(chunks.at(-2)).toContain('2/2 100%');
  });
});
