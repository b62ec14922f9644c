import { eastAsianWidth } from 'get-east-asian-width';

// Width-aware truncation for mixed English / Chinese / emoji / TeX text. Budgets are in terminal-style columns
// (Han = 2, Latin = 1) because that is roughly what a line of a mail client holds, and `.length` would give
// Chinese summaries half the visual room of English ones.

export interface TruncateOptions {
  /** Appended when the text was cut. Default `…`. */
  ellipsis?: string;
}

const graphemes = new Intl.Segmenter('zh', { granularity: 'grapheme' });
// ICU's dictionary splits Han runs into words; we only use word boundaries to keep Latin words and numbers whole.
const words = new Intl.Segmenter('zh', { granularity: 'word' });
const sentences = new Intl.Segmenter('en', { granularity: 'sentence' });

const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const ZERO_WIDTH_START = /^[\p{Cc}\p{Mn}\p{Me}\p{Cf}]/u;
/** Letters, digits and marks of scripts written with spaces between words. */
const NARROW_WORD = /^[\p{L}\p{N}\p{M}]/u;
const HYPHEN = /^[-‐‑]$/u;
/** Dropped from the end before the ellipsis: a cut after "foo," or "(" (or a TeX escape's "\\") reads as a typo. */
const TRAILING_JUNK = /^[\s，、；：,;:(（[【{「『“‘\-–—\\]$/u;
const SENTENCE_END = /[。！？.!?][”’"'」』）)]*$/u;
const ASCII_SENTENCE_END = /[.!?][”’"')]*$/u;
/** `$$…$$` or `$…$`, not preceded by a backslash (an escaped dollar is a literal). */
const MATH_SPAN = /(?<!\\)\$\$[\s\S]+?(?<!\\)\$\$|(?<!\\)\$[^$\n]+?(?<!\\)\$/gu;
/** Columns segmented past the budget, so the word and sentence segmenters see the context after a cut. */
const LOOKAHEAD_WIDTH = 16;
/** A sentence boundary is preferred only if it keeps at least this share of the budget. */
const SENTENCE_MIN_SHARE = 0.6;

/**
 * Text made only of these is one grapheme per UTF-16 unit: printable ASCII and Latin, general punctuation (no
 * zero-width or bidi controls), CJK punctuation, kana and Han (no combining marks), fullwidth forms. Abstracts
 * almost always are, and skipping the grapheme segmenter for them makes rendering an issue several times faster.
 */
const SIMPLE_TEXT =
  /^[\x20-\x7e\u00a0-\u02ff\u2010-\u2027\u2030-\u205e\u3000-\u3029\u3030-\u303f\u3041-\u3096\u309b-\u30ff\u4e00-\u9fff\uff01-\uff60]*$/u;

function* splitGraphemes(text: string): Generator<{ segment: string; index: number }> {
  if (SIMPLE_TEXT.test(text)) {
    for (let index = 0; index < text.length; index++) yield { segment: text.charAt(index), index };
  } else {
    yield* graphemes.segment(text);
  }
}

function graphemeWidth(g: string): number {
  if (PICTOGRAPHIC.test(g)) return 2;
  if (ZERO_WIDTH_START.test(g)) return 0;
  const cp = g.codePointAt(0);
  return cp === undefined ? 0 : eastAsianWidth(cp);
}

/** Columns the text takes: East Asian Wide/Fullwidth and emoji graphemes count 2, zero-width ones 0, others 1. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of splitGraphemes(text)) width += graphemeWidth(segment);
  return width;
}

interface Unit {
  text: string;
  start: number;
  width: number;
}

function isNarrowWord(unit: Unit | undefined): boolean {
  return unit !== undefined && unit.width === 1 && NARROW_WORD.test(unit.text);
}

/**
 * Which grapheme boundaries may end a truncated prefix. `cut[i]` is the boundary before unit i
 * (`cut[units.length]` is the end of the text).
 */
function allowedCuts(text: string, prefix: string, units: Unit[]): boolean[] {
  const indexAt = new Map<number, number>();
  units.forEach((u, i) => indexAt.set(u.start, i));
  indexAt.set(prefix.length, units.length);
  const cut = Array.from({ length: units.length + 1 }, () => true);

  const forbidInside = (start: number, end: number, keepWideEdges: boolean): void => {
    const from = indexAt.get(start);
    // A span running past the segmented prefix is protected up to the prefix's end.
    const to = indexAt.get(Math.min(end, prefix.length));
    // Segmenters agree on boundaries in practice; if one ever does not, the range is simply not protected.
    if (from === undefined || to === undefined) return;
    for (let i = from + 1; i < to; i++) {
      // A Han run, or fullwidth punctuation glued to a Latin word ("laws：post"), may be cut between characters.
      if (keepWideEdges && ((units[i - 1]?.width ?? 0) === 2 || (units[i]?.width ?? 0) === 2)) continue;
      cut[i] = false;
    }
  };

  for (const s of words.segment(prefix)) {
    if (s.isWordLike) forbidInside(s.index, s.index + s.segment.length, true);
  }
  for (let i = 1; i < units.length; i++) {
    const prev = units[i - 1];
    const next = units[i];
    if (isNarrowWord(prev) && isNarrowWord(next)) cut[i] = false;
    // Keep hyphenated compounds ("post-training") whole.
    if (next && HYPHEN.test(next.text) && isNarrowWord(prev) && isNarrowWord(units[i + 1])) cut[i] = false;
    if (prev && HYPHEN.test(prev.text) && isNarrowWord(units[i - 2]) && isNarrowWord(next)) cut[i] = false;
  }
  // Math spans are found in the whole text: one that starts in the prefix may close after it.
  for (const m of text.matchAll(MATH_SPAN)) {
    if (m.index >= prefix.length) break;
    forbidInside(m.index, m.index + m[0].length, false);
  }
  return cut;
}

/**
 * Cuts `text` to at most `maxWidth` columns including the ellipsis. Never splits a grapheme, a Latin word, a
 * number or a `$…$` span; prefers ending at a sentence if one ends in the last ~40 % of the budget. Text that
 * fits is returned unchanged. If not even the first word fits, the result is the ellipsis alone (or empty when
 * the ellipsis itself does not fit).
 */
export function truncateText(text: string, maxWidth: number, opts: TruncateOptions = {}): string {
  const ellipsis = opts.ellipsis ?? '…';
  const budget = maxWidth - displayWidth(ellipsis);

  // Segment only a prefix a little wider than the budget: segmenting whole abstracts dominated render time.
  const units: Unit[] = [];
  let width = 0;
  let end = 0;
  for (const { segment, index } of splitGraphemes(text)) {
    if (width > maxWidth + LOOKAHEAD_WIDTH) break;
    const w = graphemeWidth(segment);
    units.push({ text: segment, start: index, width: w });
    width += w;
    end = index + segment.length;
  }
  if (end === text.length && width <= maxWidth) return text;
  if (budget < 0) return '';

  const prefix = text.slice(0, end);
  const widthBefore: number[] = [0];
  for (const u of units) widthBefore.push((widthBefore.at(-1) ?? 0) + u.width);
  const cut = allowedCuts(text, prefix, units);
  // The end of the segmented prefix is not a real boundary (it may split a word).
  if (end < text.length) cut[units.length] = false;

  // Longest allowed prefix within budget, with trailing junk removed.
  let last = 0;
  for (let i = units.length; i > 0; i--) {
    if (cut[i] && (widthBefore[i] ?? Infinity) <= budget) {
      last = i;
      break;
    }
  }
  while (last > 0 && TRAILING_JUNK.test(units[last - 1]?.text ?? '')) last--;
  let result = text.slice(0, units[last]?.start ?? end);

  const sentenceEnd = bestSentenceEnd(text, prefix, units, widthBefore, cut, budget);
  if (sentenceEnd !== undefined) result = sentenceEnd;
  return result.length === 0 ? (displayWidth(ellipsis) <= maxWidth ? ellipsis : '') : result + ellipsis;
}

/** The longest run of whole sentences that fits and fills at least SENTENCE_MIN_SHARE of the budget. */
function bestSentenceEnd(
  text: string,
  prefix: string,
  units: Unit[],
  widthBefore: number[],
  cut: boolean[],
  budget: number,
): string | undefined {
  const unitAt = new Map<number, number>();
  units.forEach((u, i) => unitAt.set(u.start, i));
  let best: string | undefined;
  let offset = 0;
  for (const { segment } of sentences.segment(prefix)) {
    const trimmed = segment.trimEnd();
    const endOffset = offset + trimmed.length;
    offset += segment.length;
    if (!SENTENCE_END.test(trimmed)) continue;
    const i = unitAt.get(endOffset) ?? (endOffset === prefix.length ? units.length : undefined);
    if (i === undefined || !cut[i]) continue;
    const width = widthBefore[i] ?? Infinity;
    if (width > budget) break;
    if (width < budget * SENTENCE_MIN_SHARE) continue;
    best = text.slice(0, endOffset);
    // "Sentence. …" reads better than "Sentence.…"; the space is the input's own, so the result stays a prefix.
    if (ASCII_SENTENCE_END.test(trimmed) && text[endOffset] === ' ' && width + 1 <= budget) {
      best = text.slice(0, endOffset + 1);
    }
  }
  return best;
}
