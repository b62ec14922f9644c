// LLM translators wrap the translation in chatter: "译文：" prefixes, "（注：…）" paragraphs explaining their word
// choices, numbered lists of "X 译为 Y", markdown. Everything Chinese that reaches a mail passes through here; what
// cannot be cleaned into real Chinese becomes null, so the mail shows its "译文暂缺" marker instead of English.

export interface CleanResult {
  /** The cleaned Chinese, or null when nothing usable is left. */
  text: string | null;
  /** Fragments taken out (notes, prefixes, discarded lines), for logs. */
  removed: string[];
}

/** Below this share of Han among letters the "translation" is mostly English or code. */
export const MIN_HAN_SHARE = 0.3;
/** Chinese shorter than this share of the English (non-space characters vs characters) is probably truncated. */
export const MIN_LENGTH_RATIO = 0.15;
/** English shorter than this is too short for the length test to mean anything. */
const MIN_ENGLISH_FOR_RATIO = 30;
/** This many English words in a row are an untranslated sentence. */
export const MAX_ENGLISH_RUN = 8;

// A note label must be followed by a colon: "注意力" (attention) and "说明书" are ordinary words.
const NOTE_LABEL =
  "(?:译者注|译注|注释|注|说明|解析|备注|补充说明|翻译说明|译文说明|术语说明|翻译要点|Translator'?s? notes?|Notes?|Explanation)";
const NOTE_OPENER = new RegExp(`[（(【\\[]\\s*${NOTE_LABEL}\\s*[：:]`, 'iu');
const NOTE_AT_LINE_START = new RegExp(`^[（(【\\[]?\\s*${NOTE_LABEL}\\s*[：:]`, 'iu');
const NOTE_IN_TITLE = new RegExp(`(?:^|[\\s（(【\\[])${NOTE_LABEL}\\s*[：:]`, 'iu');
// "这个翻译采用了以下专业处理方式：" and its kin: the rest of the output is commentary.
const COMMENTARY = /(?:这个|该|此|本|以上|上述)?(?:翻译|译文|译法)(?:采用|遵循|兼顾|保留)了?(?:以下|如下)/u;
const COMMENTARY_AT_LINE_START =
  /^(?:这个|该|此|本|以上|上述)(?:翻译|译文|译法)(?:采用|遵循|兼顾|保留|在保持|既|力求|完整保留|准确)/u;
// A list item or sentence about how one term was rendered: `1. Black-Box 译为"黑盒"`, `"Any Views"译为"任意视角"`.
const TERM_RENDERING =
  /["“「『][A-Za-z][^"”」』\n]*["”」』]\s*(?:被)?(?:译为|译作|译成|翻译为|处理为|对应)|[A-Za-z]\s*(?:译为|译作|译成)/u;
const LIST_MARKER = /^(?:\d{1,2}|[一二三四五六七八九十])[.、．)）]\s*|^[-*•·]\s+/u;
const META_WORDS = /译|术语|原文|直译|意译|translat/iu;

const TITLE_LABEL =
  /^(?:中文|最终)?(?:标题|题目|翻译|译文|标题翻译|中文翻译|论文标题|译名|Title|Translation|Chinese)\s*[：:]\s*/iu;
const ABSTRACT_LABEL =
  /^(?:中文|最终)?(?:摘要|翻译|译文|摘要翻译|中文翻译|中文摘要|Abstract|Translation|Chinese)\s*[：:]\s*/iu;
const ECHOED_TITLE_LINE = /^(?:中文)?(?:标题|题目|Title)\s*[：:]/iu;
// "好的，以下是中文翻译：" / "Here is the translation:" on a line of its own before the real text.
const PREAMBLE = /^(?:好的|当然|以下|下面|这是|Here|Sure)[^\n]{0,60}[：:]$/iu;
const PREAMBLE_WORDS = /翻译|译文|如下|translation/iu;

const WRAPPING_QUOTES: readonly [string, string][] = [
  ['“', '”'],
  ['"', '"'],
  ['「', '」'],
  ['『', '』'],
  ['《', '》'],
  ['‘', '’'],
  ["'", "'"],
];

const HAN = /\p{Script=Han}/gu;
const LETTER = /\p{L}/gu;
const URL = /(?:https?:\/\/|www\.)[^\s\p{Script=Han}\u3000-\u303f\uff00-\uffef]+/giu;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gu;
// TeX math: no space just inside the dollars, so "$5 and $10" is not a span.
const MATH = /\$\$[^$]+\$\$|\$(?!\s)[^$]+?(?<!\s)\$/gu;
const CJK_EDGE = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/u;

function stripMarkdown(line: string): string {
  return line
    .replace(/\*\*|__|`+/g, '')
    .replace(/^\s*#{1,6}\s+/u, '')
    .replace(/^\s*>\s?/u, '');
}

function collapseSpaces(text: string): string {
  return text.replace(/[ \t\f\v\u00a0\u3000]+/gu, ' ').trim();
}

function unwrapQuotes(text: string, removed: string[]): string {
  let current = text.trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [open, close] of WRAPPING_QUOTES) {
      if (current.length < 2 || !current.startsWith(open) || !current.endsWith(close)) continue;
      const inner = current.slice(open.length, current.length - close.length);
      // `“A”与“B”` starts and ends with quotes without being wrapped in them.
      if (inner.includes(open) || inner.includes(close) || inner.trim() === '') continue;
      removed.push(`${open}${close}`);
      current = inner.trim();
      changed = true;
    }
  }
  return current;
}

function dropPreamble(lines: string[], removed: string[], label: RegExp): void {
  for (;;) {
    const index = lines.findIndex((line) => line.trim() !== '');
    const line = lines[index]?.trim();
    if (index < 0 || line === undefined) return;
    const labelOnly = label.test(line) && line.replace(label, '').trim() === '';
    if (!labelOnly && !(PREAMBLE.test(line) && PREAMBLE_WORDS.test(line))) return;
    removed.push(line);
    lines.splice(0, index + 1);
  }
}

function stripLabel(lines: string[], removed: string[], label: RegExp): void {
  const index = lines.findIndex((line) => line.trim() !== '');
  let line = lines[index]?.trim();
  if (index < 0 || line === undefined) return;
  for (let match = label.exec(line); match; match = label.exec(line)) {
    removed.push(match[0].trim());
    line = line.slice(match[0].length);
  }
  lines[index] = line;
}

/** Cuts `text` at `at`, recording the cut part. */
function cutAt(text: string, at: number, removed: string[]): string {
  const cut = text.slice(at).trim();
  if (cut !== '') removed.push(cut);
  return text.slice(0, at);
}

function firstIndex(text: string, ...patterns: RegExp[]): number {
  let best = -1;
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match && (best < 0 || match.index < best)) best = match.index;
  }
  return best;
}

/** Han characters among all letters, ignoring URLs, e-mail addresses and math. */
export function hanShare(text: string): number {
  const plain = text.replace(URL, ' ').replace(EMAIL, ' ').replace(MATH, ' ');
  const letters = plain.match(LETTER)?.length ?? 0;
  if (letters === 0) return 0;
  return (plain.match(HAN)?.length ?? 0) / letters;
}

const HAN_CHAR = '\\p{Script=Han}';
const ASCII_PUNCT_AFTER_HAN = new RegExp(`(?<=[${HAN_CHAR}）])[,;:!?](?!\\d)|[,;!?](?=${HAN_CHAR})|(?<!\\d):(?=${HAN_CHAR})`, 'gu');
const PAREN_BEFORE_HAN = new RegExp(`\\(([^()\\n]{1,80})\\)(?=[${HAN_CHAR}，。；：、])`, 'gu');
const FULLWIDTH: Record<string, string> = { ',': '，', ';': '；', ':': '：', '!': '！', '?': '？' };
const PAREN_NEXT_TO_HAN = new RegExp(`(?<=[${HAN_CHAR}])\\(([^()\\n]{1,80})\\)|\\(([^()\\n]*${HAN_CHAR}[^()\\n]*)\\)`, 'gu');

/**
 * Many translators emit ASCII punctuation inside Chinese ("模型(LLM),它"): Chinese typesetting wants the
 * full-width forms ("模型（LLM），它"). Only punctuation that follows a Han character (or a parenthesis pair next to
 * or holding Han text) changes; math spans stay untouched.
 */
export function useChinesePunctuation(text: string): string {
  const fix = (part: string) =>
    part
      .replace(PAREN_NEXT_TO_HAN, (_m, a: string | undefined, b: string | undefined) => `（${a ?? b}）`)
      .replace(ASCII_PUNCT_AFTER_HAN, (p: string) => FULLWIDTH[p] ?? p)
      .replace(PAREN_BEFORE_HAN, (_m, inner: string) => `（${inner}）`);
  let out = '';
  let last = 0;
  for (const match of text.matchAll(MATH)) {
    out += fix(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + fix(text.slice(last));
}

function finish(raw: string, removed: string[]): CleanResult {
  const text = useChinesePunctuation(raw);
  if (text === '') return { text: null, removed };
  if (hanShare(text) < MIN_HAN_SHARE) {
    removed.push(text);
    return { text: null, removed };
  }
  return { text, removed };
}

function splitLines(raw: string): string[] {
  return raw.replace(/\r\n?/g, '\n').split('\n').map(stripMarkdown);
}

/**
 * Cleans a translated title: prefixes like `译文：`, preamble lines, markdown and translator notes are removed,
 * only the first remaining line is kept, quotes wrapping the whole title are dropped, whitespace is collapsed.
 * `text` is null when no Chinese title is left.
 */
export function cleanTitleZh(raw: string): CleanResult {
  const removed: string[] = [];
  const lines = splitLines(raw);
  dropPreamble(lines, removed, TITLE_LABEL);
  stripLabel(lines, removed, TITLE_LABEL);
  const index = lines.findIndex((line) => line.trim() !== '');
  let title = index < 0 ? '' : (lines[index] ?? '');
  const rest = lines
    .slice(index + 1)
    .join('\n')
    .trim();
  if (index >= 0 && rest !== '') removed.push(rest);

  // Titles never carry notes of their own, so any note label ends the title.
  const noteAt = firstIndex(title, NOTE_IN_TITLE, COMMENTARY);
  if (noteAt >= 0) title = cutAt(title, noteAt, removed);
  title = title.replace(/^\s*[-*+•]\s+/u, '');
  title = unwrapQuotes(collapseSpaces(title), removed);
  if (title.endsWith('。')) {
    removed.push('。');
    title = title.slice(0, -1).trimEnd();
  }
  return finish(title, removed);
}

function isNoteStart(line: string): boolean {
  return NOTE_AT_LINE_START.test(line) || COMMENTARY_AT_LINE_START.test(line);
}

function isMetaLine(line: string): boolean {
  if (isNoteStart(line)) return true;
  if (TERM_RENDERING.test(line)) return true;
  return LIST_MARKER.test(line) && META_WORDS.test(line);
}

function isMetaIntro(line: string): boolean {
  return /[：:]$/u.test(line) && /翻译|译文|译法|处理方式|如下|以下/u.test(line);
}

/** Joins the lines of one paragraph: no space between two CJK characters, one space otherwise. */
function joinLines(lines: string[]): string {
  let out = '';
  for (const line of lines) {
    if (out === '') out = line;
    else if (CJK_EDGE.test(out.slice(-1)) && CJK_EDGE.test(line.charAt(0))) out += line;
    else out += ` ${line}`;
  }
  return out;
}

/**
 * Cleans a translated abstract: like cleanTitleZh for prefixes, markdown and notes, but keeps every paragraph of
 * the abstract (separated by a blank line). A note is cut when it starts a line, or when it is a parenthesis
 * closing the text and talks about the translation (an author's own "(Note: …)" stays).
 */
export function cleanAbstractZh(raw: string): CleanResult {
  const removed: string[] = [];
  let lines = splitLines(raw).map((line) => line.trim());
  dropPreamble(lines, removed, ABSTRACT_LABEL);
  const first = lines.findIndex((line) => line !== '');
  if (first >= 0 && ECHOED_TITLE_LINE.test(lines[first] ?? '')) {
    removed.push(lines[first] ?? '');
    lines.splice(0, first + 1);
    dropPreamble(lines, removed, ABSTRACT_LABEL);
  }
  stripLabel(lines, removed, ABSTRACT_LABEL);

  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const at = isNoteStart(line) ? 0 : firstIndex(line, COMMENTARY);
    if (at < 0) continue;
    const kept = cutAt(line, at, removed);
    const after = lines.slice(i + 1).join('\n').trim();
    if (after !== '') removed.push(after);
    lines = [...lines.slice(0, i), kept.trim()];
    break;
  }

  for (;;) {
    while (lines.length > 0 && (lines[lines.length - 1] ?? '') === '') lines.pop();
    const last = lines[lines.length - 1];
    if (last === undefined) break;
    // The first line is the abstract itself, whatever it mentions; only what follows it can be commentary.
    const isFirst = lines.filter((line) => line !== '').length <= 1;
    if (!isFirst && (isMetaLine(last) || isMetaIntro(last))) {
      removed.push(last);
      lines.pop();
      continue;
    }
    const noteMatch = new RegExp(NOTE_OPENER.source, 'giu');
    let opener = -1;
    for (let match = noteMatch.exec(last); match; match = noteMatch.exec(last)) opener = match.index;
    if (opener >= 0 && /[）)]\s*$/u.test(last) && META_WORDS.test(last.slice(opener))) {
      lines[lines.length - 1] = cutAt(last, opener, removed).trim();
      continue;
    }
    break;
  }

  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const line of [...lines, '']) {
    const content = collapseSpaces(line.replace(/^[-*+•]\s+/u, ''));
    if (content !== '') {
      current.push(content);
      continue;
    }
    if (current.length > 0) paragraphs.push(joinLines(current));
    current = [];
  }
  return finish(unwrapQuotes(paragraphs.join('\n\n'), removed), removed);
}

/** The `$…$` / `$$…$$` TeX spans of a text. */
export function mathSpans(text: string): string[] {
  return text.match(MATH) ?? [];
}

function withoutSpaces(text: string): string {
  return text.replace(/\s+/gu, '');
}

/** The first run of at least MAX_ENGLISH_RUN English words in a row, or null. */
function englishRun(text: string): string | null {
  const plain = text.replace(URL, ' ').replace(EMAIL, ' ').replace(MATH, ' ');
  const word = /[A-Za-z0-9][A-Za-z0-9'’._+/-]*/g;
  let runStart = 0;
  let runWords = 0;
  let previousEnd = -1;
  for (let match = word.exec(plain); match; match = word.exec(plain)) {
    const gap = previousEnd < 0 ? '' : plain.slice(previousEnd, match.index);
    if (previousEnd < 0 || !/^[\s,;:()[\]"'“”‘’]+$/u.test(gap)) {
      runStart = match.index;
      runWords = 0;
    }
    if (/[A-Za-z]/.test(match[0])) runWords += 1;
    previousEnd = match.index + match[0].length;
    if (runWords >= MAX_ENGLISH_RUN) {
      const rest = /^[^\p{Script=Han}\u3000-\u303f\uff00-\uffef]*/u.exec(plain.slice(runStart))?.[0] ?? '';
      return rest.trim();
    }
  }
  return null;
}

/**
 * Problems that make a cleaned Chinese text unfit to stand for `english` (empty list: fine). Checks: empty, too
 * little Han among letters, much shorter than the English, a `$…$` math span of the English missing, an English
 * sentence left untranslated. URLs, e-mail addresses and math are ignored by the Han and English-run checks.
 */
export function checkChinese(text: string, english: string): string[] {
  if (text.trim() === '') return ['empty'];
  const problems: string[] = [];
  const share = hanShare(text);
  if (share < MIN_HAN_SHARE) problems.push(`too little Chinese: ${Math.round(share * 100)}% Han among letters`);

  const englishLength = collapseSpaces(english.replace(/\s+/gu, ' ')).length;
  const chineseLength = [...withoutSpaces(text)].length;
  if (englishLength >= MIN_ENGLISH_FOR_RATIO && chineseLength < englishLength * MIN_LENGTH_RATIO) {
    problems.push(`too short: ${chineseLength} characters for ${englishLength} in English`);
  }

  const chinese = withoutSpaces(text);
  for (const span of new Set(mathSpans(english))) {
    if (!chinese.includes(withoutSpaces(span))) problems.push(`math missing: ${span}`);
  }

  const run = englishRun(text);
  if (run !== null) problems.push(`untranslated English: ${run.length > 80 ? `${run.slice(0, 80)}…` : run}`);
  return problems;
}
