import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/errors.ts';
import { formatProgressBar } from '../../src/translate/progress-bar.ts';
import { buildTranslationSetup, resolveProvider } from '../../src/translate/translation-setup.ts';
import { emptyTranslationReport, estimateCost, formatTranslationReport } from '../../src/translate/translation-report.ts';

const config = (translation: Record<string, unknown> = {}) => {
  const result = validateConfig({ translation });
  if (!result.config) throw new Error(result.errors.join('\n'));
  return result.config.translation;
};

describe('translation config', () => {
  it('has the documented defaults', () => {
    const t = config();
    expect(t).toMatchObject({ batchSize: 8, concurrency: 4, retries: 3, summaries: true, jsonMode: true });
    expect(t.glossary).toMatchObject({
      'large language model': { zh: '大语言模型', variants: ['大型语言模型', '大规模语言模型'] },
      agent: { zh: '智能体', variants: ['智能代理', '代理'] },
      'reinforcement learning': { zh: '强化学习' },
      'fine-tuning': { zh: '微调' },
      benchmark: { zh: '基准', variants: [] },
      'chain of thought': { zh: '思维链' },
      token: { zh: '词元', variants: ['代币', '令牌'] },
    });
  });

  it.each([
    [{}, true],
    [{ summaries: false }, false],
    // Configs written before issue 11 call the switch `tldr`.
    [{ tldr: true }, true],
    [{ tldr: false }, false],
    [{ summaries: true, tldr: true }, true],
  ])('translation %j: summaries %s', (translation, on) => {
    expect(config(translation)).toMatchObject({ summaries: on, tldr: on });
  });

  it('names the old key when it contradicts the new one', () => {
    expect(validateConfig({ translation: { summaries: true, tldr: false } }).errors?.join('\n')).toMatch(
      /translation\.tldr: translation\.tldr is the old name of translation\.summaries/,
    );
  });

  it('takes a glossary entry as a plain rendering or with variants', () => {
    expect(config({ glossary: { agent: '智能体', token: { zh: '词元', variants: ['令牌'] } } }).glossary).toEqual({
      agent: { zh: '智能体', variants: [] },
      token: { zh: '词元', variants: ['令牌'] },
    });
    expect(validateConfig({ translation: { glossary: { token: { zh: '词元', variant: ['令牌'] } } } }).errors?.join('\n')).toContain(
      'translation.glossary.token',
    );
  });

  it.each([
    [{ batchSize: 0 }, 'translation.batchSize'],
    [{ baseUrl: 'ftp://x' }, 'translation.baseUrl'],
    [{ apiKey: 'sk-123' }, 'unknown key "apiKey"'],
    [{ prices: { input: 1 } }, 'translation.prices'],
  ])('rejects %j naming the key', (translation, key) => {
    const result = validateConfig({ translation });
    expect(result.errors?.join('\n')).toContain(key);
  });
});

describe('resolveProvider', () => {
  const t = config();
  it.each([
    ['nothing set: no provider', {}, null],
    [
      'a hosted provider',
      { LLM_BASE_URL: 'https://api.deepseek.com', LLM_API_KEY: 'sk-1', LLM_MODEL: 'deepseek-chat' },
      { baseUrl: 'https://api.deepseek.com', apiKey: 'sk-1', model: 'deepseek-chat' },
    ],
    [
      'a local server without a key',
      { LLM_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_MODEL: 'qwen2.5:7b' },
      { baseUrl: 'http://127.0.0.1:11434/v1', apiKey: 'unused', model: 'qwen2.5:7b' },
    ],
    ['OpenAI by key alone', { LLM_API_KEY: 'sk-1', LLM_MODEL: 'gpt-4o-mini' }, { baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-1', model: 'gpt-4o-mini' }],
  ])('%s', (_what, env, expected) => {
    expect(resolveProvider(t, env)).toEqual(expected);
  });

  it('takes base URL and model from the config, the environment winning', () => {
    const fromConfig = config({ baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1', model: 'qwen-plus' });
    expect(resolveProvider(fromConfig, { LLM_API_KEY: 'k' })).toMatchObject({ baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1', model: 'qwen-plus' });
    expect(resolveProvider(fromConfig, { LLM_API_KEY: 'k', LLM_MODEL: 'qwen-max' })?.model).toBe('qwen-max');
  });

  it.each([
    ['no model', { LLM_BASE_URL: 'https://api.deepseek.com', LLM_API_KEY: 'k' }, /LLM_MODEL/],
    ['a model and nothing else', { LLM_MODEL: 'deepseek-chat' }, /neither LLM_BASE_URL nor LLM_API_KEY/],
    ['a bad URL', { LLM_BASE_URL: 'api.deepseek.com', LLM_MODEL: 'm' }, /LLM_BASE_URL "api\.deepseek\.com" is not an http\(s\) URL/],
    ['OpenAI without a key', { LLM_BASE_URL: 'https://api.openai.com/v1', LLM_MODEL: 'gpt-4o' }, /LLM_API_KEY is not set/],
  ])('refuses %s with a ConfigError', (_what, env, message) => {
    expect(() => resolveProvider(t, env)).toThrow(ConfigError);
    expect(() => resolveProvider(t, env)).toThrow(message);
  });
});

describe('buildTranslationSetup', () => {
  it('has no translator without a provider', () => {
    expect(buildTranslationSetup(config(), {}, { retranslate: true })).toMatchObject({ translator: null, retranslate: true });
  });

  it('hands the config to the translator', () => {
    let seen: unknown;
    const setup = buildTranslationSetup(config({ timeoutSeconds: 30, retries: 1, jsonMode: false, maxOutputTokens: 4096 }), { LLM_BASE_URL: 'http://127.0.0.1:1/v1', LLM_MODEL: 'm' }, {
      createTranslator: (options) => {
        seen = options;
        return { model: options.model, endpoint: options.baseUrl, complete: () => Promise.reject(new Error('unused')) };
      },
    });
    expect(setup.translator?.model).toBe('m');
    expect(seen).toMatchObject({ timeoutMs: 30_000, retries: 1, jsonMode: false, maxOutputTokens: 4096, apiKey: 'unused' });
    expect(setup.settings).toMatchObject({ batchSize: 8, concurrency: 4 });
  });
});

describe('report and progress', () => {
  it.each([
    [0, 0, { inputPerMillion: 0, outputPerMillion: 0, currency: 'USD' }, null],
    [1_000_000, 500_000, { inputPerMillion: 2, outputPerMillion: 8, currency: 'CNY' }, { amount: 6, currency: 'CNY' }],
    [250_000, 0, { inputPerMillion: 0.27, outputPerMillion: 0, currency: 'USD' }, { amount: 0.0675, currency: 'USD' }],
  ])('estimateCost(%i, %i)', (tokensIn, tokensOut, prices, expected) => {
    const cost = estimateCost(tokensIn, tokensOut, prices);
    if (expected === null) expect(cost).toBeNull();
    else {
      expect(cost?.currency).toBe(expected.currency);
      expect(cost?.amount).toBeCloseTo(expected.amount, 10);
    }
  });

  it('formats what a person needs: papers, requests, tokens, cost, failures', () => {
    const lines = formatTranslationReport({
      ...emptyTranslationReport(),
      provider: 'deepseek-chat at https://api.deepseek.com',
      promptVersion: 'zh1.0123abcd',
      papers: 20,
      cached: 12,
      translated: 7,
      incomplete: 1,
      requests: 3,
      retriedRequests: 1,
      strictRetries: 1,
      tokensIn: 12345,
      tokensOut: 6789,
      cost: { amount: 0.0123, currency: 'USD' },
      problems: [{ paperId: '2511.10645', problems: ['abstract: math missing: $k$', 'glossary: "agent" not rendered as 智能体'] }],
    }).join('\n');
    expect(lines).toContain('translation: deepseek-chat at https://api.deepseek.com (prompt zh1.0123abcd)');
    expect(lines).toContain('20 papers: 12 cached, 7 translated, 1 incomplete (marker shown)');
    expect(lines).toContain('requests: 3 (1 retried after 429/5xx/timeout), 1 papers asked again alone');
    expect(lines).toContain('tokens: 12,345 in / 6,789 out · est. cost 0.0123 USD');
    expect(lines).toContain('2511.10645: abstract: math missing: $k$');
    expect(lines).toContain('glossary: 1 papers');
  });

  it('says once that no provider is configured', () => {
    const lines = formatTranslationReport({ ...emptyTranslationReport(), note: 'no provider configured (set LLM_BASE_URL)' });
    expect(lines).toEqual(['translation: no provider configured (set LLM_BASE_URL)']);
  });

  it.each([
    [0, 20, 'translating [░░░░░░░░░░░░░░░░░░░░░░░░] 0/20'],
    [10, 20, 'translating [████████████░░░░░░░░░░░░] 10/20'],
    [20, 20, 'translating [████████████████████████] 20/20'],
    [0, 0, 'translating [████████████████████████] 0/0'],
  ])('formatProgressBar(%i, %i)', (done, total, expected) => {
    expect(formatProgressBar(done, total)).toBe(expected);
  });
});
