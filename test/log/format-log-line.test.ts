import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../src/log/format-log-line.ts';

// The local time of day of the record, as the formatter shows it (the machine's zone decides the hour).
const time = '2025-11-14T05:31:07.123Z';
const local = new Date(time).toTimeString().slice(0, 8);

describe('formatLogLine', () => {
  it.each([
    [{ level: 'info', time, msg: 'collecting 1 feed' }, `${local} INFO  collecting 1 feed`],
    [{ level: 'warn', time, msg: 'fetch 2', deadline: '2025-11-14T09:30:00.000Z' }, `${local} WARN  fetch 2 deadline=2025-11-14T09:30:00.000Z`],
    [{ level: 'error', time, msg: 'GET /', status: 500, ms: 3 }, `${local} ERROR GET / status=500 ms=3`],
    [{ level: 'info', time, msg: 'm', reason: 'two words', quote: 'a"b', ok: true, n: null }, `${local} INFO  m reason="two words" quote="a\\"b" ok=true n=null`],
    [{ level: 'info', time, msg: 'm', batch: { n: 1 } }, `${local} INFO  m batch={"n":1}`],
    [{ level: 'debug', time: 'not a time', msg: 'm' }, '--:--:-- DEBUG m'],
  ])('%j', (record, line) => {
    expect(formatLogLine(record)).toBe(line);
  });

  it('puts a stack on indented lines of its own', () => {
    expect(formatLogLine({ level: 'error', time, msg: 'boom', stack: 'Error: boom\n    at f (x.ts:1:1)' })).toBe(
      `${local} ERROR boom\n    Error: boom\n        at f (x.ts:1:1)`,
    );
  });

  it('shows hidden characters escaped, so a message cannot drive the terminal', () => {
    const line = formatLogLine({ level: 'warn', time, msg: 'feed \u001b]0;owned\u0007 failed' });
    expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(line).toContain('feed ');
  });
});
