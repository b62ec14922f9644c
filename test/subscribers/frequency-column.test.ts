import { describe, expect, it } from 'vitest';
import { parseSubscriberCsv } from '../../src/subscribers/parse-subscriber-csv.ts';

// The optional `frequency` column of the subscriber CSV (issue 12, part 5): daily or weekly, validated like the
// other columns, a bad value reported with its line and the row left out.

const TOPICS = ['llm', 'agents'];

describe('subscriber CSV: frequency', () => {
  it('reads daily and weekly in any case; empty means daily; no column leaves the row without one (kept as stored)', () => {
    const { rows, problems } = parseSubscriberCsv(
      ['email,topics,frequency', 'a@example.org,llm,weekly', 'b@example.org,llm,Daily', 'c@example.org,llm,', 'd@example.org,llm, WEEKLY '].join('\n'),
      TOPICS,
    );
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.email, r.frequency])).toEqual([
      ['a@example.org', 'weekly'],
      ['b@example.org', 'daily'],
      ['c@example.org', 'daily'],
      ['d@example.org', 'weekly'],
    ]);
    const without = parseSubscriberCsv('email,topics\na@example.org,llm\n', TOPICS);
    expect(without.rows[0]).not.toHaveProperty('frequency');
  });

  it('reports an unknown frequency with its line, next to the row’s other problems, and keeps the good rows', () => {
    const { rows, problems } = parseSubscriberCsv(
      ['email,topics,frequency', 'a@example.org,llm,weekly', 'b@example.org,llm,hourly', 'c@example.org,astrology,monthly'].join('\n'),
      TOPICS,
    );
    expect(rows.map((r) => r.email)).toEqual(['a@example.org']);
    expect(problems).toEqual([
      { line: 3, email: 'b@example.org', message: 'unknown frequency "hourly" (valid: daily, weekly; empty means daily)' },
      {
        line: 4,
        email: 'c@example.org',
        message: 'unknown topic "astrology" (valid: llm, agents); unknown frequency "monthly" (valid: daily, weekly; empty means daily)',
      },
    ]);
  });

  it('refuses a frequency column given twice', () => {
    const { rows, problems } = parseSubscriberCsv('email,topics,frequency,frequency\na@example.org,llm,daily,weekly\n', TOPICS);
    expect(rows).toEqual([]);
    expect(problems[0]?.message).toContain('column frequency given twice');
  });
});
