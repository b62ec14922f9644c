import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAITranslator, retryAfterMs, type OpenAITranslatorOptions } from '../../src/translate/openai-translator.ts';
import { TranslatorError } from '../../src/translate/translator.ts';
import { startOpenAITestServer, type OpenAITestServer } from '../support/openai-test-server.ts';

// The real SDK against the local server: retries, retry-after, timeouts and JSON mode as a provider would serve them.

let server: OpenAITestServer;
beforeAll(async () => {
  server = await startOpenAITestServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const request = {
  system: 'Translate. Answer in JSON.',
  user: JSON.stringify({ papers: [{ id: '2511.10645', title: 'ParoQuant', abstract: 'We quantize.' }] }),
};

function translator(over: Partial<OpenAITranslatorOptions> = {}) {
  return createOpenAITranslator({
    baseUrl: server.url,
    apiKey: 'test-key',
    model: 'test-model',
    timeoutMs: 5000,
    retries: 2,
    jsonMode: true,
    backoffMs: 10,
    ...over,
  });
}

describe('createOpenAITranslator', () => {
  it('returns the content and the token counts the server reports', async () => {
    const reply = await translator().complete(request);
    expect(JSON.parse(reply.content).papers[0].title_zh).toContain('ParoQuant');
    expect(reply).toMatchObject({ tokensIn: server.tokens.in, tokensOut: server.tokens.out, attempts: 1, finishReason: 'stop' });
    expect(reply.tokensIn).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.jsonMode).toBe(true);
  });

  it('waits as long as retry-after says after a 429, then succeeds', async () => {
    server.inject({ kind: 'rate-limit', retryAfterSeconds: 1 });
    const started = Date.now();
    const reply = await translator().complete(request);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(reply.attempts).toBe(2);
    expect(server.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('retries after a timeout and a 500', async () => {
    server.inject({ kind: 'timeout', hangMs: 3000 });
    server.inject({ kind: 'server-error' });
    const reply = await translator({ timeoutMs: 300 }).complete(request);
    expect(reply.attempts).toBe(3);
    // 0: the client hung up on the hanging answer.
    expect(server.requests.map((r) => r.status)).toEqual([0, 500, 200]);
  });

  it('gives up after the configured retries with a TranslatorError counting the attempts', async () => {
    server.inject({ kind: 'server-error' }, { times: 5 });
    const error = await translator({ retries: 2 }).complete(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TranslatorError);
    expect((error as TranslatorError).attempts).toBe(3);
    expect((error as Error).message).toMatch(/HTTP 500.*after 3 tries/);
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry what a retry cannot fix (400)', async () => {
    server.inject({ kind: 'bad-request' });
    await expect(translator().complete(request)).rejects.toThrow(/HTTP 400.*does not exist/);
    expect(server.requests).toHaveLength(1);
  });

  it('fails at once when retry-after asks for longer than it may wait', async () => {
    server.inject({ kind: 'rate-limit', retryAfterSeconds: 3600 });
    const started = Date.now();
    await expect(translator({ maxRetryAfterMs: 60_000 }).complete(request)).rejects.toThrow(/wait 3600 s, more than 60 s/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out without retries when retries is 0', async () => {
    server.inject({ kind: 'timeout', hangMs: 3000 });
    await expect(translator({ timeoutMs: 200, retries: 0 }).complete(request)).rejects.toThrow(/timed out/);
  });

  it('drops JSON mode for a server that rejects it, and remembers', async () => {
    const strict = await startOpenAITestServer({ rejectJsonMode: true });
    try {
      const t = translator({ baseUrl: strict.url });
      await t.complete(request);
      await t.complete(request);
      expect(strict.requests.map((r) => [r.jsonMode, r.status])).toEqual([
        [true, 400],
        [false, 200],
        [false, 200],
      ]);
    } finally {
      await strict.close();
    }
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2025-11-14T06:00:00Z');
  it.each([
    [{ 'retry-after': '2' }, 2000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '1500', 'retry-after': '9' }, 1500],
    [{ 'retry-after': 'Fri, 14 Nov 2025 06:00:30 GMT' }, 30_000],
    [{ 'retry-after': 'soon' }, null],
    [{ 'retry-after': '' }, null],
    [{}, null],
  ])('%j → %s', (headers, expected) => {
    expect(retryAfterMs(new Headers(headers), now)).toBe(expected);
  });
});
