import type { IncludePattern, Paper } from '../types.ts';
import { type CompiledKeyword, compileKeywords, countMentions } from './match-keywords.ts';

// How much evidence one paper gives for one domain. A title says what a paper is about, an abstract also says what
// it uses and compares with; so a title mention is worth several abstract mentions, and repeated abstract mentions
// count (a paper about LLMs names them again and again, one that uses an LLM once names it once) up to a cap, so
// that one word repeated in a long abstract cannot outweigh everything else.
export const TITLE_FACTOR = 3;
export const MAX_MENTIONS = 3;

export interface WeightedKeyword {
  keyword: CompiledKeyword;
  weight: number;
  inTitle: boolean;
  inAbstract: boolean;
}

export interface PaperEvidence {
  score: number;
  /** Patterns with a positive weight counted in the title, in config order. */
  inTitle: string[];
  /** Patterns with a positive weight counted in the abstract, in config order. */
  inAbstract: string[];
}

/** Compiles include patterns; throws a ConfigError naming the first one that is empty or not a valid regex. */
export function compileInclude(include: readonly IncludePattern[]): WeightedKeyword[] {
  return include.map((entry) => {
    const { pattern, weight = 1, in: where = 'anywhere' } = typeof entry === 'string' ? { pattern: entry } : entry;
    const [keyword] = compileKeywords([pattern]).keywords;
    if (!keyword) throw new Error(`unreachable: ${pattern} compiled to nothing`);
    return { keyword, weight, inTitle: where !== 'abstract', inAbstract: where !== 'title' };
  });
}

/** The pattern text of an include entry, as written in the config. */
export function patternOf(entry: IncludePattern): string {
  return typeof entry === 'string' ? entry : entry.pattern;
}

/** Sum of weight × (TITLE_FACTOR for a title mention + abstract mentions up to MAX_MENTIONS), plus category priors. */
export function scorePaper(
  keywords: readonly WeightedKeyword[],
  categoryWeights: Readonly<Record<string, number>>,
  paper: Paper,
): PaperEvidence {
  let score = 0;
  const inTitle: string[] = [];
  const inAbstract: string[] = [];
  for (const { keyword, weight, inTitle: countTitle, inAbstract: countAbstract } of keywords) {
    const title = countTitle && keyword.regex.test(paper.title);
    const mentions = countAbstract ? Math.min(countMentions(keyword, paper.abstract), MAX_MENTIONS) : 0;
    score += weight * ((title ? TITLE_FACTOR : 0) + mentions);
    if (weight > 0 && title) inTitle.push(keyword.pattern);
    if (weight > 0 && mentions > 0) inAbstract.push(keyword.pattern);
  }
  for (const category of new Set(paper.categories)) {
    if (Object.hasOwn(categoryWeights, category)) score += categoryWeights[category] ?? 0;
  }
  return { score, inTitle, inAbstract };
}
