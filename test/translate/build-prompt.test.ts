import { describe, expect, it } from 'vitest';
import {
  buildBatchPrompt,
  buildStrictPrompt,
  glossaryFor,
  glossaryPattern,
  PROMPT_TEMPLATE_VERSION,
  promptVersionOf,
} from '../../src/translate/build-prompt.ts';

const GLOSSARY = { 'large language model': '大语言模型', agent: '智能体', 'fine-tuning': '微调', benchmark: '基准' };
const SETTINGS = { glossary: GLOSSARY, summaries: false };

const paper = {
  id: '2511.10645',
  title: 'ParoQuant: Pairwise Rotation Quantization for Efficient Reasoning LLM Inference',
  abstract: 'Large language models with $k$-bit weights need fine tuning; our agents beat the benchmark.',
};

describe('promptVersionOf', () => {
  it('starts with the template version and is stable', () => {
    const version = promptVersionOf(SETTINGS);
    expect(version).toMatch(new RegExp(`^${PROMPT_TEMPLATE_VERSION}\\.[0-9a-f]{8}$`));
    expect(promptVersionOf({ glossary: { ...GLOSSARY }, summaries: false })).toBe(version);
  });

  it('does not depend on the order of the glossary', () => {
    const reversed = Object.fromEntries(Object.entries(GLOSSARY).reverse());
    expect(promptVersionOf({ glossary: reversed, summaries: false })).toBe(promptVersionOf(SETTINGS));
  });

  it.each([
    ['summaries switched on', { glossary: GLOSSARY, summaries: true }],
    ['a glossary entry changed', { glossary: { ...GLOSSARY, agent: '代理' }, summaries: false }],
    ['a glossary entry added', { glossary: { ...GLOSSARY, token: '词元' }, summaries: false }],
    ['the glossary emptied', { glossary: {}, summaries: false }],
  ])('changes when %s', (_what, settings) => {
    expect(promptVersionOf(settings)).not.toBe(promptVersionOf(SETTINGS));
  });
});

describe('glossaryPattern', () => {
  it.each([
    ['agent', 'LLM agents plan', true],
    ['agent', 'a reagent was used', false],
    ['agent', 'Agent-based models', true],
    ['fine-tuning', 'fine tuning helps', true],
    ['fine-tuning', 'Fine-Tuning helps', true],
    ['large language model', 'Large Language Models (LLMs)', true],
    ['large language model', 'large-language-model', true],
    ['benchmark', 'benchmarking', false],
    ['benchmark', 'new benchmarks', true],
  ])('%s in %j: %s', (term, text, expected) => {
    expect(glossaryPattern(term).test(text)).toBe(expected);
  });
});

describe('buildBatchPrompt', () => {
  it('sends the papers as JSON and only the glossary terms they use', () => {
    const prompt = buildBatchPrompt([paper], { glossary: { ...GLOSSARY, 'reinforcement learning': '强化学习' }, summaries: false });
    expect(JSON.parse(prompt.user)).toEqual({ papers: [paper] });
    for (const [en, zh] of Object.entries(GLOSSARY)) expect(prompt.system).toContain(`${en} → ${zh}`);
    expect(prompt.system).not.toContain('强化学习');
    expect(prompt.system).toContain('JSON');
    expect(prompt.system).toContain('$…$');
    expect(prompt.system).toMatch(/No notes/);
    expect(prompt.system).not.toContain('tldr_en');
  });

  it('asks for the TL;DR and key points only when summaries are on', () => {
    const prompt = buildBatchPrompt([paper], { ...SETTINGS, summaries: true });
    expect(prompt.system).toContain('"tldr_en"');
    expect(prompt.system).toContain('"tldr_zh"');
    expect(prompt.system).toContain('"points_en"');
    expect(prompt.system).toContain('"points_zh"');
    expect(prompt.system).toMatch(/exactly 3 key points/);
    expect(prompt.system).toMatch(/never a figure or name the abstract does not contain/);
  });

  it('puts the rendering, not the variants, into the prompt and its version', () => {
    const withVariants = { ...GLOSSARY, agent: { zh: '智能体', variants: ['代理'] } };
    expect(promptVersionOf({ ...SETTINGS, glossary: withVariants })).toBe(promptVersionOf(SETTINGS));
    const prompt = buildBatchPrompt([paper], { ...SETTINGS, glossary: withVariants });
    expect(prompt.system).toContain('agent → 智能体');
    expect(prompt.system).not.toContain('代理');
  });

  it('leaves the glossary section out when no term occurs', () => {
    const prompt = buildBatchPrompt([{ id: '1', title: 'Graphs', abstract: 'On graphs.' }], SETTINGS);
    expect(prompt.system).not.toContain('→');
  });
});

describe('buildStrictPrompt', () => {
  it('repeats the rules and names what was wrong', () => {
    const prompt = buildStrictPrompt(paper, SETTINGS, ['abstract: math missing: $k$']);
    expect(prompt.system.startsWith(buildBatchPrompt([paper], SETTINGS).system)).toBe(true);
    expect(prompt.system).toContain('abstract: math missing: $k$');
    expect(prompt.system).toContain('previous answer for this paper was rejected');
    expect(JSON.parse(prompt.user)).toEqual({ papers: [paper] });
  });
});
