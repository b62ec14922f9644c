import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GLOSSARY } from '../../src/config/default-glossary.ts';
import { applyVariantRules, normalizeGlossary, variantRulesFor } from '../../src/translate/normalize-glossary.ts';
import { samplePapers } from './fixture-papers.ts';

// The glossary as canonical wording (issue 11, item 6).

const AGENT_PAPER = 'Large language model agents use tokens, chain of thought and a Transformer after fine-tuning.';

describe('normalizeGlossary', () => {
  it.each([
    ['大型语言模型代理', '大语言模型智能体'],
    ['多模态大型语言模型', '多模态大语言模型'],
    ['智能代理与代理', '智能体与智能体'],
    ['消耗的代币和令牌', '消耗的词元和词元'],
    ['思维链条与链式思维', '思维链与思维链'],
    ['基于变压器的模型', '基于 Transformer 的模型'],
    ['经过精调', '经过微调'],
    ['已经是大语言模型智能体', '已经是大语言模型智能体'],
  ])('%s → %s', (text, expected) => {
    expect(normalizeGlossary(text, DEFAULT_GLOSSARY, AGENT_PAPER)).toBe(expected);
  });

  it('leaves a variant alone in a paper whose English does not use the term (代理 as "proxy", 代币 as a coin)', () => {
    expect(normalizeGlossary('代理任务与加密代币', DEFAULT_GLOSSARY, 'Proxy tasks for crypto coins.')).toBe('代理任务与加密代币');
  });

  it('accepts plain-string entries (no variants) and never rewrites a rendering into itself', () => {
    const rules = variantRulesFor({ agent: '智能体', model: { zh: '大模型', variants: ['模型', '大模型'] } }, 'agent model');
    // "模型" is inside the rendering "大模型": replacing it would turn 大模型 into 大大模型.
    expect(rules).toEqual([]);
    expect(applyVariantRules('模型', rules)).toBe('模型');
  });

  it('is idempotent', () => {
    const once = normalizeGlossary('大型语言模型代理消耗代币', DEFAULT_GLOSSARY, AGENT_PAPER);
    expect(normalizeGlossary(once, DEFAULT_GLOSSARY, AGENT_PAPER)).toBe(once);
  });

  it('unifies the recorded sample day: no listed variant is left where its term occurs', async () => {
    const zh = JSON.parse(readFileSync('test/fixtures/zh-2025-11-14.json', 'utf8')) as Record<string, { title_zh_raw?: string; abstract_zh?: string }>;
    const papers = new Map((await samplePapers()).map((p) => [p.id, p]));
    let changed = 0;
    for (const [id, entry] of Object.entries(zh)) {
      const paper = papers.get(id);
      if (!paper) continue;
      const english = `${paper.title}\n${paper.abstract}`;
      const rules = variantRulesFor(DEFAULT_GLOSSARY, english);
      for (const text of [entry.title_zh_raw ?? '', entry.abstract_zh ?? '']) {
        const normalized = applyVariantRules(text, rules);
        if (normalized !== text) changed += 1;
        for (const [variant] of rules) expect(normalized, `${id}: ${variant}`).not.toContain(variant);
      }
    }
    // 大型语言模型 (9 times), 变压器, 视觉-语言模型, 代理 in agent papers, 代币 for tokens.
    expect(changed).toBeGreaterThanOrEqual(8);
  });
});
