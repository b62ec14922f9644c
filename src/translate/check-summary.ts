import type { PaperAnalysis } from '../store/translations.ts';
import { checkChinese, cleanAbstractZh, mathSpans } from './clean-translation.ts';
import { applyVariantRules, type VariantRule } from './normalize-glossary.ts';

// TL;DRs and key points are the model's own words, not a translation that can be compared sentence by sentence,
// so each item is held to what the paper itself says (issue 11, item 2): every number, percentage and `$…$` span
// it contains occurs in the paper's title or abstract, every model or dataset name it uses is copied from there,
// the Chinese is Chinese and the English English, no markup or notes, and it is short. An item that fails is
// dropped, with the name of the check it failed, and never asked for again: the mail shows fewer points.
// Pure: no I/O, no clock.

/**
 * Length limits. A TL;DR is one sentence (≤ 40 English words, ≤ 90 Chinese characters), a point one short
 * sentence (≤ 35 words, ≤ 80 characters), an analysis part (problem, method, results, limitations) up to two
 * sentences. Chinese length counts Han characters and punctuation one each and a Latin word or number as one
 * (so "GPT-4o" costs what a Chinese word costs).
 */
export const SUMMARY_LIMITS = {
  tldr: { words: 40, zhChars: 90 },
  point: { words: 35, zhChars: 80 },
  analysis: { words: 70, zhChars: 160 },
} as const;

/** Key points kept per paper (the prompt asks for 3). */
export const MAX_POINTS = 3;

/** The checks, by the name the run report counts drops under. */
export const SUMMARY_CHECKS = ['missing', 'markup', 'language', 'length', 'math', 'name', 'number', 'swapped'] as const;
export type SummaryCheck = (typeof SUMMARY_CHECKS)[number];

export interface SummaryDrop {
  /** `tldr_en`, `points_zh[2]`, `analysis.method.zh`, … (1-based point numbers). */
  item: string;
  check: SummaryCheck;
  detail: string;
}

/** What a reply or an import offers for one paper; anything may be missing. */
export interface SummaryInput {
  /** { problem, method, results, limitations }, each { en, zh } (translation.analysis). */
  analysis?: unknown;
  tldrEn?: unknown;
  tldrZh?: unknown;
  /** An array of strings (a lone string is taken as one point). */
  pointsEn?: unknown;
  pointsZh?: unknown;
}

/** The items that passed. An empty list or null: nothing passed (or nothing was offered). */
export interface SummaryFields {
  tldrEn: string | null;
  tldrZh: string | null;
  pointsEn: string[];
  pointsZh: string[];
}

export const NO_SUMMARY: SummaryFields = { tldrEn: null, tldrZh: null, pointsEn: [], pointsZh: [] };

/** The paper's own text the items are checked against. */
export interface SummarySource {
  title: string;
  abstract: string;
}

export interface SummaryItemCheck {
  text: string | null;
  drop: SummaryDrop | null;
}

type Kind = keyof typeof SUMMARY_LIMITS;
type Language = 'en' | 'zh';

// "1. ", "2) ", "- ", "• ", "（1）", "一、": models number their points now and then; the numbering is not content
// (and "1." would otherwise fail the number check).
const LIST_MARKER = /^\s*(?:[-*•·]\s+|\d{1,2}(?:[.)]\s+|[、．）])|[（(]\d{1,2}[)）]\s*|[一二三四五][、.．]\s*)/u;
const MARKUP = /\*\*|__|`|^#{1,6}\s|\[[^\]]*\]\([^)]*\)|<\/?[a-z][a-z0-9]*(?:\s[^>]*)?>|\n\s*(?:[-*•]|\d{1,2}[.)])\s/iu;
const NOTE = /(?:^|[\s（(【[])(?:译者注|译注|注释|注|备注|说明|Translator'?s? notes?|Notes?)\s*[：:]/iu;
const URL = /(?:https?:\/\/|www\.)[^\s\p{Script=Han}\u3000-\u303f\uff00-\uffef]+/giu;
// A name starts with a letter that does not continue a number: "1.9x-3.6x" and "128K" are numbers with units (the
// number check covers them), "Qwen2.5-7B" is a name.
const LATIN_TOKEN = /(?<![A-Za-z0-9.])[A-Za-z][A-Za-z0-9]*(?:[-.+_/][A-Za-z0-9]+)*/gu;
const NUMBER = /\d+(?:\.\d+)?/gu;

function normalizeDigits(text: string): string {
  // Full-width digits and letters (１２％) as ASCII; "1,000" and "1 000" as 1000.
  return text.normalize('NFKC').replace(/(\d)[,\u202f\u00a0 ](?=\d{3}(?!\d))/gu, '$1');
}

function canonicalNumber(raw: string): string {
  const n = Number(raw);
  return Number.isFinite(n) ? String(n) : raw;
}

function withoutMath(text: string): string {
  let plain = text;
  for (const span of mathSpans(text)) plain = plain.replace(span, ' ');
  return plain;
}

function squash(text: string): string {
  return text.replace(/\s+/gu, '');
}

/** What an item is checked against, computed once per paper. */
export interface SourceIndex {
  /** Lower-cased title and abstract, for names. */
  text: string;
  /** First letters of the words of each sentence, lower-cased ("large language models" → "llm"), for acronyms. */
  initials: string;
  numbers: Set<string>;
  math: Set<string>;
}

export function indexSource(source: SummarySource): SourceIndex {
  const text = normalizeDigits(`${source.title}\n${source.abstract}`);
  const initials = text
    .split(/[.;:!?()]/u)
    // Short words (of, to, a) are left out: acronyms skip them, and they would make chance matches.
    .map((sentence) =>
      (sentence.match(/[A-Za-z][A-Za-z0-9']*/gu) ?? [])
        .filter((w) => w.length >= 3)
        .map((w) => w.charAt(0).toLowerCase())
        .join(''),
    )
    .join(' ');
  return {
    text: text.toLowerCase(),
    initials,
    // Numbers inside math count too: "$k=3$" in the abstract lets a point say "3".
    numbers: new Set((text.match(NUMBER) ?? []).map(canonicalNumber)),
    math: new Set(mathSpans(text).map(squash)),
  };
}

/** Latin tokens that are names: in English, those with a digit or a capital after the first letter (GPT-4o,
 * ImageNet, LLMs); in Chinese, every Latin word (a Chinese sentence has no other reason to hold one). */
function namesIn(text: string, language: Language): string[] {
  const tokens = withoutMath(text).replace(URL, ' ').match(LATIN_TOKEN) ?? [];
  return tokens.filter((t) => (language === 'zh' ? t.length >= 2 || /\d/u.test(t) : /\d/u.test(t) || /[A-Z]/u.test(t.slice(1))));
}

/** "LLM" for "large language models", "RL" for "reinforcement learning": initials of consecutive words. */
function isAcronymOf(name: string, source: SourceIndex): boolean {
  const letters = name.replace(/s$/u, '');
  if (!/^[A-Z]{2,6}$/u.test(letters)) return false;
  const initials = source.initials;
  return initials.includes(letters.toLowerCase());
}

/** The name as a whole word of the source ("RL" is not found inside "world", "GPT-4" not inside "GPT-4o"). */
function wholeWordIn(text: string, lower: string): boolean {
  const escaped = lower.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
  // A token goes on across "-", ".", "+", "_" and "/" followed by a letter or digit (Qwen2.5-VL-7B is one name).
  return new RegExp(`(?<![a-z0-9]|[a-z0-9][-.+_/])${escaped}s?(?![a-z0-9]|[-.+_/][a-z0-9])`, 'u').test(text);
}

function nameInSource(name: string, source: SourceIndex): boolean {
  const lower = name.toLowerCase();
  if (wholeWordIn(source.text, lower)) return true;
  // "LLMs" where the abstract says "LLM" ("LLM" where it says "LLMs" is covered by the optional s above).
  if (lower.endsWith('s') && lower.length > 2 && wholeWordIn(source.text, lower.slice(0, -1))) return true;
  // An acronym of words the abstract spells out is not an invented name.
  return isAcronymOf(name, source);
}

function zhLength(text: string): number {
  return [...text.replace(/[A-Za-z0-9][A-Za-z0-9.+\-_/']*/gu, 'w').replace(/\s+/gu, '')].length;
}

function wordCount(text: string): number {
  return text.split(/\s+/u).filter(Boolean).length;
}

function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * Pure: cleans one item (list markers off; for Chinese, notes and labels off as for an abstract, then the glossary's
 * canonical wording) and checks it; the first failed check drops it.
 */
export function checkSummaryItem(
  raw: unknown,
  item: string,
  kind: Kind,
  language: Language,
  source: SourceIndex | null,
  rules: readonly VariantRule[] = [],
): SummaryItemCheck {
  const drop = (check: SummaryCheck, detail: string): SummaryItemCheck => ({ text: null, drop: { item, check, detail } });
  if (typeof raw !== 'string' || raw.trim() === '') return drop('missing', 'empty or not a string');
  const stripped = raw.replace(LIST_MARKER, '');
  if (MARKUP.test(stripped)) return drop('markup', `markdown or a list: ${preview(stripped.trim())}`);
  let text = stripped;
  if (language === 'zh') {
    if (NOTE.test(text)) return drop('markup', `a note: ${preview(text)}`);
    const cleaned = cleanAbstractZh(text).text;
    if (cleaned === null) {
      if (!/\p{Script=Han}/u.test(text)) return drop('language', `English in the Chinese slot: ${preview(text)}`);
      // Cleaning gives up on text that is mostly Latin: say so rather than "nothing left".
      const problems = checkChinese(text, '');
      return problems.length > 0
        ? drop('language', `${problems.join('; ')}: ${preview(text)}`)
        : drop('missing', 'nothing left after cleaning');
    }
    text = applyVariantRules(cleaned.replace(/\s*\n+\s*/gu, ' '), rules);
  } else {
    text = text.replace(/\s+/gu, ' ').trim();
  }
  if (text === '') return drop('missing', 'nothing left after cleaning');
  if (NOTE.test(text)) return drop('markup', `a note: ${preview(text)}`);

  if (language === 'en') {
    if (/\p{Script=Han}/u.test(text)) return drop('language', `Chinese in the English slot: ${preview(text)}`);
  } else {
    const problems = checkChinese(text, '');
    if (problems.length > 0) return drop('language', `${problems.join('; ')}: ${preview(text)}`);
  }

  const limits = SUMMARY_LIMITS[kind];
  if (language === 'en' && wordCount(text) > limits.words) {
    return drop('length', `${wordCount(text)} words (at most ${limits.words})`);
  }
  if (language === 'zh' && zhLength(text) > limits.zhChars) {
    return drop('length', `${zhLength(text)} characters (at most ${limits.zhChars})`);
  }

  // Without the paper (an import that arrived first) the checks against it wait for the moment of use.
  if (source === null) return { text, drop: null };
  const normalized = normalizeDigits(text);
  for (const span of mathSpans(normalized)) {
    if (!source.math.has(squash(span))) return drop('math', `${span} is not in the abstract`);
  }
  const plain = withoutMath(normalized).replace(URL, (url) => (source.text.includes(url.toLowerCase()) ? ' ' : url));
  // Names first: a name the abstract lacks (GPT-4o) is the better reason than the digit inside it.
  for (const name of namesIn(plain, language)) {
    if (!nameInSource(name, source)) return drop('name', `"${name}" is not in the abstract`);
  }
  for (const number of plain.match(NUMBER) ?? []) {
    if (!source.numbers.has(canonicalNumber(number))) return drop('number', `${number} is not in the abstract`);
  }
  return { text, drop: null };
}

export interface SummaryCheckResult {
  fields: SummaryFields;
  drops: SummaryDrop[];
  /** Items offered (TL;DRs and points, both languages). */
  offered: number;
}

/** The parts of an analysis as offered, `analysis.method.zh` → its value (counted as checkAnalysis counts them). */
function analysisItems(value: unknown): Array<[string, unknown]> {
  if (typeof value !== 'object' || value === null) return [];
  const out: Array<[string, unknown]> = [];
  for (const part of ANALYSIS_PARTS) {
    const pair = (value as Record<string, unknown>)[part];
    if (typeof pair !== 'object' || pair === null) continue;
    for (const language of ['en', 'zh'] as const) {
      const text = (pair as Record<string, unknown>)[language];
      if (text !== undefined && text !== null) out.push([`analysis.${part}.${language}`, text]);
    }
  }
  return out;
}

function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

/**
 * Pure: checks a paper's TL;DR and points against its own title and abstract. The two languages are judged apart:
 * an English point that passes is kept even when its Chinese failed (a Chinese reader then sees one point fewer).
 * Points beyond MAX_POINTS are ignored, not counted.
 */
export function checkSummary(
  source: SummarySource | null,
  input: SummaryInput,
  rules: readonly VariantRule[] = [],
): SummaryCheckResult {
  const index = source ? indexSource(source) : null;
  const drops: SummaryDrop[] = [];
  let offered = 0;
  const one = (raw: unknown, item: string, kind: Kind, language: Language): string | null => {
    if (raw === undefined || raw === null) return null;
    offered += 1;
    const checked = checkSummaryItem(raw, item, kind, language, index, rules);
    if (checked.drop) drops.push(checked.drop);
    return checked.text;
  };
  const list = (values: unknown, slot: 'points_en' | 'points_zh', language: Language): string[] =>
    asList(values)
      .slice(0, MAX_POINTS)
      .map((raw, i) => one(raw, `${slot}[${i + 1}]`, 'point', language))
      .filter((t): t is string => t !== null);
  const fields: SummaryFields = {
    tldrEn: one(input.tldrEn, 'tldr_en', 'tldr', 'en'),
    tldrZh: one(input.tldrZh, 'tldr_zh', 'tldr', 'zh'),
    pointsEn: list(input.pointsEn, 'points_en', 'en'),
    pointsZh: list(input.pointsZh, 'points_zh', 'zh'),
  };
  return { fields, drops, offered };
}

/**
 * The names and numbers of every item of a summary, for the swapped-paper test (findSwaps counts what they share
 * with each paper's English). Ordinary English words are left out: "model" or "results" say nothing about which
 * paper a point is about.
 */
export function summaryText(input: SummaryInput): string {
  const strings = (values: unknown) => asList(values).filter((t): t is string => typeof t === 'string');
  const all = [
    ...strings([input.tldrEn, input.tldrZh, ...asList(input.pointsEn), ...asList(input.pointsZh)]),
    ...analysisItems(input.analysis)
      .map(([, text]) => text)
      .filter((t): t is string => typeof t === 'string'),
  ];
  const numbers = (text: string) => normalizeDigits(withoutMath(text)).match(NUMBER) ?? [];
  // Names as English writes them (a digit or an inner capital) in both languages: an English sentence left in a
  // Chinese slot must not count its "the" and "model" as evidence.
  return all.flatMap((t) => [...namesIn(t, 'en'), ...numbers(t)]).join(' ');
}

/** Drops of every offered item of a paper whose summary belongs to another paper of the batch. */
export function swappedDrops(input: SummaryInput, why: string): SummaryDrop[] {
  const drops: SummaryDrop[] = [];
  // Every item checkSummary and checkAnalysis count as offered, so kept = offered − dropped stays true.
  if (input.tldrEn !== undefined && input.tldrEn !== null) drops.push({ item: 'tldr_en', check: 'swapped', detail: why });
  if (input.tldrZh !== undefined && input.tldrZh !== null) drops.push({ item: 'tldr_zh', check: 'swapped', detail: why });
  asList(input.pointsEn).slice(0, MAX_POINTS).forEach((_, i) => drops.push({ item: `points_en[${i + 1}]`, check: 'swapped', detail: why }));
  asList(input.pointsZh).slice(0, MAX_POINTS).forEach((_, i) => drops.push({ item: `points_zh[${i + 1}]`, check: 'swapped', detail: why }));
  for (const [item] of analysisItems(input.analysis)) drops.push({ item, check: 'swapped', detail: why });
  return drops;
}

/** A structured analysis (problem, method, results, limitations), each part in both languages. */
export const ANALYSIS_PARTS = ['problem', 'method', 'results', 'limitations'] as const;

/** Pure: the analysis parts that pass the same checks as points (with the analysis length limits). */
export function checkAnalysis(
  source: SummarySource | null,
  input: unknown,
  rules: readonly VariantRule[] = [],
): { analysis: PaperAnalysis | null; drops: SummaryDrop[]; offered: number } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { analysis: null, drops: input === undefined || input === null ? [] : [{ item: 'analysis', check: 'missing', detail: 'not an object' }], offered: 0 };
  }
  const index = source ? indexSource(source) : null;
  const drops: SummaryDrop[] = [];
  const analysis: PaperAnalysis = {};
  let offered = 0;
  for (const part of ANALYSIS_PARTS) {
    const value = (input as Record<string, unknown>)[part];
    if (typeof value !== 'object' || value === null) continue;
    const pair = value as Record<string, unknown>;
    const texts: { en: string | null; zh: string | null } = { en: null, zh: null };
    for (const language of ['en', 'zh'] as const) {
      if (pair[language] === undefined || pair[language] === null) continue;
      offered += 1;
      const checked = checkSummaryItem(pair[language], `analysis.${part}.${language}`, 'analysis', language, index, rules);
      if (checked.drop) drops.push(checked.drop);
      texts[language] = checked.text;
    }
    if (texts.en || texts.zh) analysis[part] = texts;
  }
  return { analysis: Object.keys(analysis).length > 0 ? analysis : null, drops, offered };
}
