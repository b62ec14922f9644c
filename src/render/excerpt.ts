import { displayWidth } from './truncate.ts';

// Whole-sentence excerpts of abstracts (issue 11, item 3). A cut abstract that stops mid-thought ("…a critical
// question remains. …") reads as broken; an excerpt that ends at a sentence end reads as a short summary. Where the
// Chinese is a translation of the English, both languages show the same sentences, so a bilingual reader is not
// given two different halves of the story.

/** `$$…$$` or `$…$`, not preceded by a backslash (an escaped dollar is a literal). */
const MATH_SPAN = /(?<!\\)\$\$[\s\S]+?(?<!\\)\$\$|(?<!\\)\$[^$\n]+?(?<!\\)\$/gu;

/**
 * Words whose final period is not a sentence end, lower-cased, without that period. "et al" and "e.g" are the ones
 * abstracts are full of; the figure/section ones come before numbers ("Fig. 3"), which the lower-case rule alone
 * would not catch.
 */
const ABBREVIATIONS = new Set([
  'e.g', 'i.e', 'et al', 'al', 'vs', 'cf', 'viz', 'resp', 'approx', 'incl', 'w.r.t', 'a.k.a', 'fig', 'figs', 'eq',
  'eqs', 'sec', 'secs', 'no', 'nos', 'ref', 'refs', 'tab', 'dr', 'prof', 'mr', 'ms', 'st', 'jr', 'ca', 'u.s',
]);

/** Full-width sentence ends: a Chinese sentence ends there, with or without a space after. */
const WIDE_END = /[。！？；]/u;
const NARROW_END = /[.!?]/u;
const CLOSERS = /[”’"'」』）)\]]/u;
const HAN = /\p{Script=Han}/u;
const LOWER_START = /^\p{Ll}/u;

/** The text with every math span's characters replaced by `x`, so nothing inside `$…$` is read as punctuation. */
function maskMath(text: string): string {
  return text.replace(MATH_SPAN, (span) => 'x'.repeat(span.length));
}

/** The word before the period at `dot` (letters, digits and inner periods), lower-cased: "e.g", "al", "fig". */
function wordBefore(text: string, dot: number): string {
  let start = dot;
  while (start > 0 && /[\p{L}\p{N}.]/u.test(text.charAt(start - 1))) start--;
  const word = text.slice(start, dot).toLowerCase();
  // "et al." is two words.
  return word === 'al' && /\bet\s+$/iu.test(text.slice(Math.max(0, start - 4), start)) ? 'et al' : word;
}

/**
 * Offsets where the sentences of `text` end (after any closing quote or bracket, before the spaces that follow),
 * the last one being the end of the text. A period ends a sentence only when followed by a space and not by a
 * lower-case word, and not after an abbreviation ("e.g.", "et al.", "vs.") or an initial ("J. Smith"); decimals
 * and version numbers ("3.5", "v2.1.0") have no space after the period. 。！？； end a sentence wherever they
 * stand. Nothing inside `$…$` counts.
 */
export function sentenceEnds(text: string): number[] {
  const masked = maskMath(text);
  const ends: number[] = [];
  for (let i = 0; i < masked.length; i++) {
    const char = masked.charAt(i);
    const wide = WIDE_END.test(char);
    if (!wide && !NARROW_END.test(char)) continue;
    let end = i + 1;
    while (end < masked.length && (CLOSERS.test(masked.charAt(end)) || NARROW_END.test(masked.charAt(end)))) end++;
    if (end >= masked.length) break;
    if (!wide) {
      const after = masked.slice(end);
      const spaced = /^\s+/u.exec(after);
      // "模型.我们" in a translation with ASCII punctuation: a Han character on both sides ends the sentence.
      const hanJoined = !spaced && HAN.test(masked.charAt(i - 1)) && HAN.test(masked.charAt(end));
      if (!spaced && !hanJoined) continue;
      if (spaced && LOWER_START.test(after.slice(spaced[0].length))) continue;
      if (char === '.') {
        const word = wordBefore(masked, i);
        if (ABBREVIATIONS.has(word)) continue;
        // A single capital letter is an initial ("J. Smith"), not a sentence.
        if (/^\p{Lu}$/u.test(text.slice(i - word.length, i))) continue;
      }
    }
    ends.push(end);
    i = end - 1;
  }
  const last = text.trimEnd().length;
  if (last > 0 && ends.at(-1) !== last) ends.push(last);
  return ends.filter((end, index) => index === 0 || end > (ends[index - 1] ?? 0));
}

/** The sentences of `text`, trimmed, in order; joining them with the original spacing gives back the text. */
export function splitSentences(text: string): string[] {
  let start = 0;
  return sentenceEnds(text).map((end) => {
    const sentence = text.slice(start, end).trim();
    start = end;
    return sentence;
  });
}

/** A lone first sentence may run this far past the budget before it is cut at a word. */
const LONG_SENTENCE_ALLOWANCE = 1.5;
/** A clause boundary ("，", ", ", "；") is preferred over a word boundary if it keeps at least this share. */
const CLAUSE_MIN_SHARE = 0.5;
const ELLIPSIS = '…';
const CLAUSE_MARK = /^[，、；：,;:]$/u;
/** Dropped from the end before the ellipsis: an opening bracket or a dangling comma reads as a typo. */
const TRAILING_JUNK = /[\s，、；：,;:(（[【{「『“‘\-–—\\]+$/u;

const words = new Intl.Segmenter('zh', { granularity: 'word' });

/**
 * `sentence` cut at a word boundary to fit `budget` columns, with "…" glued to its last word. Words come from
 * `Intl.Segmenter('zh', { granularity: 'word' })`, whose dictionary keeps Chinese words ("即可", "规范") whole as it
 * keeps Latin words; a `$…$` span is never cut. Prefers the last clause boundary in the second half of the budget.
 */
export function cutAtWord(sentence: string, budget: number): string {
  if (displayWidth(sentence) <= budget) return sentence;
  const room = budget - displayWidth(ELLIPSIS);
  const maths = [...sentence.matchAll(MATH_SPAN)].map((m) => [m.index, m.index + m[0].length] as const);
  const insideMath = (offset: number): boolean => maths.some(([from, to]) => offset > from && offset < to);
  let width = 0;
  let wordEnd = 0;
  let clauseEnd = 0;
  for (const { segment, index } of words.segment(sentence)) {
    const end = index + segment.length;
    width += displayWidth(segment);
    if (width > room) break;
    if (insideMath(end)) continue;
    if (CLAUSE_MARK.test(segment) && width >= room * CLAUSE_MIN_SHARE) clauseEnd = index;
    wordEnd = end;
  }
  const cut = sentence.slice(0, clauseEnd > 0 ? clauseEnd : wordEnd).replace(TRAILING_JUNK, '');
  // Not even one word fits: the first word alone, rather than a bare "…".
  if (cut.length === 0) {
    const first = words.segment(sentence)[Symbol.iterator]().next().value?.segment ?? '';
    return first === sentence ? sentence : `${first}${ELLIPSIS}`;
  }
  return `${cut}${ELLIPSIS}`;
}

/** How many of `sentences`, from the first, fit `budget` columns together (joined by `joiner`). */
function sentencesThatFit(sentences: readonly string[], budget: number, joiner: string): number {
  let width = 0;
  for (let n = 0; n < sentences.length; n++) {
    width += displayWidth(sentences[n] ?? '') + (n > 0 ? displayWidth(joiner) : 0);
    if (width > budget) return n;
  }
  return sentences.length;
}

const joinerOf = (sentences: readonly string[]): string =>
  sentences.some((s) => HAN.test(s) && WIDE_END.test(s.at(-1) ?? '')) ? '' : ' ';

/** The first `n` sentences, or, when n is 0, the first sentence whole if not far over budget, else cut at a word. */
function takeSentences(sentences: readonly string[], n: number, budget: number): string {
  const joiner = joinerOf(sentences);
  if (n > 0) return sentences.slice(0, n).join(joiner);
  const first = sentences[0] ?? '';
  return displayWidth(first) <= budget * LONG_SENTENCE_ALLOWANCE ? first : cutAtWord(first, budget);
}

/**
 * The opening sentences of `text` that fit `budget` display columns (Han = 2): whole sentences only. When even the
 * first sentence does not fit, it is shown whole up to 1.5 × the budget, and past that cut at a word boundary with
 * "…" (the one case with an ellipsis, never alone on a line). Whitespace is collapsed first.
 */
export function sentenceExcerpt(text: string, budget: number): string {
  const sentences = splitSentences(collapse(text));
  return takeSentences(sentences, sentencesThatFit(sentences, budget, joinerOf(sentences)), budget);
}

/**
 * Excerpts of an English abstract and its Chinese translation that say the same thing: when both split into the
 * same number of sentences, both show the same number of opening sentences (as many as fit both budgets);
 * otherwise each language gets its own whole-sentence excerpt within its budget.
 */
export function pairedExcerpts(en: string, zh: string, budget: { en: number; zh: number }): { en: string; zh: string } {
  const enSentences = splitSentences(collapse(en));
  const zhSentences = splitSentences(collapse(zh));
  const enFit = sentencesThatFit(enSentences, budget.en, joinerOf(enSentences));
  const zhFit = sentencesThatFit(zhSentences, budget.zh, joinerOf(zhSentences));
  if (enSentences.length === zhSentences.length && enSentences.length > 0) {
    const n = Math.min(enFit, zhFit);
    return { en: takeSentences(enSentences, n, budget.en), zh: takeSentences(zhSentences, n, budget.zh) };
  }
  return { en: takeSentences(enSentences, enFit, budget.en), zh: takeSentences(zhSentences, zhFit, budget.zh) };
}

function collapse(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}
