import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/net/retry-after.ts';

const now = Date.parse('2025-11-14T05:00:00Z');
const HUGE = '9'.repeat(400);

// The feed download's reading (was parseRetryAfter in arxiv/fetch-feed.ts; its rows are the first eight).
describe("parseRetryAfter, 'strict' (the default)", () => {
  it.each([
    [null, null],
    ['0', 0],
    ['120', 120_000],
    [' 5 ', 5000],
    ['Fri, 14 Nov 2025 05:01:00 GMT', 60_000],
    ['Fri, 14 Nov 2025 04:00:00 GMT', 0],
    ['soon', null],
    ['-3', null],
    [undefined, null],
    ['', null],
    ['   ', null],
    ['1.5', null],
    ['+5', null],
    ['1e3', null],
    ['0x10', null],
    ['Infinity', null],
    ['5 s', null],
    ['2025-11-14T05:00:30Z', null],
    [' Fri, 14 Nov 2025 05:01:00 GMT ', 60_000],
    ['99999999999', 99_999_999_999_000],
    [HUGE, Infinity],
  ])('%j → %j', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
    expect(parseRetryAfter(header, now, 'strict')).toBe(expected);
  });
});

// The translator's and the Resend transport's reading (each kept its own caller-specific headers around it).
describe("parseRetryAfter, 'number'", () => {
  it.each([
    [null, null],
    [undefined, null],
    ['0', 0],
    ['2', 2000],
    [' 5 ', 5000],
    ['0.5', 500],
    ['1.5', 1500],
    ['+5', 5000],
    ['-3', 0],
    ['1e3', 1_000_000],
    ['0x10', 16_000],
    ['', 0],
    ['   ', 0],
    ['soon', null],
    ['5 s', null],
    ['Infinity', null],
    ['NaN', null],
    ['Fri, 14 Nov 2025 05:00:30 GMT', 30_000],
    ['Fri, 14 Nov 2025 04:00:00 GMT', 0],
    ['2025-11-14T05:00:30Z', 30_000],
    ['99999999999', 99_999_999_999_000],
    ['1e306', Infinity],
    ['1e400', null],
    [HUGE, null],
  ])('%j → %j', (header, expected) => {
    expect(parseRetryAfter(header, now, 'number')).toBe(expected);
  });
});
