import { describe, expect, it } from 'vitest';
import { DEFAULT_DOMAINS } from '../../src/config/default-domains.ts';
import { compileInclude, MAX_MENTIONS, scorePaper, TITLE_FACTOR } from '../../src/select/score-paper.ts';
import type { IncludePattern, Paper } from '../../src/types.ts';
import { paper } from '../support/builders.ts';

function score(include: IncludePattern[], overrides: Partial<Paper>, categoryWeights: Record<string, number> = {}) {
  return scorePaper(compileInclude(include), categoryWeights, paper('2510.00001', overrides));
}

describe('scorePaper', () => {
  it.each<[string, IncludePattern[], Partial<Paper>, number]>([
    ['a title mention', ['agent'], { title: 'An Agent' }, TITLE_FACTOR],
    ['one abstract mention', ['agent'], { abstract: 'We build an agent.' }, 1],
    ['each abstract mention', ['agent'], { abstract: 'An agent. Another agent.' }, 2],
    ['abstract mentions up to the cap', ['agent'], { abstract: 'agent agent agent agent agent' }, MAX_MENTIONS],
    ['title and abstract add up', ['agent'], { title: 'Agents', abstract: 'An agent.' }, TITLE_FACTOR + 1],
    ['each pattern adds its own', ['agent', 'tool use'], { abstract: 'An agent with tool use.' }, 2],
    ['a weight multiplies', [{ pattern: 'agent', weight: 2 }], { title: 'Agent', abstract: 'agent' }, 2 * (TITLE_FACTOR + 1)],
    ['a negative weight counts against', ['agent', { pattern: 'reinforcement learning', weight: -1 }], { abstract: 'An agent trained by reinforcement learning.' }, 0],
    ['in: title ignores the abstract', [{ pattern: 'benchmark', in: 'title' }], { title: 'A Benchmark', abstract: 'benchmark' }, TITLE_FACTOR],
    ['in: abstract ignores the title', [{ pattern: 'LLM', in: 'abstract' }], { title: 'LLM Agents', abstract: 'An LLM.' }, 1],
    ['no mention', ['agent'], { title: 'Vision', abstract: 'Pixels.' }, 0],
  ])('%s', (_label, include, overrides, expected) => {
    expect(score(include, overrides).score).toBe(expected);
  });

  it.each<[string, string[], number]>([
    ['a listed category adds its prior', ['cs.CV', 'cs.RO'], 3],
    ['the prior counts once, wherever the category is listed', ['cs.RO', 'cs.RO'], 3],
    ['priors of several categories add up', ['cs.RO', 'cs.CL'], 2],
    ['no listed category, no prior', ['cs.AI'], 0],
  ])('%s', (_label, categories, expected) => {
    expect(score([], { categories }, { 'cs.RO': 3, 'cs.CL': -1 }).score).toBe(expected);
  });

  it('names the positive patterns found, title and abstract apart, in config order', () => {
    const evidence = score(['tool use', 'agent', { pattern: 'survey', weight: -1 }], {
      title: 'A Survey of Agent Tool Use',
      abstract: 'Agents call tools.',
    });
    expect(evidence).toMatchObject({ inTitle: ['tool use', 'agent'], inAbstract: ['agent'] });
  });
});

describe('the default domains on phrases they must tell apart', () => {
  const domainScore = (id: string, text: Partial<Paper>) => {
    const domain = DEFAULT_DOMAINS.find((d) => d.id === id);
    if (!domain) throw new Error(`no default domain ${id}`);
    return scorePaper(compileInclude(domain.include), {}, paper('2510.00001', { title: '', abstract: '', ...text })).score;
  };

  // The subject of a paper, not a word it uses, is what a topic is about.
  it.each<[string, string, Partial<Paper>, Partial<Paper>]>([
    ['llm', 'the LLM itself', { title: 'Pruning Large Language Models' }, { title: 'Pruning Vision-Language Models' }],
    ['llm', 'an LLM', { title: 'Multilingual LLM Watermarking' }, { title: 'Grounding in Multimodal LLMs' }],
    [
      'evaluation',
      'introducing a benchmark',
      { abstract: 'We introduce a new benchmark for agents.' },
      { abstract: 'We evaluate on a standard benchmark.' },
    ],
    [
      'reasoning',
      'mathematical reasoning',
      { abstract: 'We improve mathematical reasoning.' },
      { abstract: 'We need reasoning about costs.' },
    ],
    ['robotics', 'robot manipulation', { title: 'Robotic Manipulation from Video' }, { title: 'Image Manipulation Detection' }],
  ])('%s: %s scores higher', (id, _label, about, mentioning) => {
    expect(domainScore(id, about)).toBeGreaterThan(domainScore(id, mentioning));
  });
});
