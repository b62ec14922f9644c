import { describe, expect, it } from 'vitest';
import { cutAtWord, pairedExcerpts, sentenceExcerpt, splitSentences } from '../../src/render/excerpt.ts';
import { displayWidth } from '../../src/render/truncate.ts';

const chineseWords = (s: string): string[] =>
  [...new Intl.Segmenter('zh', { granularity: 'word' }).segment(s)].filter((w) => w.isWordLike).map((w) => w.segment);

describe('splitSentences', () => {
  it.each([
    ['plain', 'One thing. Two things! Three? Four.', ['One thing.', 'Two things!', 'Three?', 'Four.']],
    ['e.g. and i.e.', 'Models, e.g. GPT-4, fail. They err, i.e. Often. Then fixed.', ['Models, e.g. GPT-4, fail.', 'They err, i.e. Often.', 'Then fixed.']],
    ['e.g. before a capital', 'We test big models e.g. GPT-4 and Llama. It works.', ['We test big models e.g. GPT-4 and Llama.', 'It works.']],
    ['et al.', 'Following Smith et al. We extend it. Done.', ['Following Smith et al. We extend it.', 'Done.']],
    ['vs.', 'We compare RL vs. SFT on math. RL wins.', ['We compare RL vs. SFT on math.', 'RL wins.']],
    ['decimals', 'Accuracy rises by 3.5 points to 91.2%. Costs fall.', ['Accuracy rises by 3.5 points to 91.2%.', 'Costs fall.']],
    ['version numbers', 'We release v2.1.0 of the tool. It runs on Python 3.12. Try it.', ['We release v2.1.0 of the tool.', 'It runs on Python 3.12.', 'Try it.']],
    ['math with a period inside', 'We bound $f(x) = 0. Then g$ tightly. Next we prove $a.B$ holds. End.', ['We bound $f(x) = 0. Then g$ tightly.', 'Next we prove $a.B$ holds.', 'End.']],
    ['closing quote and bracket', 'They say "it works." (We agree.) Fine.', ['They say "it works."', '(We agree.)', 'Fine.']],
    ['initials', 'Inspired by J. Smith and colleagues. We go on.', ['Inspired by J. Smith and colleagues.', 'We go on.']],
    ['lower-case continuation', 'Results on approx. ten tasks hold. Done.', ['Results on approx. ten tasks hold.', 'Done.']],
    ['Fig. and Eq.', 'As Fig. 3 shows, Eq. 2 holds. Done.', ['As Fig. 3 shows, Eq. 2 holds.', 'Done.']],
  ])('English: %s', (_name, text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
  });

  it.each([
    ['。！？；', '我们提出了新方法。效果很好！真的吗？是的；结束。', ['我们提出了新方法。', '效果很好！', '真的吗？', '是的；', '结束。']],
    ['decimals and math', '准确率提升 3.5 个百分点。复杂度为 $O(n.5)$ 。完毕', ['准确率提升 3.5 个百分点。', '复杂度为 $O(n.5)$ 。', '完毕']],
    ['closing quote', '作者称“有效。”我们同意。', ['作者称“有效。”', '我们同意。']],
    ['ASCII punctuation between Han characters', '我们提出模型.实验表明有效.', ['我们提出模型.', '实验表明有效.']],
    ['e.g. inside Chinese', '多种模型(例如 GPT-4 等,e.g. Llama)表现良好。结束。', ['多种模型(例如 GPT-4 等,e.g. Llama)表现良好。', '结束。']],
  ])('Chinese: %s', (_name, text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
  });
});

const EN =
  'Large language models (LLMs), e.g. GPT-4, reason poorly over long contexts. Smith et al. Showed a 3.5% drop at ' +
  '128k tokens. We propose $\\mathcal{R}.1$-Net, which raises accuracy by 12.4 points vs. the v2.1 baseline. ' +
  'Code is public.';
const ZH =
  '大型语言模型（LLM）在长上下文中推理能力较差。已有工作显示在 128k 词元时下降 3.5%。我们提出 $\\mathcal{R}.1$-Net，' +
  '相比 v2.1 基线准确率提升 12.4 个百分点。代码已公开。';

describe('sentenceExcerpt', () => {
  it('ends at a sentence end, whole sentences only, with no ellipsis', () => {
    const out = sentenceExcerpt(EN, 130);
    expect(out).toBe(
      'Large language models (LLMs), e.g. GPT-4, reason poorly over long contexts. Smith et al. Showed a 3.5% drop at 128k tokens.',
    );
    expect(out).not.toContain('…');
  });

  it('keeps a math span and a version number inside the sentences it takes', () => {
    const out = sentenceExcerpt(EN, 230);
    expect(out.endsWith('vs. the v2.1 baseline.')).toBe(true);
    expect(out).toContain('$\\mathcal{R}.1$-Net');
  });

  it('takes Chinese sentences by display width (Han = 2)', () => {
    const out = sentenceExcerpt(ZH, 100);
    expect(out).toBe('大型语言模型（LLM）在长上下文中推理能力较差。已有工作显示在 128k 词元时下降 3.5%。');
    expect(displayWidth(out)).toBeLessThanOrEqual(100);
  });

  it('returns the whole text when it fits', () => {
    expect(sentenceExcerpt('One. Two.', 360)).toBe('One. Two.');
    expect(sentenceExcerpt('Ends without a period', 360)).toBe('Ends without a period');
  });

  it('shows a first sentence a little over budget whole rather than cutting it', () => {
    const first = 'Large language models (LLMs), e.g. GPT-4, reason poorly over long contexts.';
    expect(sentenceExcerpt(EN, 60)).toBe(first);
  });

  it('cuts a far-too-long Chinese first sentence between words, never inside "即可" or "规范"', () => {
    const long = '只需简单配置即可实现规范的推理过程而无需任何额外的人工标注数据和复杂的多阶段训练流程以及大量的计算资源。第二句。';
    for (let budget = 14; budget <= 40; budget++) {
      const out = sentenceExcerpt(long, budget);
      expect(out.endsWith('…'), out).toBe(true);
      expect(out.length).toBeGreaterThan(1);
      expect(displayWidth(out)).toBeLessThanOrEqual(budget);
      const kept = out.slice(0, -1);
      // Every word of the cut text is a word of the sentence: no word was split.
      expect(long.startsWith(kept)).toBe(true);
      expect(chineseWords(long).join('').startsWith(chineseWords(kept).join(''))).toBe(true);
      const lastWord = chineseWords(kept).at(-1) ?? '';
      expect(chineseWords(long)).toContain(lastWord);
    }
    expect(sentenceExcerpt(long, 14)).toBe('只需简单配置…');
    expect(cutAtWord(long, 15)).toBe('只需简单配置…');
    expect(cutAtWord(long, 17)).toBe('只需简单配置即可…');
    expect(cutAtWord(long, 26)).toBe('只需简单配置即可实现规范…');
  });

  it('cuts a far-too-long English first sentence at a word, never inside $…$, ellipsis glued to the word', () => {
    const long = `We study ${'very '.repeat(30)}long sentences with $a + b = c$ math inside and more words after it.`;
    const out = sentenceExcerpt(long, 40);
    expect(out).toMatch(/\S…$/u);
    expect(displayWidth(out)).toBeLessThanOrEqual(40);
    const math = `Proofs hold for $${'x + '.repeat(20)}y$ in every case we tried so far in this work.`;
    const cut = cutAtWord(math, 40);
    expect(cut).toBe('Proofs hold for…');
  });
});

describe('pairedExcerpts', () => {
  it('shows the same number of sentences in both languages when the counts match', () => {
    const out = pairedExcerpts(EN, ZH, { en: 360, zh: 100 });
    expect(splitSentences(out.en)).toHaveLength(2);
    expect(splitSentences(out.zh)).toHaveLength(2);
    // The Chinese budget allowed 2 sentences; the English one would have allowed all 4.
    expect(sentenceExcerpt(EN, 360)).toBe(EN);
  });

  it('budgets each language separately when the counts differ, still whole sentences', () => {
    const zhShort = '大型语言模型（LLM）在长上下文中推理能力较差。代码已公开。';
    const out = pairedExcerpts(EN, zhShort, { en: 130, zh: 240 });
    expect(splitSentences(out.en)).toHaveLength(2);
    expect(out.zh).toBe(zhShort);
    expect(out.en).not.toContain('…');
  });
});
