import { describe, expect, it } from 'vitest';
import { DEFAULT_GLOSSARY } from '../../src/config/default-glossary.ts';
import { checkAnalysis, checkSummary, checkSummaryItem, indexSource, summaryText } from '../../src/translate/check-summary.ts';
import { findSwaps } from '../../src/translate/check-translation.ts';
import { variantRulesFor } from '../../src/translate/normalize-glossary.ts';

// The checks every TL;DR and key point passes against its paper's own title and abstract (issue 11, item 2).

const PAPER = {
  title: 'Self-Consistency Sampling for Outcome-Reward RL',
  abstract:
    'We propose Self-Consistency Sampling (SCS) for reinforcement learning of large language models. Based on Qwen2.5-VL-7B-Instruct, plugging SCS into RLOO and GRPO improves accuracy by up to 7.7 percentage points on six benchmarks, and by 12.5% on MathVista with 1,000 samples. The loss is $\\mathcal{L}_{SCS}$. Our agents use tokens sparingly.',
};
const source = indexSource(PAPER);
const en = (text: unknown, kind: 'tldr' | 'point' = 'point') => checkSummaryItem(text, 'points_en[1]', kind, 'en', source);
const zh = (text: unknown, kind: 'tldr' | 'point' = 'point') => checkSummaryItem(text, 'points_zh[1]', kind, 'zh', source);

describe('checkSummaryItem: what passes', () => {
  it.each([
    ['numbers and names of the abstract', 'SCS improves Qwen2.5-VL-7B-Instruct by up to 7.7 percentage points.'],
    ['a percentage written with a space', 'Accuracy rises by 12.5 % on MathVista.'],
    ['a thousands separator dropped', 'It needs only 1000 samples.'],
    ['a $…$ span of the abstract, spaced differently', 'It minimises $\\mathcal{L}_{SCS}$ during training.'],
    ['a plural of a name', 'Works with RLOOs and GRPO.'],
    ['ordinary capitalised words', 'The method is simple. It helps.'],
    ['an acronym of words the abstract spells out', 'SCS improves outcome-reward RL for LLMs.'],
  ])('English: %s', (_what, text) => {
    expect(en(text).drop).toBeNull();
  });

  it.each([
    ['the same digits in Chinese text', 'SCS 在六个基准上最多提升 7.7 个百分点，在 MathVista 上提升 12.5%。'],
    ['full-width digits', '在 MathVista 上提升１２.５％。'],
    ['Latin names copied from the abstract', '把 SCS 接入 RLOO 与 GRPO 即可提升准确率。'],
  ])('Chinese: %s', (_what, text) => {
    expect(zh(text).drop).toBeNull();
  });

  it('takes numbering and bullets off instead of failing on them', () => {
    expect(en('1. SCS improves accuracy.').text).toBe('SCS improves accuracy.');
    expect(en('- SCS improves accuracy.').text).toBe('SCS improves accuracy.');
    expect(zh('（2）SCS 提升了准确率。').text).toBe('SCS 提升了准确率。');
    expect(zh('三、SCS 提升了准确率。').text).toBe('SCS 提升了准确率。');
  });
});

describe('checkSummaryItem: what is dropped, and why', () => {
  it.each([
    ['a number not in the abstract', en('SCS improves accuracy by 9.1 points.'), 'number', '9.1 is not in the abstract'],
    ['a percentage not in the abstract (Chinese)', zh('SCS 使准确率提升 15%。'), 'number', '15 is not in the abstract'],
    ['a $…$ span not in the abstract', en('It minimises $\\mathcal{L}_{KL}$.'), 'math', '$\\mathcal{L}_{KL}$ is not in the abstract'],
    ['a model name not in the abstract', en('SCS beats GPT-4o on reasoning.'), 'name', '"GPT-4o" is not in the abstract'],
    ['an acronym the abstract does not spell out', en('SCS helps VLMs.'), 'name', '"VLMs" is not in the abstract'],
    ['a name found only inside another word', zh('该方法在多个基准上优于 GRP 方法。'), 'name', '"GRP" is not in the abstract'],
    ['a sibling of a model in the abstract', en('SCS also helps Qwen2.5-VL.'), 'name', '"Qwen2.5-VL" is not in the abstract'],
    ['a translated-away name: a Latin word the abstract lacks (Chinese)', zh('SCS 优于 DeepSeek 的方法。'), 'name', '"DeepSeek" is not in the abstract'],
    ['an English point in the Chinese slot', zh('SCS improves accuracy on six benchmarks.'), 'language', 'English in the Chinese slot'],
    ['a Chinese point in the English slot', en('SCS 提升了准确率。'), 'language', 'Chinese in the English slot'],
    ['mostly Latin in the Chinese slot', zh('SCS and GRPO 提升 7.7。'), 'language', 'too little Chinese'],
    ['markdown', en('**SCS** improves accuracy.'), 'markup', 'markdown'],
    ['a translator note', zh('SCS 提升了准确率。（注：术语保留英文。）'), 'markup', 'a note'],
    ['a 400-character "point"', en('The method is evaluated in many settings and works well. '.repeat(7)), 'length', 'words (at most 35)'],
    ['a 400-character Chinese "point"', zh('该方法在多种设置下进行了评估，效果良好。'.repeat(20)), 'length', 'characters (at most 80)'],
    ['a TL;DR of two long sentences', en(`${'SCS improves accuracy on six benchmarks with little extra computation'.repeat(1)}. ${'It is simple and general and helps many models a lot in practice '.repeat(3)}`, 'tldr'), 'length', 'at most 40'],
    ['an empty item', en('  '), 'missing', 'empty'],
    ['not a string', zh({ text: 'SCS' }), 'missing', 'not a string'],
  ])('%s', (_what, result, check, detail) => {
    expect(result.text).toBeNull();
    expect(result.drop?.check).toBe(check);
    expect(result.drop?.detail).toContain(detail);
  });
});

describe('checkSummary', () => {
  it('judges each item apart, keeps at most 3 points, and counts what was offered', () => {
    const result = checkSummary(PAPER, {
      tldrEn: 'SCS makes outcome-reward RL reward faithful reasoning, gaining up to 7.7 points.',
      tldrZh: 'SCS 让结果奖励 RL 奖励可信的推理，最多提升 7.7 个百分点。',
      pointsEn: ['SCS perturbs and resamples trajectories.', 'Gains 99% everywhere.', 'Simple to add to GRPO.', 'A fourth point.'],
      pointsZh: ['SCS 对轨迹施加扰动并重采样。', '准确率最多提升 7.7 个百分点。'],
    });
    expect(result.fields).toEqual({
      tldrEn: 'SCS makes outcome-reward RL reward faithful reasoning, gaining up to 7.7 points.',
      tldrZh: 'SCS 让结果奖励 RL 奖励可信的推理，最多提升 7.7 个百分点。',
      pointsEn: ['SCS perturbs and resamples trajectories.', 'Simple to add to GRPO.'],
      pointsZh: ['SCS 对轨迹施加扰动并重采样。', '准确率最多提升 7.7 个百分点。'],
    });
    expect(result.offered).toBe(7);
    expect(result.drops).toEqual([{ item: 'points_en[2]', check: 'number', detail: '99 is not in the abstract' }]);
  });

  it('takes a lone string as one point and ignores missing fields', () => {
    const result = checkSummary(PAPER, { pointsZh: 'SCS 对轨迹施加扰动并重采样。' });
    expect(result.fields.pointsZh).toEqual(['SCS 对轨迹施加扰动并重采样。']);
    expect(result.offered).toBe(1);
  });

  it('puts Chinese items in the glossary wording before checking them', () => {
    const rules = variantRulesFor(DEFAULT_GLOSSARY, `${PAPER.title}\n${PAPER.abstract}`);
    const result = checkSummary(PAPER, { pointsZh: ['这些代理节省了代币。'] }, rules);
    expect(result.fields.pointsZh).toEqual(['这些智能体节省了词元。']);
  });

  it('without the paper (an import that came first) runs only the checks that need no abstract', () => {
    const result = checkSummary(null, { pointsEn: ['Beats GPT-4o by 99%.', '**bold**'], pointsZh: ['English only here.'] });
    expect(result.fields.pointsEn).toEqual(['Beats GPT-4o by 99%.']);
    expect(result.drops.map((d) => d.check)).toEqual(['markup', 'language']);
  });
});

describe('a summary about another paper of the batch', () => {
  const other = {
    id: '2',
    title: 'Depth Anything 3',
    abstract: 'DA3 surpasses VGGT by 44.3% in camera pose accuracy and 25.1% in geometric accuracy with a DINO encoder.',
  };
  const mine = { id: '1', ...PAPER };
  const swapped = {
    tldrEn: 'DA3 beats VGGT by 44.3% in camera pose accuracy.',
    pointsZh: ['DA3 的几何精度提升 25.1%。', '使用 DINO 编码器。'],
  };

  it('fails the per-item checks: its numbers and names are not in this abstract', () => {
    const result = checkSummary(PAPER, swapped);
    expect(result.fields.tldrEn).toBeNull();
    expect(result.drops.map((d) => d.check)).toEqual(['name', 'name', 'name']);
  });

  it('is caught as a swap when its names and numbers match the other paper better', () => {
    const summaries = new Map([
      ['1', { titleZh: null, abstractZh: summaryText(swapped) }],
      ['2', { titleZh: null, abstractZh: summaryText({ tldrEn: 'SCS improves Qwen2.5-VL-7B-Instruct by 7.7 points on GRPO.' }) }],
    ]);
    expect([...findSwaps([mine, other], summaries).keys()].sort()).toEqual(['1', '2']);
  });

  it('raises no alarm for summaries under their own papers', () => {
    const summaries = new Map([
      ['1', { titleZh: null, abstractZh: summaryText({ tldrEn: 'SCS improves Qwen2.5-VL-7B-Instruct by 7.7 points on GRPO.' }) }],
      ['2', { titleZh: null, abstractZh: summaryText(swapped) }],
    ]);
    expect(findSwaps([mine, other], summaries)).toEqual(new Map());
  });
});

describe('checkAnalysis', () => {
  it('keeps the parts that pass, each language apart', () => {
    const result = checkAnalysis(PAPER, {
      problem: { en: 'Outcome rewards pay unfaithful reasoning.', zh: '结果奖励会奖励不可信的推理。' },
      results: { en: 'Up to 7.7 points on six benchmarks.', zh: '最多提升 70 个百分点。' },
      limitations: 'none',
    });
    expect(result.analysis).toEqual({
      problem: { en: 'Outcome rewards pay unfaithful reasoning.', zh: '结果奖励会奖励不可信的推理。' },
      results: { en: 'Up to 7.7 points on six benchmarks.', zh: null },
    });
    expect(result.drops).toEqual([{ item: 'analysis.results.zh', check: 'number', detail: '70 is not in the abstract' }]);
  });
});
