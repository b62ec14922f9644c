import { describe, expect, it } from 'vitest';
import { displayWidth, truncateText } from '../../src/render/truncate.ts';

const graphemes = (s: string): string[] =>
  [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(s)].map((x) => x.segment);

const FAMILY = '👨‍👩‍👧';
const MIXED = '大型语言模型（LLM）在数学推理上的表现👨‍👩‍👧与Scaling laws：第一句。第二句很长，还在继续？第三句。';

describe('displayWidth', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['汉字', 4],
    ['（：。', 6],
    ['ＡＢ', 4],
    [FAMILY, 2],
    ['👍🏽', 2],
    ['é', 1], // e + combining acute: one grapheme
    ['a\u200bb', 2],
    ['LLM 推理', 8],
  ])('%j is %i columns', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });
});

describe('truncateText', () => {
  it.each([
    /** Within budget: unchanged */
    ['short English', 'Scaling laws', 20, 'Scaling laws'],
    ['exact fit', 'abcde', 5, 'abcde'],
    ['exact fit Han', '语言模型', 8, '语言模型'],
    /** English: whole words only, trailing punctuation dropped */
    ['English words', 'Scaling laws for sparse mixture-of-experts models', 30, 'Scaling laws for sparse…'],
    ['hyphenated compound kept whole', 'We study post-training quantization of models', 22, 'We study…'],
    ['comma stripped', 'Alpha, beta, gamma, delta, epsilon', 14, 'Alpha, beta…'],
    ['number kept whole', 'Accuracy rises by 12.45 points overall', 23, 'Accuracy rises by…'],
    ['apostrophe word kept whole', "It doesn't matter which model", 12, "It doesn't…"],
    ['apostrophe word not split', "It doesn't matter which model", 9, 'It…'],
    /** Chinese: cut between Han characters, never inside LLM */
    ['Han run', '仅权重的训练后量化将大型语言模型的权重压缩为低精度表示', 21, '仅权重的训练后量化将…'],
    ['mixed with Latin word', MIXED, 30, '大型语言模型（LLM）在数学推理…'],
    ['no cut inside Latin in Han text', '我们提出Transformer架构', 13, '我们提出…'],
    ['fullwidth comma stripped', '第一部分，第二部分，第三部分', 12, '第一部分…'],
    ['cut after a fullwidth colon glued to a word', 'Scaling laws：第一句话很长很长', 17, 'Scaling laws：第…'],
    ['fullwidth colon stripped', 'Scaling laws：第一句话很长很长', 15, 'Scaling laws…'],
    /** Sentence boundary preferred in the last 40 % of the budget */
    ['English sentence', 'We propose a method. It works well on many benchmarks today.', 30, 'We propose a method. …'],
    ['Chinese sentence', '我们提出了一种新方法。它在许多基准上都表现很好。', 30, '我们提出了一种新方法。…'],
    ['sentence too early is ignored', 'Short. Then a much longer sentence follows here.', 40, 'Short. Then a much longer sentence…'],
    ['question mark', '这是问题吗？后面还有很多很多内容内容内容。', 16, '这是问题吗？…'],
    /** Emoji */
    ['ZWJ family never split', `${FAMILY}${FAMILY}${FAMILY}`, 5, `${FAMILY}${FAMILY}…`],
    ['ZWJ family at the edge', `ab${FAMILY}cd`, 4, 'ab…'],
    ['skin tone kept', 'ok 👍🏽👍🏽👍🏽 done', 8, 'ok 👍🏽👍🏽…'],
    /** Math spans: whole or not at all */
    ['math span kept whole', 'We prove $O(n \\log n)$ bounds hold for all inputs.', 30, 'We prove $O(n \\log n)$ bounds…'],
    ['cut before a math span', 'We prove $O(n \\log n)$ bounds hold for all inputs.', 18, 'We prove…'],
    ['display math', 'Let $$\\sum_i x_i = 1$$ hold in general for all', 16, 'Let…'],
    ['escaped dollar is literal', 'Costs \\$5 and \\$7 each time we run', 16, 'Costs \\$5 and…'],
    /** Tiny budgets */
    ['first word too wide', 'Supercalifragilistic words', 5, '…'],
    ['budget below the ellipsis', 'abc def', 0, ''],
  ])('%s', (_name, text, width, expected) => {
    const result = truncateText(text, width);
    expect(result).toBe(expected);
    expect(displayWidth(result)).toBeLessThanOrEqual(width);
  });

  it('uses a custom ellipsis and counts its width', () => {
    expect(truncateText('Scaling laws for sparse models', 20, { ellipsis: ' [...]' })).toBe('Scaling laws [...]');
    expect(truncateText('一二三四五六七八九十', 9, { ellipsis: '……' })).toBe('一二三……');
  });

  it('keeps a math span that runs past the segmented prefix intact', () => {
    const text = `Intro $${'x + '.repeat(60)}y$ tail`;
    expect(truncateText(text, 40)).toBe('Intro…');
  });
});

// Deterministic pseudo-random inputs so a failure is reproducible.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = [
  'Scaling',
  ' ',
  'laws',
  'post-training',
  '.',
  '. ',
  ', ',
  '大型',
  '语言',
  '模型',
  '，',
  '。',
  '？',
  '（LLM）',
  FAMILY,
  '👍🏽',
  '$O(n^2)$',
  ' $\\alpha$ ',
  'é',
  '12.5%',
  '：',
  'GPT-4o',
  '\u200b',
];

describe('truncateText properties', () => {
  const random = rng(20251114);
  const inputs = Array.from({ length: 150 }, () => {
    const n = 1 + Math.floor(random() * 40);
    return Array.from({ length: n }, () => PIECES[Math.floor(random() * PIECES.length)] ?? '').join('');
  });

  it('width ≤ budget, and the result is a grapheme prefix of the input plus the ellipsis', () => {
    let checked = 0;
    for (const text of inputs) {
      const units = graphemes(text);
      for (let width = 0; width <= 70; width += 3) {
        const result = truncateText(text, width);
        expect(displayWidth(result), `${JSON.stringify(text)} @ ${width}`).toBeLessThanOrEqual(width);
        if (result === text) {
          expect(displayWidth(text)).toBeLessThanOrEqual(width);
          continue;
        }
        if (result === '') {
          expect(width).toBeLessThan(1);
          continue;
        }
        expect(result.endsWith('…')).toBe(true);
        const kept = result.slice(0, -1);
        expect(text.startsWith(kept), `${JSON.stringify(result)} not a prefix of ${JSON.stringify(text)}`).toBe(true);
        // A prefix by graphemes: its grapheme list is a prefix of the input's.
        const keptUnits = graphemes(kept);
        expect(units.slice(0, keptUnits.length)).toEqual(keptUnits);
        // Math spans are never opened without being closed.
        expect((kept.match(/(?<!\\)\$/gu) ?? []).length % 2).toBe(0);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('never ends inside a Latin word', () => {
    for (const text of inputs) {
      for (let width = 4; width <= 70; width += 5) {
        const result = truncateText(text, width);
        if (result === text || result === '…') continue;
        const kept = result.slice(0, -1);
        const next = text.slice(kept.length, kept.length + 1);
        const prev = kept.slice(-1);
        expect(/[A-Za-z0-9]/u.test(prev) && /[A-Za-z0-9]/u.test(next), `${JSON.stringify(text)} @ ${width}`).toBe(false);
      }
    }
  });
});
