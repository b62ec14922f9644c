import type { PaperboyConfig } from '../config/schema.ts';
import { ConfigError } from '../errors.ts';
import { createOpenAITranslator, type OpenAITranslatorOptions } from './openai-translator.ts';
import type { TranslationSetup } from './translate-for-run.ts';
import type { TranslateSettings } from './translate-papers.ts';
import type { Translator } from './translator.ts';

// Where the provider comes from: LLM_BASE_URL / LLM_MODEL (or translation.baseUrl / .model in the config) and the
// key from LLM_API_KEY only. None of the three set means no provider, which is fine: `run` uses stored translations.

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface ProviderSettings {
  baseUrl: string;
  apiKey: string;
  model: string;
}

/** The provider from the environment and the config, null when none is configured; a half-configured one throws. */
export function resolveProvider(config: PaperboyConfig['translation'], env: NodeJS.ProcessEnv): ProviderSettings | null {
  const envUrl = env.LLM_BASE_URL?.trim() || undefined;
  const baseUrl = envUrl ?? config.baseUrl;
  const model = env.LLM_MODEL?.trim() || config.model;
  const apiKey = env.LLM_API_KEY?.trim() || undefined;
  if (!baseUrl && !apiKey && !env.LLM_MODEL?.trim()) return null;
  if (envUrl) {
    let url: URL | null = null;
    try {
      url = new URL(envUrl);
    } catch {
      url = null;
    }
    if (!url || !/^https?:$/.test(url.protocol)) {
      throw new ConfigError(`LLM_BASE_URL "${envUrl}" is not an http(s) URL (e.g. https://api.deepseek.com)`);
    }
  }
  if (!model) {
    throw new ConfigError(
      'a translation provider is configured but no model: set LLM_MODEL (or translation.model), e.g. deepseek-chat, qwen-plus',
    );
  }
  if (!baseUrl && !apiKey) {
    throw new ConfigError('LLM_MODEL is set but neither LLM_BASE_URL nor LLM_API_KEY: set the endpoint and its key');
  }
  if (!apiKey && (!baseUrl || baseUrl.replace(/\/+$/, '') === OPENAI_BASE_URL)) {
    throw new ConfigError('LLM_API_KEY is not set: the OpenAI API needs a key');
  }
  // Local servers (Ollama, vLLM) ignore the key but the SDK wants one.
  return { baseUrl: baseUrl ?? OPENAI_BASE_URL, apiKey: apiKey ?? 'unused', model };
}

export function translateSettingsOf(config: PaperboyConfig['translation']): TranslateSettings {
  return {
    batchSize: config.batchSize,
    concurrency: config.concurrency,
    summaries: config.summaries,
    analysis: config.analysis,
    glossary: config.glossary,
    prices: config.prices,
  };
}

/** Everything `run` needs to translate, built from the config and the environment. */
export function buildTranslationSetup(
  config: PaperboyConfig['translation'],
  env: NodeJS.ProcessEnv,
  options: {
    retranslate?: boolean | undefined;
    onProgress?: ((done: number, total: number) => void) | undefined;
    createTranslator?: (options: OpenAITranslatorOptions) => Translator;
  } = {},
): TranslationSetup {
  const provider = resolveProvider(config, env);
  const settings = translateSettingsOf(config);
  if (!provider) return { translator: null, settings, retranslate: options.retranslate };
  const create = options.createTranslator ?? createOpenAITranslator;
  const translator = create({
    ...provider,
    timeoutMs: config.timeoutSeconds * 1000,
    retries: config.retries,
    jsonMode: config.jsonMode,
    maxOutputTokens: config.maxOutputTokens,
    temperature: config.temperature,
  });
  return { translator, settings, retranslate: options.retranslate, onProgress: options.onProgress };
}
