import { describe, expect, it } from 'vitest';
import { DEFAULT_DOMAINS } from '../../src/config/default-domains.ts';
import { ConfigError } from '../../src/errors.ts';
import { compileKeywords, countMentions, matchKeywords } from '../../src/select/match-keywords.ts';
import { compileInclude, patternOf } from '../../src/select/score-paper.ts';

function hits(pattern: string, text: string): boolean {
  return matchKeywords(compileKeywords([pattern]), text).length > 0;
}

describe('matchKeywords', () => {
  it.each([
    // whole words, never inside a word
    ['RAG', 'We improve RAG pipelines.', true],
    ['RAG', 'the average accuracy', false],
    ['RAG', 'key-value storage for agents', false],
    ['RAG', 'Graph-RAG outperforms', true],
    ['agent', 'an agent that plans', true],
    ['agent', 'a chemical reagent', false],
    ['agent', 'agentic workflows', false],
    ['agent', 'agency and autonomy', false],
    ['agent', 'multi-agent systems', true],
    ['agent', "the agent's memory", true],
    ['LLM', 'LLM inference', true],
    ['LLM', 'LLMs are everywhere', true],
    ['LLM', 'large language models (LLM) are', true],
    ['LLM', 'LLM-based judges', true],
    ['LLM', 'a multi-LLM debate', true],
    ['LLM', 'LLMOps tooling', false],
    ['LLM', 'sLLM', false],
    ['CoT', 'CoT prompting', true],
    ['CoT', 'Scotland', false],
    ['CoT', 'a cotton classifier', false],
    ['GPT', 'GPT-4o is evaluated', true],
    ['GPT', 'ChatGPT users', false],
    ['VLA', 'VLAs for manipulation', true],
    ['VLA', 'Vladimir et al.', false],
    // case-insensitive
    ['large language model', 'LARGE LANGUAGE MODEL', true],
    ['quantization', 'Quantization-aware training', true],
    // plural s / es
    ['agent', 'four specialized agents', true],
    ['benchmark', 'two public benchmarks', true],
    ['large language model', 'Large Language Models (LLMs) exhibit', true],
    ['foundation model', 'pretrained foundation models', true],
    ['process', 'parallel processes', true],
    ['benchmark', 'benchmarking tools', false],
    ['robot', 'robotic arms', false],
    // whitespace and hyphens interchangeable, across line breaks
    ['chain of thought', 'chain-of-thought prompting', true],
    ['chain of thought', 'a chain of\nthought trace', true],
    ['chain of thought', 'chain  of   thought', true],
    ['chain-of-thought', 'long chain of thought', true],
    ['chain-of-thought', 'chain-of-thoughts', true],
    ['chain of thought', 'chainofthought', false],
    ['vision-language', 'Large Vision-Language Models', true],
    ['vision-language', 'vision–language (en dash)', true],
    ['vision language model', 'Vision-Language Models', true],
    ['in-context learning', 'In-Context Learning', true],
    ['in-context learning', 'in context\n  learning', true],
    ['pre-training', 'pretraining data', false],
    ['pretraining', 'pre-training data', false],
    ['LLM-as-a-judge', 'using LLM as a judge', true],
    ['LLM-as-a-judge', 'LLMs-as-a-judge', false],
    ['test-time compute', 'scaling test time compute', true],
    // regex characters are literal
    ['C++', 'written in C++ and Rust', true],
    ['C++', 'written in C and Rust', false],
    ['a.b', 'axb', false],
    ['a.b', 'see a.b here', true],
    ['(x)', 'the (x) marker', true],
    ['[CLS]', 'the [CLS] token', true],
    ['[CLS]', 'the C token', false],
    ['$x$', 'value $x$ here', true],
    ['a|b', 'a or b', false],
    ['a|b', 'a|b', true],
    // Unicode letters and digits are word characters
    ['LLM', 'LLM是大模型', false],
    ['模型', '大模型', false],
    ['模型', '模型 与 数据', true],
    ['GPT', 'GPT4 results', false],
    ['Qwen', 'Qwen2.5 models', false],
    ['Qwen', 'Qwen-2.5 models', true],
    ['déjà vu', 'Déjà-vu effects', true],
    ['vu', 'déjàvu', false],
    ['naïve', 'naïveté', false],
    // raw regex for power users
    ['/gpt-?\\d/', 'GPT4 and gpt-5', true],
    ['/gpt-?\\d/', 'GPT models', false],
    ['/\\bvit(s)?\\b/', 'ViTs in ImageNet', true],
    ['/^survey/', 'Survey of agents', true],
    ['/^survey/', 'A survey of agents', false],
  ])('%j in %j → %s', (pattern, text, expected) => {
    expect(hits(pattern, text)).toBe(expected);
  });

  it('returns the matching patterns as written, in config order, once each', () => {
    const matcher = compileKeywords(['agent', 'LLM', 'RAG', 'agent', 'tool use']);
    expect(matchKeywords(matcher, 'LLM agents with tool-use; more agents; no storage')).toEqual([
      'agent',
      'LLM',
      'tool use',
    ]);
    expect(matchKeywords(matcher, 'nothing relevant')).toEqual([]);
  });

  it.each<[string, string, number]>([
    ['agent', 'An agent talks to agents and a multi-agent team.', 3],
    ['agent', 'A reagent and an agentic flow.', 0],
    ['large language model', 'Large language models and large\nlanguage models', 2],
    ['/bench/', 'DSI-Bench and UniGenBench', 2],
  ])('countMentions(%j) in %j → %i', (pattern, text, expected) => {
    const [keyword] = compileKeywords([pattern]).keywords;
    if (!keyword) throw new Error('not compiled');
    // Counting twice gives the same answer: the global expression carries no state between calls.
    expect([countMentions(keyword, text), countMentions(keyword, text)]).toEqual([expected, expected]);
  });

  it('is stateless between calls (a compiled regex is reused for every paper)', () => {
    const matcher = compileKeywords(['agent', '/agents?/']);
    for (let i = 0; i < 3; i += 1) expect(matchKeywords(matcher, 'an agent')).toEqual(['agent', '/agents?/']);
  });

  it('finds the real default keywords on a real title and abstract phrase', () => {
    const llm = DEFAULT_DOMAINS.find((domain) => domain.id === 'llm');
    expect(llm).toBeDefined();
    const matcher = compileKeywords((llm?.include ?? []).map(patternOf));
    const found = matchKeywords(
      matcher,
      'ParoQuant: Pairwise Rotation Quantization for Efficient Reasoning LLM Inference. ' +
        'Weight-only post-training quantization (PTQ) compresses the weights of Large Language Models (LLMs)',
    );
    expect(found).toEqual(expect.arrayContaining(['LLM', 'post-training']));
    expect(found.filter((pattern) => pattern.includes('language'))).toHaveLength(1);
    expect(matchKeywords(matcher, 'We report the average storage fragmentation.')).toEqual([]);
  });

  it.each([
    ['/(unclosed/'],
    ['/[a-/'],
    ['/x{2,1}/'],
    ['//'],
    [''],
    ['  - '],
  ])('rejects %j with a ConfigError naming it', (pattern) => {
    let thrown: unknown;
    try {
      compileKeywords(['agent', pattern]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toContain(JSON.stringify(pattern));
    expect((thrown as ConfigError).problems).toEqual([pattern]);
  });

  it('compiles every default domain keyword', () => {
    for (const domain of DEFAULT_DOMAINS) {
      expect(() => compileInclude(domain.include)).not.toThrow();
      expect(() => compileKeywords(domain.exclude)).not.toThrow();
    }
  });
});
