// The default translation glossary: the Chinese wording paperboy uses every time, and the variants of it that
// models and recorded translations produce instead (normalised to the canonical wording after a reply is parsed,
// and again when a stored translation is read, so a paper's title, abstract, TL;DR and points agree).
//
// A variant is replaced only in papers whose English uses the term: "代理" is "agent" in an agent paper but
// "proxy" elsewhere, "代币" is right for a cryptocurrency token. Variants that are also ordinary words in other
// senses (基准测试 "to benchmark", 标记 "label, mark") are deliberately not listed.
// Chosen from the variants seen in test/fixtures/zh-2025-11-14.json (大型语言模型 ×9 next to 大语言模型 ×6,
// 代理 for agent, 代币 for token, 变压器 for Transformer, 视觉-语言模型) and the usual renderings in Chinese
// ML writing.

/** The Chinese for one English term, and the other renderings to replace with it. */
export interface GlossaryTerm {
  zh: string;
  variants: string[];
}

export const DEFAULT_GLOSSARY: Readonly<Record<string, GlossaryTerm>> = {
  'large language model': { zh: '大语言模型', variants: ['大型语言模型', '大规模语言模型'] },
  agent: { zh: '智能体', variants: ['智能代理', '代理'] },
  'reinforcement learning': { zh: '强化学习', variants: ['增强学习'] },
  'fine-tuning': { zh: '微调', variants: ['精调'] },
  benchmark: { zh: '基准', variants: [] },
  'chain of thought': { zh: '思维链', variants: ['思维链条', '链式思维', '思考链'] },
  token: { zh: '词元', variants: ['代币', '令牌'] },
  transformer: { zh: 'Transformer', variants: ['变压器', '变换器'] },
  'retrieval-augmented generation': { zh: '检索增强生成', variants: ['检索增强的生成'] },
  'vision-language model': { zh: '视觉语言模型', variants: ['视觉-语言模型'] },
  'diffusion model': { zh: '扩散模型', variants: [] },
  hallucination: { zh: '幻觉', variants: [] },
  'in-context learning': { zh: '上下文学习', variants: ['语境学习', '情境学习'] },
  'multimodal large language model': { zh: '多模态大语言模型', variants: ['多模态大型语言模型'] },
  'knowledge distillation': { zh: '知识蒸馏', variants: [] },
  'mixture of experts': { zh: '混合专家', variants: ['专家混合'] },
};
