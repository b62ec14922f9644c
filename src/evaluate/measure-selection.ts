// Runs the real selection on a labelled day and scores what each one-topic reader would get. Pure: papers,
// domains and labels in, scores out; the script scripts/eval-selection.ts does the reading and printing.
import { buildSegmentIssue, selectPapers } from '../select/index.ts';
import type { Domain, ISODate, Paper } from '../types.ts';
import type { Labels } from './parse-labels.ts';
import { MEASURES, macroAverage, scoreTopic, type Measure, type TopicScore } from './score-selection.ts';

/** A one-topic mail shows the domain's cap; the issue's targets are stated for 6. */
export const SHOWN = 6;

export interface SelectionReport {
  topics: TopicScore[];
  macro: Record<Measure, number | null>;
  /** Papers of the day with labels: the only ones selected from (see measureSelection). */
  labelled: number;
  /** Papers of the day without labels, left out. */
  unlabelled: number;
}

/**
 * Scores every configured domain that has labels. Papers without labels are left out of the day before selecting,
 * so a partly labelled day is measured as a smaller day rather than counting unjudged papers as wrong.
 */
export function measureSelection(
  papers: readonly Paper[],
  domains: readonly Domain[],
  labels: Labels,
  batchDate: ISODate,
  k: number = SHOWN,
): SelectionReport {
  const judged = new Set(labels.ids);
  const labelled = papers.filter((paper) => judged.has(paper.id));
  const day = new Set(labelled.map((paper) => paper.id));
  const measured = domains.filter((domain) => labels.grades.has(domain.id));
  const selections = selectPapers(labelled, measured);
  const topics = selections.map((selection) => {
    const topic = selection.domain.id;
    const issue = buildSegmentIssue(selections, { topics: [topic], language: 'en' }, batchDate, () => null);
    const shown = (issue.sections[0]?.entries ?? []).map((entry) => entry.paper.id);
    // Grades of papers not in this feed (a label file for another day) would lower recall for nothing.
    const grades = new Map([...(labels.grades.get(topic) ?? [])].filter(([id]) => day.has(id)));
    return scoreTopic(topic, selection.matches.map((match) => match.paper.id), shown, grades, k);
  });
  return { topics, macro: macroAverage(topics), labelled: labelled.length, unlabelled: papers.length - labelled.length };
}

const HEADERS: Record<Measure, string> = {
  precision: 'precision',
  recallOfCore: 'recall of core',
  precisionAtK: 'P@k shown',
  ndcgAtK: 'nDCG@k',
};

const format = (value: number | null): string => (value === null ? '–' : value.toFixed(2));

/** The report as a Markdown table, one row per topic and a macro row. */
export function renderScoreTable(report: SelectionReport, k: number = SHOWN): string {
  const header = ['topic', 'selected', ...MEASURES.map((m) => HEADERS[m].replace('@k', `@${k}`))];
  const rows = [
    ...report.topics.map((score) => [score.topic, String(score.selected), ...MEASURES.map((m) => format(score[m]))]),
    ['**macro**', '', ...MEASURES.map((m) => `**${format(report.macro[m])}**`)],
  ];
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
