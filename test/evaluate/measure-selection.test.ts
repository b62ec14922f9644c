import { describe, expect, it } from 'vitest';
import { measureSelection, renderScoreTable } from '../../src/evaluate/measure-selection.ts';
import { parseLabels } from '../../src/evaluate/parse-labels.ts';
import { domain, paper } from '../support/builders.ts';

// A hand-made day of four papers, three of them labelled; one domain whose mail shows one paper, measured at k = 1.
// The core paper is the only one about agents in its title, so any sensible ranking shows it.
const papers = [
  paper('2510.00001', { title: 'Agents that plan', abstract: 'An agent plans with other agents.' }),
  paper('2510.00002', { abstract: 'We compare with an agent baseline.' }),
  paper('2510.00003', { abstract: 'A tool-using agent helps.' }),
  paper('2510.00004', { title: 'Agents, unlabelled' }),
];
const agents = domain('agents', { include: ['agent'], cap: 1 });
const labels = parseLabels('id,agents,vision\n2510.00001,2,0\n2510.00002,0,0\n2510.00003,1,0\n', 'labels.csv');

describe('measureSelection', () => {
  const report = measureSelection(papers, [agents, domain('unlabelled-topic')], labels, '2025-10-22', 1);

  it('selects from the labelled papers only and scores only domains that have labels', () => {
    expect(report.labelled).toBe(3);
    expect(report.unlabelled).toBe(1);
    expect(report.topics.map((score) => score.topic)).toEqual(['agents']);
  });

  it('scores the whole selection and, for P@k and nDCG@k, what the one-topic mail shows', () => {
    const [score] = report.topics;
    expect(score).toEqual({ topic: 'agents', selected: 3, precision: 2 / 3, recallOfCore: 1, precisionAtK: 1, ndcgAtK: 1 });
  });

  it('renders a Markdown table with a macro row', () => {
    expect(renderScoreTable(report, 1)).toBe(
      [
        '| topic | selected | precision | recall of core | P@1 shown | nDCG@1 |',
        '| --- | --- | --- | --- | --- | --- |',
        '| agents | 3 | 0.67 | 1.00 | 1.00 | 1.00 |',
        '| **macro** |  | **0.67** | **1.00** | **1.00** | **1.00** |',
      ].join('\n'),
    );
  });
});
