// The one rule for what a reader may follow: keywords, excluded keywords and authors, as the subscriber CSV (a
// `;`-separated column each) and the preferences page (one per line) state them. Pure: text in, values and
// problems out. Readers never get raw `/regex/` patterns: a hostile pattern could stall every run.
import { describeHiddenCharacter, findHiddenCharacter } from '../hidden-characters.ts';
import { normalizeAuthorName } from '../select/index.ts';
import type { ReaderInterests } from '../types.ts';

export const MAX_INTERESTS = 20;
export const MIN_INTEREST_LENGTH = 2;
export const MAX_INTEREST_LENGTH = 80;

export type InterestKind = keyof ReaderInterests;
export const INTEREST_KINDS: readonly InterestKind[] = ['keywords', 'exclude', 'authors'];

export type InterestProblemCode = 'hidden-character' | 'length' | 'regex' | 'no-letter' | 'too-many';

export interface InterestProblem {
  kind: InterestKind;
  code: InterestProblemCode;
  /** What was typed, for the message (the caller escapes it for its medium). */
  value?: string;
  /** In English, for the CSV report; the web form words each code in both languages. */
  reason: string;
}

/**
 * One list of interests from the text a reader typed: split on `;` (and on line breaks, for a text box), trimmed,
 * inner white space collapsed, duplicates (ignoring case) dropped. Each bad value is a problem and left out.
 */
export function parseInterestList(text: string, kind: InterestKind): { values: string[]; problems: InterestProblem[] } {
  const values: string[] = [];
  const problems: InterestProblem[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/[;\n\r]+/)) {
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    const hidden = findHiddenCharacter(trimmed.replace(/\s+/g, ' '));
    if (hidden) {
      problems.push({ kind, code: 'hidden-character', value: trimmed, reason: `contains ${describeHiddenCharacter(hidden)}` });
      continue;
    }
    const value = trimmed.replace(/\s+/g, ' ');
    const length = [...value].length;
    if (length < MIN_INTEREST_LENGTH || length > MAX_INTEREST_LENGTH) {
      problems.push({ kind, code: 'length', value, reason: `must be ${MIN_INTEREST_LENGTH}–${MAX_INTEREST_LENGTH} characters long` });
      continue;
    }
    if (kind !== 'authors' && value.startsWith('/') && value.endsWith('/')) {
      problems.push({ kind, code: 'regex', value, reason: 'regular expressions are for the config; write the word or phrase' });
      continue;
    }
    if (!/[\p{L}\p{N}]/u.test(value)) {
      problems.push({ kind, code: 'no-letter', value, reason: 'has no letter or digit' });
      continue;
    }
    const key = kind === 'authors' ? normalizeAuthorName(value) : value.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    values.push(value);
  }
  if (values.length > MAX_INTERESTS) {
    problems.push({ kind, code: 'too-many', reason: `at most ${MAX_INTERESTS} ${kind === 'authors' ? 'authors' : 'keywords'}; ${values.length} given` });
    values.length = MAX_INTERESTS;
  }
  return { values, problems };
}

/** All three lists at once; `texts` holds what was typed per kind (absent: empty). */
export function parseInterests(texts: Partial<Record<InterestKind, string>>): {
  interests: ReaderInterests;
  problems: InterestProblem[];
} {
  const interests: ReaderInterests = { keywords: [], exclude: [], authors: [] };
  const problems: InterestProblem[] = [];
  for (const kind of INTEREST_KINDS) {
    const parsed = parseInterestList(texts[kind] ?? '', kind);
    interests[kind] = parsed.values;
    problems.push(...parsed.problems);
  }
  return { interests, problems };
}
