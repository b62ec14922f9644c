import { describe, expect, it } from 'vitest';
import { describeHiddenCharacter, escapeForTerminal, findHiddenCharacter } from '../src/hidden-characters.ts';

describe('escapeForTerminal', () => {
  it.each([
    ['a terminal title sequence', '\x1b]0;pwned\x07', '\\x1b]0;pwned\\x07'],
    ['a CSI clear-screen', 'x\x1b[2Jy', 'x\\x1b[2Jy'],
    ['a C1 CSI and DEL', 'a\x9b31mb\x7f', 'a\\x9b31mb\\x7f'],
    ['line ends and tabs', 'a\r\nb\tc', 'a\\r\\nb\\tc'],
    ['a bidi override', 'ad\u202emin@example.org', 'ad\\u202emin@example.org'],
    ['isolates and marks', '\u2066x\u2069\u200f', '\\u2066x\\u2069\\u200f'],
    ['zero-width characters and a BOM', 'a\u200bb\u200dc\ufeff', 'a\\u200bb\\u200dc\\ufeff'],
    ['a no-break space and a line separator', 'a\u00a0b\u2028c', 'a\\xa0b\\u2028c'],
    ['a Hangul filler', 'a\u3164b', 'a\\u3164b'],
    ['a tag character', 'a\u{e0041}b', 'a\\u{e0041}b'],
    ['a lone surrogate', 'a\ud800b', 'a\\ud800b'],
    ['plain text, Chinese and spaces', 'Wei Zhang 张伟 <w@example.org> "q"', 'Wei Zhang 张伟 <w@example.org> "q"'],
  ])('%s', (_name, value, shown) => {
    expect(escapeForTerminal(value)).toBe(shown);
  });
});

describe('findHiddenCharacter', () => {
  it.each([
    ['ada@example.org', null],
    ['张伟 Wei', null],
    ['ad\u202emin', 'a bidirectional control character U+202E at position 3'],
    ['😀\u200b', 'an invisible character U+200B at position 2'],
    ['\x07', 'a control character U+0007 at position 1'],
    ['a\u3000b', 'an unusual space or line break U+3000 at position 2'],
  ])('%j → %j', (text, description) => {
    const hidden = findHiddenCharacter(text);
    expect(hidden && describeHiddenCharacter(hidden)).toBe(description);
  });
});
