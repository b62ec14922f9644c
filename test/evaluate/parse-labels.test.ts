import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { parseLabels } from '../../src/evaluate/parse-labels.ts';

describe('parseLabels', () => {
  it('reads the header topics and each paper’s grades, skipping comments and blank lines', () => {
    const labels = parseLabels('# how these were made\nid,llm,vision\n2510.00001,2,0\n\n2510.00002,1,2\n', 'labels.csv');
    expect(labels.topics).toEqual(['llm', 'vision']);
    expect(labels.ids).toEqual(['2510.00001', '2510.00002']);
    expect([...(labels.grades.get('vision') ?? [])]).toEqual([
      ['2510.00001', 0],
      ['2510.00002', 2],
    ]);
  });

  it.each([
    ['no header', '2510.00001,2,0\n', /header/],
    ['a grade out of range', 'id,llm\n2510.00001,3\n', /labels\.csv:2:/],
    ['a missing grade', 'id,llm,vision\n2510.00001,1\n', /labels\.csv:2:/],
    ['a paper twice', 'id,llm\n2510.00001,1\n2510.00001,0\n', /labelled twice/],
  ])('%s is a UsageError naming the line', (_label, text, message) => {
    expect(() => parseLabels(text, 'labels.csv')).toThrow(UsageError);
    expect(() => parseLabels(text, 'labels.csv')).toThrow(message);
  });
});
