import { describe, expect, it } from 'vitest';
import { RenderError } from '../../src/errors.ts';
import { formatIssueDate, formatShortDate } from '../../src/render/format-date.ts';

describe('formatIssueDate', () => {
  it.each([
    ['2025-11-14', 'Friday, 14 November 2025', '2025年11月14日 星期五'],
    ['2025-01-05', 'Sunday, 5 January 2025', '2025年1月5日 星期日'],
    // Around the US DST switches: a calendar date must not move to a neighbouring day.
    ['2025-03-09', 'Sunday, 9 March 2025', '2025年3月9日 星期日'],
    ['2025-11-02', 'Sunday, 2 November 2025', '2025年11月2日 星期日'],
    ['2024-02-29', 'Thursday, 29 February 2024', '2024年2月29日 星期四'],
  ])('%s', (date, en, zh) => {
    expect(formatIssueDate(date)).toEqual({ en, zh });
  });

  it.each(['2025-02-30', '2025-13-01', '14/11/2025', '2025-11-14T10:00:00', ''])('rejects %j', (date) => {
    expect(() => formatIssueDate(date)).toThrow(RenderError);
  });
});

describe('formatShortDate', () => {
  it.each([
    ['2025-11-14', 'Fri 14 Nov 2025', '2025年11月14日'],
    ['2025-09-05', 'Fri 5 Sep 2025', '2025年9月5日'],
  ])('%s', (date, en, zh) => {
    expect(formatShortDate(date)).toEqual({ en, zh });
  });
});
