// Measures a domain selection against graded labels (2 core, 1 related, 0 not; see
// test/fixtures/selection/labelling-guide.md). Pure: ids and grades in, numbers out.

/** Grades of one topic by paper id. A paper without a grade counts as 0: nobody judged it relevant. */
export type TopicGrades = ReadonlyMap<string, number>;

export const CORE = 2;
export const RELATED = 1;

/** One topic's quality; null where the measure is undefined (nothing selected, no core paper, nothing shown). */
export interface TopicScore {
  topic: string;
  selected: number;
  /** Selected papers graded ≥ 1 ÷ selected. */
  precision: number | null;
  /** Core papers selected ÷ core papers. */
  recallOfCore: number | null;
  /** Papers graded ≥ 1 among the first k shown ÷ how many of them there are. */
  precisionAtK: number | null;
  /** DCG of the first k shown (gain = grade) ÷ the DCG of the best possible k papers of the day. */
  ndcgAtK: number | null;
}

export type Measure = 'precision' | 'recallOfCore' | 'precisionAtK' | 'ndcgAtK';
export const MEASURES: readonly Measure[] = ['precision', 'recallOfCore', 'precisionAtK', 'ndcgAtK'];

const gradeOf = (grades: TopicGrades, id: string): number => grades.get(id) ?? 0;

export function precision(selected: readonly string[], grades: TopicGrades): number | null {
  if (selected.length === 0) return null;
  return selected.filter((id) => gradeOf(grades, id) >= RELATED).length / selected.length;
}

export function recallOfCore(selected: readonly string[], grades: TopicGrades): number | null {
  const core = [...grades].filter(([, grade]) => grade >= CORE).map(([id]) => id);
  if (core.length === 0) return null;
  const picked = new Set(selected);
  return core.filter((id) => picked.has(id)).length / core.length;
}

/**
 * Precision of the first k papers shown. A mail that shows fewer than k (a thin day) is judged on what it shows:
 * recall already counts what it missed.
 */
export function precisionAtK(shown: readonly string[], grades: TopicGrades, k: number): number | null {
  return precision(shown.slice(0, k), grades);
}

function dcg(gains: readonly number[]): number {
  return gains.reduce((sum, gain, rank) => sum + gain / Math.log2(rank + 2), 0);
}

/** nDCG with the grade as gain, so a core paper on top is worth twice a related one. */
export function ndcgAtK(shown: readonly string[], grades: TopicGrades, k: number): number | null {
  const ideal = dcg([...grades.values()].sort((a, b) => b - a).slice(0, k));
  if (ideal === 0) return null;
  return dcg(shown.slice(0, k).map((id) => gradeOf(grades, id))) / ideal;
}

/** Every measure of one topic: `selected` is the topic's whole selection, `shown` what its mail shows, in order. */
export function scoreTopic(
  topic: string,
  selected: readonly string[],
  shown: readonly string[],
  grades: TopicGrades,
  k: number,
): TopicScore {
  return {
    topic,
    selected: selected.length,
    precision: precision(selected, grades),
    recallOfCore: recallOfCore(selected, grades),
    precisionAtK: precisionAtK(shown, grades, k),
    ndcgAtK: ndcgAtK(shown, grades, k),
  };
}

/** The mean of each measure over the topics where it is defined (null when it is defined for none). */
export function macroAverage(scores: readonly TopicScore[]): Record<Measure, number | null> {
  const mean = (measure: Measure): number | null => {
    const values = scores.map((score) => score[measure]).filter((value): value is number => value !== null);
    return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
  };
  return Object.fromEntries(MEASURES.map((measure) => [measure, mean(measure)])) as Record<Measure, number | null>;
}
