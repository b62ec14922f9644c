// arXiv metadata (names, affiliations, titles, journal references) is TeX-ish text: authors type
// `J\"org` or `Kra{\ss}` and the feeds pass it through unchanged. Readers must see `Jörg`, `Kraß`.
// A small tokenizer instead of a pile of regexes, because accents nest (`\'{\^e}`), take braced or bare
// arguments (`\"{o}`, `{\"o}`, `\"o`, `\v z`) and must not touch `$…$` math.

/** Accent commands written with a symbol: `\"o`, `\'e`. */
const SYMBOL_ACCENTS: Readonly<Record<string, string>> = {
  '"': '\u0308',
  "'": '\u0301',
  '`': '\u0300',
  '^': '\u0302',
  '~': '\u0303',
  '=': '\u0304',
  '.': '\u0307',
};

/** Accent commands written with a letter: `\v{z}`, `\c c`. Only accents when an argument follows. */
const LETTER_ACCENTS: Readonly<Record<string, string>> = {
  v: '\u030C',
  u: '\u0306',
  H: '\u030B',
  c: '\u0327',
  k: '\u0328',
  r: '\u030A',
  d: '\u0323',
  b: '\u0331',
  t: '\u0361',
};

/** Control words that stand for one character. */
const LETTER_MACROS: Readonly<Record<string, string>> = {
  ss: 'ß',
  o: 'ø',
  O: 'Ø',
  aa: 'å',
  AA: 'Å',
  ae: 'æ',
  AE: 'Æ',
  oe: 'œ',
  OE: 'Œ',
  l: 'ł',
  L: 'Ł',
  i: 'ı',
  j: 'ȷ',
  dh: 'ð',
  DH: 'Ð',
  th: 'þ',
  TH: 'Þ',
  ng: 'ŋ',
  NG: 'Ŋ',
  dj: 'đ',
  DJ: 'Đ',
  ldots: '…',
  dots: '…',
  textendash: '–',
  textemdash: '—',
  textquoteleft: '‘',
  textquoteright: '’',
  textquotedblleft: '“',
  textquotedblright: '”',
  copyright: '©',
  textregistered: '®',
  texttrademark: '™',
  pounds: '£',
  euro: '€',
  S: '§',
  P: '¶',
};

/** Formatting commands whose name means nothing to a reader: keep only their argument. */
const FORMAT_MACROS = new Set([
  'emph',
  'textbf',
  'textit',
  'texttt',
  'textsc',
  'textsf',
  'textrm',
  'textsl',
  'textup',
  'textmd',
  'textnormal',
  'text',
  'mbox',
  'hbox',
  'underline',
  'uline',
  'bf',
  'it',
  'em',
  'rm',
  'sc',
  'tt',
  'sf',
  'relax',
  'protect',
]);

/** Control symbols that are spacing (`\,`) or invisible (`\-` hyphenation hint). */
const SPACE_SYMBOLS = new Set([' ', ',', ';', ':', '>', '\\', '\n', '\t']);
const INVISIBLE_SYMBOLS = new Set(['!', '-', '/']);

const isLetter = (ch: string | undefined): ch is string => ch !== undefined && /^[A-Za-z]$/.test(ch);
const isSpace = (ch: string | undefined): boolean => ch !== undefined && /^\s$/.test(ch);

/** Puts a combining mark after the first character of `base` (and any marks it already carries). */
function applyAccent(base: string, mark: string, fallback: string): string {
  if (base === '') return fallback;
  const chars = Array.from(base);
  let first = chars[0] ?? '';
  // The dotless letters exist so an accent can sit on them; the accented result is the ordinary letter's.
  if (first === 'ı') first = 'i';
  if (first === 'ȷ') first = 'j';
  let end = 1;
  while (end < chars.length && /^\p{M}$/u.test(chars[end] ?? '')) end++;
  return first + chars.slice(1, end).join('') + mark + chars.slice(end).join('');
}

class TexReader {
  private pos = 0;
  constructor(private readonly src: string) {}

  /** Reads until the end, or until the `}` closing the current group when `inGroup`. */
  sequence(inGroup: boolean): string {
    let out = '';
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos]!;
      if (ch === '}') {
        this.pos++;
        if (inGroup) return out;
        continue; // an unbalanced `}` carries no text
      }
      if (ch === '{') {
        this.pos++;
        out += this.sequence(true);
        continue;
      }
      if (ch === '\\') {
        out += this.control();
        continue;
      }
      if (ch === '-') {
        let n = 0;
        while (this.src[this.pos + n] === '-') n++;
        this.pos += n;
        out += n === 2 ? '–' : n === 3 ? '—' : '-'.repeat(n);
        continue;
      }
      if ((ch === '`' || ch === "'") && this.src[this.pos + 1] === ch) {
        this.pos += 2;
        out += ch === '`' ? '“' : '”';
        continue;
      }
      out += ch;
      this.pos++;
    }
    return out;
  }

  private skipSpaces(): boolean {
    const start = this.pos;
    while (isSpace(this.src[this.pos])) this.pos++;
    return this.pos > start;
  }

  /** One accent argument: a group, a control word (`\i`), or a single character. */
  private argument(): string | null {
    const save = this.pos;
    this.skipSpaces();
    const ch = this.src[this.pos];
    if (ch === undefined || ch === '}') {
      this.pos = save;
      return null;
    }
    if (ch === '{') {
      this.pos++;
      return this.sequence(true);
    }
    if (ch === '\\') return this.control();
    // One code point, so an astral character is not split.
    const cp = String.fromCodePoint(this.src.codePointAt(this.pos)!);
    this.pos += cp.length;
    return cp;
  }

  private control(): string {
    this.pos++; // the backslash
    const next = this.src[this.pos];
    if (next === undefined) return '';
    if (isLetter(next)) {
      const start = this.pos;
      while (isLetter(this.src[this.pos])) this.pos++;
      const name = this.src.slice(start, this.pos);
      const afterName = this.pos;
      const spaced = this.skipSpaces();

      const accent = LETTER_ACCENTS[name];
      if (accent !== undefined) {
        const following = this.src[this.pos];
        if (following === '{' || following === '\\' || isLetter(following) || (spaced && following !== undefined)) {
          const arg = this.argument();
          if (arg !== null) return applyAccent(arg, accent, '');
        }
        this.pos = afterName;
        return name;
      }
      const letter = LETTER_MACROS[name];
      if (letter !== undefined) return letter; // TeX swallows the space after a control word
      if (FORMAT_MACROS.has(name)) return '';
      // Unknown macro (`\LaTeX`, `\mathbb`): keep its name readable and the space the author typed.
      return spaced && this.src[this.pos] !== '{' ? `${name} ` : name;
    }
    this.pos++;
    const mark = SYMBOL_ACCENTS[next];
    if (mark !== undefined) {
      const arg = this.argument();
      return arg === null ? next : applyAccent(arg, mark, next);
    }
    if (SPACE_SYMBOLS.has(next)) return ' ';
    if (INVISIBLE_SYMBOLS.has(next)) return '';
    return next; // `\&`, `\%`, `\$`, `\_`, `\{`, `\}`, `\#`
  }
}

/** Splits text into alternating prose and `$…$` / `$$…$$` math spans; `\$` is not a delimiter. */
function splitMath(s: string): Array<{ math: boolean; text: string }> {
  const parts: Array<{ math: boolean; text: string }> = [];
  let textStart = 0;
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch !== '$') {
      i++;
      continue;
    }
    const delim = s[i + 1] === '$' ? '$$' : '$';
    const close = findClosingDollar(s, i + delim.length, delim);
    if (close < 0) break; // an unpaired `$` is plain text
    if (i > textStart) parts.push({ math: false, text: s.slice(textStart, i) });
    const end = close + delim.length;
    parts.push({ math: true, text: s.slice(i, end) });
    i = end;
    textStart = end;
  }
  if (textStart < s.length) parts.push({ math: false, text: s.slice(textStart) });
  return parts;
}

function findClosingDollar(s: string, from: number, delim: string): number {
  for (let j = from; j < s.length; j++) {
    if (s[j] === '\\') {
      j++;
      continue;
    }
    if (s.startsWith(delim, j)) return j;
  }
  return -1;
}

/**
 * Turns TeX accents and letter macros into Unicode (`J\"org` → `Jörg`, `Kra{\ss}` → `Kraß`), drops grouping
 * braces, `--` → `–`. Math spans (`$…$`) are kept exactly as written. Unknown macros lose only their backslash.
 */
export function detexify(s: string): string {
  if (!/[\\{}$`'-]/.test(s)) return s.normalize('NFC');
  return splitMath(s)
    .map((part) => (part.math ? part.text : new TexReader(part.text).sequence(false)))
    .join('')
    .normalize('NFC');
}
