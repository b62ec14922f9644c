import { ConfigError } from '../errors.ts';

/** One compiled pattern: the text as written in the config, and the expression that finds it. */
export interface CompiledKeyword {
  pattern: string;
  regex: RegExp;
  /** The same expression with the `g` flag, for counting mentions (kept apart: a `g` regex carries state). */
  every: RegExp;
}

/** Patterns compiled once per domain; reused for every paper of the batch. */
export interface KeywordMatcher {
  readonly keywords: readonly CompiledKeyword[];
}

// `\b` only knows ASCII word characters, so "größe" or "模型" would get boundaries inside them. A boundary here is
// "no letter or digit on that side"; hyphens, apostrophes and brackets are boundaries ("LLM-based", "(LLM)").
const BEFORE = '(?<![\\p{L}\\p{N}])';
const AFTER = '(?![\\p{L}\\p{N}])';
// Inside a phrase any run of whitespace (line breaks included: feeds wrap long titles) or hyphens stands for any
// other, so "chain of thought" finds "chain-of-thought". En dash is in because papers write "vision–language".
const JOINER = '[\\s\\-\\u2010\\u2011\\u2012\\u2013]+';
const WORD_SPLIT = /[\s\-\u2010\u2011\u2012\u2013]+/u;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function compileRaw(pattern: string): RegExp {
  const body = pattern.slice(1, -1);
  if (body === '') throw new ConfigError(`Keyword pattern ${JSON.stringify(pattern)} is an empty regex.`, [pattern]);
  try {
    return new RegExp(body, 'iu');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Keyword pattern ${JSON.stringify(pattern)} is not a valid regex: ${reason}`, [pattern], {
      cause: error,
    });
  }
}

function compileLiteral(pattern: string): RegExp {
  const words = pattern.trim().split(WORD_SPLIT).filter((word) => word !== '');
  if (words.length === 0) throw new ConfigError(`Keyword pattern ${JSON.stringify(pattern)} is empty.`, [pattern]);
  const last = words[words.length - 1] ?? '';
  // A plural only makes sense after a letter: "C++s" or "3Ds"-style suffixes would only add false hits.
  const plural = /\p{L}$/u.test(last) ? '(?:e?s)?' : '';
  return new RegExp(`${BEFORE}${words.map(escapeRegex).join(JOINER)}${plural}${AFTER}`, 'iu');
}

function isRawRegex(pattern: string): boolean {
  return pattern.length >= 2 && pattern.startsWith('/') && pattern.endsWith('/');
}

/**
 * Compiles domain keywords. A plain pattern is a case-insensitive word or phrase, matched whole (with an optional
 * plural `s`/`es`); a pattern written `/…/` is a raw regular expression compiled with the flags `iu`.
 * Throws a ConfigError naming the first pattern that is empty or not a valid regex.
 */
export function compileKeywords(patterns: readonly string[]): KeywordMatcher {
  const seen = new Set<string>();
  const keywords: CompiledKeyword[] = [];
  for (const pattern of patterns) {
    if (seen.has(pattern)) continue;
    seen.add(pattern);
    let keyword = compiled.get(pattern);
    if (!keyword) {
      const regex = isRawRegex(pattern) ? compileRaw(pattern) : compileLiteral(pattern);
      keyword = { pattern, regex, every: new RegExp(regex.source, `${regex.flags}g`) };
      if (compiled.size > 50_000) compiled.clear();
      compiled.set(pattern, keyword);
    }
    keywords.push(keyword);
  }
  return { keywords };
}

// Every reader's own keywords are compiled too, and lists repeat them: each distinct pattern is compiled once. (A
// `g` expression carries state, but `every` is only used through matchAll, which copies it.)
const compiled = new Map<string, CompiledKeyword>();

/** The patterns (as written in the config, in config order) found in `text`. */
export function matchKeywords(matcher: KeywordMatcher, text: string): string[] {
  const found: string[] = [];
  for (const { pattern, regex } of matcher.keywords) {
    if (regex.test(text)) found.push(pattern);
  }
  return found;
}

/** How many times one pattern occurs in `text` (non-overlapping; an empty match counts once). */
export function countMentions(keyword: CompiledKeyword, text: string): number {
  let count = 0;
  for (const _ of text.matchAll(keyword.every)) count++;
  return count;
}
