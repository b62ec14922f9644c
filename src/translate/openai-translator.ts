import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { parseRetryAfter } from '../net/retry-after.ts';
import { TranslatorError, type ChatReply, type ChatRequest, type Translator } from './translator.ts';

// Any OpenAI-compatible chat-completions endpoint (DeepSeek, DashScope, Moonshot, Zhipu, OpenAI, vLLM, Ollama)
// through the official SDK. Retries are ours, not the SDK's, so that every HTTP request is counted for the report,
// a `retry-after` is honoured exactly (and an absurd one fails fast instead of stalling the daily run), and a server
// that rejects JSON mode is asked again without it.

export interface OpenAITranslatorOptions {
  baseUrl: string;
  /** Local servers (Ollama, vLLM) take any key. */
  apiKey: string;
  model: string;
  timeoutMs: number;
  /** Further tries after the first, on 429, 408, 409, 5xx, timeouts and dropped connections. */
  retries: number;
  jsonMode: boolean;
  maxOutputTokens?: number | undefined;
  temperature?: number | undefined;
  /** A longer `retry-after` than this fails the request at once. Default 120 s. */
  maxRetryAfterMs?: number;
  /** First backoff step without `retry-after`; doubles per try, at most 30 s. Default 1 s. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Milliseconds the server asked us to wait (`retry-after-ms`, `retry-after` in seconds or as an HTTP date), or null. */
export function retryAfterMs(headers: Headers | undefined, now: number): number | null {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get('retry-after');
  // An empty header counts as absent here (the 'number' reading alone would make it 0 s; see net/retry-after.ts).
  if (!value) return null;
  return parseRetryAfter(value, now, 'number');
}

function describe(error: unknown): string {
  if (error instanceof APIConnectionTimeoutError) return 'timed out';
  if (error instanceof APIError && error.status !== undefined) return `HTTP ${error.status}: ${error.message}`;
  return (error as Error)?.message ?? String(error);
}

function isRetryable(error: unknown): boolean {
  if (error instanceof APIConnectionError) return true; // includes timeouts
  if (!(error instanceof APIError) || error.status === undefined) return false;
  return error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
}

function rejectsJsonMode(error: unknown): boolean {
  return error instanceof APIError && error.status === 400 && /response_format|json/iu.test(error.message);
}

export function createOpenAITranslator(options: OpenAITranslatorOptions): Translator {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseUrl,
    // Never picked up from the environment: the settings above are the whole truth.
    organization: null,
    project: null,
    timeout: options.timeoutMs,
    maxRetries: 0,
  });
  const sleep = options.sleep ?? defaultSleep;
  const maxRetryAfter = options.maxRetryAfterMs ?? 120_000;
  const backoff = options.backoffMs ?? 1000;
  let jsonMode = options.jsonMode;

  async function complete(request: ChatRequest): Promise<ChatReply> {
    let attempts = 0;
    for (let retry = 0; ; retry += 1) {
      const body: ChatCompletionCreateParamsNonStreaming = {
        model: options.model,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.user },
        ],
        ...(jsonMode ? { response_format: { type: 'json_object' as const } } : {}),
        ...(options.maxOutputTokens ? { max_tokens: options.maxOutputTokens } : {}),
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      };
      attempts += 1;
      try {
        const completion = await client.chat.completions.create(body);
        const choice = completion.choices[0];
        return {
          content: choice?.message?.content ?? '',
          tokensIn: completion.usage?.prompt_tokens ?? 0,
          tokensOut: completion.usage?.completion_tokens ?? 0,
          finishReason: choice?.finish_reason ?? null,
          attempts,
        };
      } catch (error) {
        if (jsonMode && rejectsJsonMode(error)) {
          jsonMode = false;
          retry -= 1;
          continue;
        }
        if (!isRetryable(error) || retry >= options.retries) {
          const tries = attempts > 1 ? ` after ${attempts} tries` : '';
          throw new TranslatorError(`${options.model}: ${describe(error)}${tries}`, attempts, { cause: error });
        }
        const asked = retryAfterMs(error instanceof APIError ? error.headers : undefined, Date.now());
        if (asked !== null && asked > maxRetryAfter) {
          throw new TranslatorError(
            `${options.model}: ${describe(error)}; the server asks to wait ${Math.round(asked / 1000)} s, more than ${Math.round(maxRetryAfter / 1000)} s`,
            attempts,
            { cause: error },
          );
        }
        const step = Math.min(backoff * 2 ** retry, MAX_BACKOFF_MS);
        await sleep(asked ?? step * (0.75 + Math.random() * 0.25));
      }
    }
  }

  return { model: options.model, endpoint: options.baseUrl, complete };
}
