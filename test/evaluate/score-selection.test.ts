import { describe, expect, it } from 'vitest';
import {
  macroAverage,
  ndcgAtK,
  precision,
  precisionAtK,
  recallOfCore,
  scoreTopic,
  type TopicScore,
} from '../../src/evaluate/score-selection.ts';

// Hand-made days: a→core, b→core, c→related, d→not, e→not; "x" has no grade (counts as not).
const grades = new Map([
  ['a', 2],
  ['b', 2],
  ['c', 1],
  ['d', 0],
  ['e', 0],
]);
const noCore = new Map([
  ['c', 1],
  ['d', 0],
]);
const nothingRelevant = new Map([['d', 0]]);

// DCG terms by rank: 1/log2(2)=1, 1/log2(3)≈0.631, 1/log2(4)=0.5.
const IDEAL_3 = 2 + 2 * 0.6309297535714574 + 1 * 0.5;

describe('precision: selected papers graded ≥ 1 ÷ selected', () => {
  it.each<[string, string[], Map<string, number>, number | null]>([
    ['all relevant', ['a', 'b', 'c'], grades, 1],
    ['one of four not', ['a', 'b', 'c', 'd'], grades, 0.75],
    ['a related paper counts', ['c', 'd'], grades, 0.5],
    ['an ungraded paper counts as not', ['a', 'x'], grades, 0.5],
    ['nothing selected: undefined', [], grades, null],
  ])('%s', (_label, selected, topic, expected) => {
    expect(precision(selected, topic)).toBe(expected);
  });
});

describe('recall of core: core papers selected ÷ core papers', () => {
  it.each<[string, string[], Map<string, number>, number | null]>([
    ['both core papers', ['a', 'b', 'd'], grades, 1],
    ['one of two', ['a', 'c'], grades, 0.5],
    ['related papers do not count', ['c'], grades, 0],
    ['no core paper that day: undefined', ['c'], noCore, null],
  ])('%s', (_label, selected, topic, expected) => {
    expect(recallOfCore(selected, topic)).toBe(expected);
  });
});

describe('P@k of the papers shown, in order', () => {
  it.each<[string, string[], number, number | null]>([
    ['only the first k count', ['a', 'b', 'd', 'e'], 2, 1],
    ['k of a longer list', ['a', 'd', 'b', 'e'], 2, 0.5],
    ['fewer shown than k: judged on what is shown', ['a', 'd'], 6, 0.5],
    ['nothing shown: undefined', [], 6, null],
  ])('%s', (_label, shown, k, expected) => {
    expect(precisionAtK(shown, grades, k)).toBe(expected);
  });
});

describe('nDCG@k with the grade as gain', () => {
  it.each<[string, string[], Map<string, number>, number, number | null]>([
    ['the ideal order', ['a', 'b', 'c'], grades, 3, 1],
    ['core papers in any order among themselves', ['b', 'a', 'c'], grades, 3, 1],
    ['a related paper first', ['c', 'a', 'b'], grades, 3, (1 + 2 * 0.6309297535714574 + 2 * 0.5) / IDEAL_3],
    ['a wrong paper first', ['d', 'a', 'b'], grades, 3, (2 * 0.6309297535714574 + 2 * 0.5) / IDEAL_3],
    ['a missing core paper lowers it', ['a', 'c'], grades, 3, (2 + 0.6309297535714574) / IDEAL_3],
    ['only relevant papers the day has are the ideal', ['c'], noCore, 6, 1],
    ['nothing relevant that day: undefined', ['d'], nothingRelevant, 6, null],
  ])('%s', (_label, shown, topic, k, expected) => {
    const value = ndcgAtK(shown, topic, k);
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 10);
  });
});

describe('macroAverage', () => {
  const score = (topic: string, values: Partial<TopicScore>): TopicScore => ({
    topic,
    selected: 1,
    precision: null,
    recallOfCore: null,
    precisionAtK: null,
    ndcgAtK: null,
    ...values,
  });

  it('averages each measure over the topics where it is defined', () => {
    const macro = macroAverage([
      score('a', { precision: 1, recallOfCore: 0.5, precisionAtK: 1, ndcgAtK: 0.25 }),
      score('b', { precision: 0.5, recallOfCore: null, precisionAtK: 0, ndcgAtK: 0.75 }),
    ]);
    expect(macro).toEqual({ precision: 0.75, recallOfCore: 0.5, precisionAtK: 0.5, ndcgAtK: 0.5 });
  });

  it('is null for a measure no topic defines', () => {
    expect(macroAverage([score('a', {})]).precision).toBeNull();
  });
});

it('scoreTopic puts the measures of one topic together', () => {
  expect(scoreTopic('llm', ['a', 'c', 'd', 'e'], ['a', 'c'], grades, 6)).toEqual({
    topic: 'llm',
    selected: 4,
    precision: 0.5,
    recallOfCore: 0.5,
    precisionAtK: 1,
    ndcgAtK: (2 + 0.6309297535714574) / IDEAL_3,
  });
});
