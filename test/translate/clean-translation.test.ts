import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkChinese, cleanAbstractZh, cleanTitleZh, useChinesePunctuation } from '../../src/translate/clean-translation.ts';
import { sampleDayPapers } from '../support/builders.ts';

interface ZhFixture {
  title_zh_raw?: string;
  abstract_zh: string;
}

const zh = JSON.parse(
  readFileSync(new URL('../fixtures/zh-2025-11-14.json', import.meta.url), 'utf8'),
) as Record<string, ZhFixture>;


// The English the translations were made from, read by the real parser.
const english = new Map((await sampleDayPapers()).map((p) => [p.id, { title: p.title, abstract: p.abstract }]));

const FORBIDDEN = ['注：', '注:', '解析', '翻译采用', '译为', '**', '\n'];

const withTitles = Object.entries(zh).flatMap(([id, entry]) =>
  entry.title_zh_raw === undefined ? [] : [[id, entry.title_zh_raw] as const],
);

describe('fixture zh-2025-11-14', () => {
  it('has an English original for every translation', () => {
    expect(english.size).toBe(20);
    for (const id of Object.keys(zh)) expect(english.has(id), id).toBe(true);
    expect(withTitles.length).toBeGreaterThanOrEqual(10);
  });

  it.each([
    ['2511.10628', 'Instella：性能卓越的完全开放语言模型'],
    ['2511.10643', '大型语言模型的黑盒在线策略蒸馏'],
    ['2511.10645', 'ParoQuant：面向高效推理大语言模型的双向旋转量化方法'],
    ['2511.10647', '深度万物 3：从任意视角重建视觉空间'],
    ['2511.10629', '潜在空间一小步，像素世界大飞跃：面向扩散模型的快速潜在升维适配器'],
  ])('cleans the noisy title of %s', (id, expected) => {
    const result = cleanTitleZh(zh[id]?.title_zh_raw ?? '');
    expect(result.text).toBe(expected);
    expect(result.removed.length).toBeGreaterThan(0);
  });

  it.each(withTitles.filter(([, raw]) => !raw.includes('\n')))('keeps the clean title of %s unchanged', (_id, raw) => {
    expect(cleanTitleZh(raw)).toEqual({ text: raw, removed: [] });
  });

  it.each(withTitles)('title of %s comes out clean and passes checkChinese', (id, raw) => {
    const text = cleanTitleZh(raw).text;
    expect(text).not.toBeNull();
    for (const bad of FORBIDDEN) expect(text).not.toContain(bad);
    expect(checkChinese(text ?? '', english.get(id)?.title ?? '')).toEqual([]);
  });

  it.each(Object.entries(zh))('abstract of %s survives cleaning and passes checkChinese', (id, entry) => {
    const result = cleanAbstractZh(entry.abstract_zh);
    // Nothing of the abstract is removed; only ASCII punctuation inside Chinese becomes full-width.
    expect(result).toEqual({ text: useChinesePunctuation(entry.abstract_zh.trim()), removed: [] });
    for (const bad of FORBIDDEN) expect(result.text).not.toContain(bad);
    expect(checkChinese(result.text ?? '', english.get(id)?.abstract ?? '')).toEqual([]);
  });
});

describe('cleanTitleZh', () => {
  it.each([
    ['译文：大型语言模型的推理', '大型语言模型的推理'],
    ['翻译: 大型语言模型的推理', '大型语言模型的推理'],
    ['标题：大型语言模型的推理', '大型语言模型的推理'],
    ['**译文：** 大型语言模型的推理', '大型语言模型的推理'],
    ['中文标题：\n\n大型语言模型的推理', '大型语言模型的推理'],
    ['好的，以下是该标题的中文翻译：\n\n大型语言模型的推理\n\n希望对您有帮助。', '大型语言模型的推理'],
    ['Translation: 大型语言模型的推理', '大型语言模型的推理'],
    ['# 大型语言模型的推理', '大型语言模型的推理'],
    ['- 大型语言模型的推理', '大型语言模型的推理'],
    ['`大型语言模型`的推理', '大型语言模型的推理'],
    ['“大型语言模型的推理”', '大型语言模型的推理'],
    ['"大型语言模型的推理"', '大型语言模型的推理'],
    ['「大型语言模型的推理」', '大型语言模型的推理'],
    ['《大型语言模型的推理》', '大型语言模型的推理'],
    ['**“大型语言模型的推理”**', '大型语言模型的推理'],
    ['“智能体”与“工具”的协同', '“智能体”与“工具”的协同'],
    ['《红楼梦》中的人物关系抽取', '《红楼梦》中的人物关系抽取'],
    ['大型语言模型的推理。', '大型语言模型的推理'],
    ['大型语言模型的推理（注：“推理”对应 reasoning）', '大型语言模型的推理'],
    ['大型语言模型的推理 (Note: "reasoning" is translated as 推理)', '大型语言模型的推理'],
    ['大型语言模型的推理\n(Note: "reasoning" is translated as 推理.)', '大型语言模型的推理'],
    ['大型语言模型的推理 注：保留了原文结构', '大型语言模型的推理'],
    ['大型语言模型的推理\n\n（说明：采用意译）', '大型语言模型的推理'],
    ['大型语言模型的推理\n\n1. "Reasoning" 译为"推理"\n2. 保留术语', '大型语言模型的推理'],
    ['大型语言模型的推理\n这个翻译采用了以下专业处理方式：\n1. 术语统一', '大型语言模型的推理'],
    ['大型   语言\t模型的  推理', '大型 语言 模型的 推理'],
    ['基于 $\\alpha$-散度的策略优化', '基于 $\\alpha$-散度的策略优化'],
    ['$\\mathcal{O}(\\sqrt{T})$ 遗憾界的在线学习', '$\\mathcal{O}(\\sqrt{T})$ 遗憾界的在线学习'],
    ['注意力机制的稀疏化：说明与分析', '注意力机制的稀疏化：说明与分析'],
    ['GPT-4o 在数学推理上的表现', 'GPT-4o 在数学推理上的表现'],
  ])('%j → %j', (raw, expected) => {
    const result = cleanTitleZh(raw);
    expect(result.text).toBe(expected);
    for (const bad of FORBIDDEN) expect(result.text).not.toContain(bad);
  });

  it.each([
    ['Black-Box On-Policy Distillation of Large Language Models'],
    ['"Black-Box On-Policy Distillation"'],
    ['（注：无法翻译此标题）'],
    ['译文：'],
    [''],
    ['   \n\n  '],
    ['**'],
    ['ParoQuant: 量化'],
  ])('gives null for %j', (raw) => {
    expect(cleanTitleZh(raw).text).toBeNull();
  });

  it('records what it removed', () => {
    const result = cleanTitleZh('译文：“深度万物 3”\n\n（注：采用意译）');
    expect(result.text).toBe('深度万物 3');
    expect(result.removed).toEqual(['译文：', '（注：采用意译）', '“”']);
  });

  it('keeps the English it had to discard for the logs', () => {
    const raw = 'Depth Anything 3: Recovering the Visual Space from Any Views';
    expect(cleanTitleZh(raw).removed).toContain(raw);
  });
});

describe('cleanAbstractZh', () => {
  const body = '我们提出了一种新的方法，用于提升大型语言模型的推理能力。实验表明该方法在五个基准上均优于基线。';
  const second = '此外，我们分析了该方法的局限性，并讨论了未来的研究方向。';

  it.each([
    [`译文：${body}`, body],
    [`摘要：${body}`, body],
    [`好的，以下是摘要的中文翻译：\n\n${body}`, body],
    [`标题：推理方法\n摘要：${body}`, body],
    [`${body}\n\n${second}`, `${body}\n\n${second}`],
    [`${body}\n\n（注：“benchmark”译为“基准”，以符合中文习惯。）`, body],
    [`${body}\n\n注：术语“agent”统一译为“智能体”。`, body],
    [`${body}（注：本译文保留了原文术语。）`, body],
    [`${body} (Note: "agentic" is translated as 智能体式 here.)`, body],
    [`${body}\n\n${second}\n\n（解析：1. 采用意译；2. 保留术语）`, `${body}\n\n${second}`],
    [`${body}\n\n这个翻译采用了以下专业处理方式：\n1. Black-Box 译为"黑盒"\n2. 保持术语准确\n\n该翻译完整保留了原文的技术含义。`, body],
    [`${body}\n\n翻译说明：\n- "Reasoning" 译为"推理"\n- "Benchmark" 译为"基准"`, body],
    [`${body}\n\n1. "Self-Refine" 译为"自我优化"\n2. "SOTA" 译为"最先进"`, body],
    [`${body}\n\n以下是术语的处理方式：\n1. “Self-Refine”对应“自我优化”`, body],
    [`**${body}**`, body],
    [`“${body}”`, body],
    [`${body.slice(0, 20)}\n${body.slice(20)}`, body],
    [`${body}\n模型在 GPT-4 上\nand Llama 上测试。`, `${body}模型在 GPT-4 上 and Llama 上测试。`],
  ])('%#: %j', (raw, expected) => {
    const result = cleanAbstractZh(raw);
    expect(result.text).toBe(expected);
    for (const bad of FORBIDDEN.filter((b) => b !== '\n')) expect(result.text).not.toContain(bad);
  });

  it.each([
    // An author's own note is part of the abstract; only notes about the translation go.
    [`${body}（注：本文已被 NeurIPS 2025 接收。）`],
    // A translation paper may say "译为" in its only paragraph.
    ['我们研究如何将英语译为中文，并提出了一个新的机器翻译模型，在多个数据集上取得了最好的结果。'],
    // "被翻译成" is ordinary Chinese (2511.10593 uses it).
    ['高级语言最终会被翻译成低级语言，从而提高效率。'],
  ])('keeps %j as it is', (raw) => {
    expect(cleanAbstractZh(raw)).toEqual({ text: raw, removed: [] });
  });

  it.each([
    ['We propose a new method for improving the reasoning of large language models.'],
    ['（注：原文为空，无法翻译。）'],
    [''],
  ])('gives null for %j', (raw) => {
    expect(cleanAbstractZh(raw).text).toBeNull();
  });
});

describe('checkChinese', () => {
  const englishAbstract =
    'We propose a new method that improves the reasoning of large language models, with a regret of ' +
    '$O(\\sqrt{T})$ over $T$ rounds. Experiments on five benchmarks show consistent gains over strong baselines.';
  const good =
    '我们提出了一种新方法，提升大型语言模型的推理能力，其在 $T$ 轮中的遗憾为 $O(\\sqrt{T})$。在五个基准上的实验表明，该方法相对强基线取得了一致的提升。';

  it('accepts a faithful translation', () => {
    expect(checkChinese(good, englishAbstract)).toEqual([]);
  });

  it('accepts math written with different spacing', () => {
    expect(checkChinese(good.replace('$O(\\sqrt{T})$', '$O( \\sqrt{T} )$'), englishAbstract)).toEqual([]);
  });

  it.each<[string, string, string, RegExp]>([
    ['empty', '   ', englishAbstract, /^empty$/],
    ['English only', 'We propose a new method.', 'We propose a new method.', /too little Chinese/],
    ['mostly English', 'Transformer-based LLM agents：方法', 'x', /too little Chinese: \d+%/],
    ['truncated', '我们提出了一种新方法。', englishAbstract, /too short: \d+ characters for \d+ in English/],
    ['math dropped', good.replace('$O(\\sqrt{T})$', '次线性'), englishAbstract, /math missing: \$O\(\\sqrt\{T\}\)\$/],
    [
      'a sentence left in English',
      `${good} Experiments on five benchmarks show consistent gains over strong baselines.`,
      englishAbstract,
      /untranslated English: Experiments on five benchmarks show consistent gains over strong baselines/,
    ],
  ])('flags %s', (_label, text, source, problem) => {
    const problems = checkChinese(text, source);
    expect(problems.some((p) => problem.test(p)), problems.join('; ')).toBe(true);
  });

  it.each([
    [
      'a URL is not English prose',
      `${good}代码见 https://github.com/SalesforceAIResearch/socratic-self-refine-reasoning/tree/main/src 。`,
    ],
    ['a list of names is broken by Chinese', `${good}我们在 Qwen2.5-VL-7B-Instruct、InternVL3-8B 和 LLaVA-OneVision 上验证。`],
    ['seven English words are tolerated', `${good}即所谓的 (a simple and general recipe for scaling) 方法。`],
    ['"$5 and $10" is not math', `${good}成本为 5 美元和 10 美元。`],
  ])('does not flag: %s', (_label, text) => {
    const source = `${englishAbstract} It costs $5 and $10.`;
    expect(checkChinese(text, source)).toEqual([]);
  });

  it('does not judge length on very short English', () => {
    expect(checkChinese('综述', 'A Survey')).toEqual([]);
  });
});

describe('useChinesePunctuation', () => {
  it.each([
    ['大型语言模型(LLMs)的权重,以减少内存占用', '大型语言模型（LLMs）的权重，以减少内存占用'],
    ['变压器,尤其是视觉变压器(ViTs),在', '变压器，尤其是视觉变压器（ViTs），在'],
    ['Depth Anything 3(DA3),这是', 'Depth Anything 3（DA3），这是'],
    ['阈值 $f(x)=a,b$ 之后,结果', '阈值 $f(x)=a,b$ 之后，结果'],
    ['比例为1:2,而', '比例为1:2，而'],
    ['见 https://x.org/a,b 处', '见 https://x.org/a,b 处'],
    ['Already fine, in English (x).', 'Already fine, in English (x).'],
  ])('%s', (input, expected) => {
    expect(useChinesePunctuation(input)).toBe(expected);
  });

  it('is applied by the cleaners', () => {
    expect(cleanTitleZh('深度万物 3(DA3):从任意视角重建视觉空间').text).toBe('深度万物 3（DA3）：从任意视角重建视觉空间');
  });
});
