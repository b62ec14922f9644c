// Characters a person cannot see, or that change how the text around them is shown: C0 and C1 controls (ESC
// starts terminal escape sequences), DEL, format characters (zero-width spaces and joiners, bidi overrides and
// isolates, the BOM, soft hyphens), other default-ignorable code points (Hangul fillers, variation selectors),
// lone surrogates, and every space or line separator except the plain space. One definition serves two uses:
// addresses that contain one are refused (src/subscribers/validate-address.ts), and values the CLI echoes show
// them as escapes (`escapeForTerminal`), so a CSV row cannot retitle a terminal or reorder what an operator reads.

export type HiddenKind = 'control' | 'bidi' | 'invisible' | 'space';

export interface HiddenCharacter {
  kind: HiddenKind;
  codePoint: number;
  /** 1-based, in characters (code points), as a person would count. */
  position: number;
}

// One pattern for "hidden"; the kind only picks the words of a message.
const HIDDEN = String.raw`[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cs}\p{Zl}\p{Zp}]|(?! )\p{Zs}`;
const IS_HIDDEN = new RegExp(`^(?:${HIDDEN})$`, 'u');
const EVERY_HIDDEN = new RegExp(HIDDEN, 'gu');
// Unicode's Bidi_Control characters: ALM, LRM, RLM, the embeddings and overrides, the isolates.
const BIDI = /^[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]$/u;

function kindOf(ch: string): HiddenKind | null {
  if (!IS_HIDDEN.test(ch)) return null;
  if (/^\p{Cc}$/u.test(ch)) return 'control';
  if (BIDI.test(ch)) return 'bidi';
  if (/^[\p{Zs}\p{Zl}\p{Zp}]$/u.test(ch)) return 'space';
  return 'invisible';
}

/** The first hidden character of `text`, or null. */
export function findHiddenCharacter(text: string): HiddenCharacter | null {
  let position = 0;
  for (const ch of text) {
    position++;
    const kind = kindOf(ch);
    if (kind) return { kind, codePoint: ch.codePointAt(0) as number, position };
  }
  return null;
}

/** `U+200B`: how Unicode names a code point. */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

const KIND_TEXT: Record<HiddenKind, string> = {
  control: 'a control character',
  bidi: 'a bidirectional control character',
  invisible: 'an invisible character',
  space: 'an unusual space or line break',
};

/** "an invisible character U+200B at position 3" */
export function describeHiddenCharacter(hidden: HiddenCharacter): string {
  return `${KIND_TEXT[hidden.kind]} ${codePointLabel(hidden.codePoint)} at position ${hidden.position}`;
}

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.codePointAt(0) as number;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/**
 * A value from outside (a CSV field, a file name, an option) made safe to print on a terminal: every hidden
 * character becomes a visible escape (`\x1b`, `\u202e`, `\n`); everything else, Chinese included, is unchanged.
 * `keepLineBreaks` is for whole messages of several lines (an error with a list of problems): `\n` stays a
 * line break, `\r` is still shown, since it would let a line overwrite the one before.
 */
export function escapeForTerminal(value: string, options: { keepLineBreaks?: boolean } = {}): string {
  return value.replace(EVERY_HIDDEN, (ch) => (options.keepLineBreaks && ch === '\n' ? ch : escapeOne(ch)));
}
