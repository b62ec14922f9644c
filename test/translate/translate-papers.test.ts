import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import { promptVersionOf } from '../../src/translate/build-prompt.ts';
import { createOpenAITranslator } from '../../src/translate/openai-translator.ts';
import { translatePapers, type TranslateSettings } from '../../src/translate/translate-papers.ts';
import type { Paper } from '../../src/types.ts';
import { startOpenAITestServer, type OpenAITestServer } from '../support/openai-test-server.ts';
import { makePaper, samplePapers } from './fixture-papers.ts';

// The translate stage against the local OpenAI-compatible server, through the real SDK and a real database.

const NOW = new Date('2025-11-14T06:00:00Z');
const SETTINGS: TranslateSettings = {
  batchSize: 8,
  concurrency: 2,
  summaries: false,
  glossary: { 'large language model': '大语言模型', agent: '智能体' },
  prices: { inputPerMillion: 0, outputPerMillion: 0, currency: 'USD' },
};

let server: OpenAITestServer;
let db: Kysely<Database>;
let papers: Paper[];

beforeAll(async () => {
  server = await startOpenAITestServer();
  papers = await samplePapers();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  server.reset();
  db = await openDatabase({ file: ':memory:' });
});
afterEach(async () => {
  await db.destroy();
});

const translator = (retries = 2) =>
  createOpenAITranslator({ baseUrl: server.url, apiKey: 'k', model: 'fixture-model', timeoutMs: 5000, retries, jsonMode: true, backoffMs: 10 });

function run(list: readonly Paper[] = papers, settings: Partial<TranslateSettings> = {}, options: { retranslate?: boolean } = {}) {
  return translatePapers(db, list, translator(), { ...SETTINGS, ...settings }, { now: NOW, ...options });
}

async function stored(id: string) {
  return db.selectFrom('translations').selectAll().where('paper_id', '=', id).executeTakeFirst();
}

describe('translatePapers', () => {
  it('translates the sample day in ceil(20 / 8) requests, cleans the notes off and stores every paper', async () => {
    const progress: Array<[number, number]> = [];
    const report = await translatePapers(db, papers, translator(), SETTINGS, {
      now: NOW,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(report).toMatchObject({ papers: 20, cached: 0, translated: 20, incomplete: 0, failed: 0, requests: 3, strictRetries: 0 });
    expect(server.requests.map((r) => r.ids.length)).toEqual([8, 8, 4]);
    expect(report.tokensIn).toBe(server.tokens.in);
    expect(report.tokensOut).toBe(server.tokens.out);
    expect(report.promptVersion).toBe(promptVersionOf(SETTINGS));
    expect(progress.at(-1)).toEqual([20, 20]);
    expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));

    const rows = await db.selectFrom('translations').selectAll().execute();
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      expect(row).toMatchObject({ model: 'fixture-model', prompt_version: report.promptVersion, created_at: NOW.toISOString() });
      expect(row.title_zh).not.toMatch(/注|解析|译为|\n/);
      expect(row.abstract_zh).toMatch(/\p{Script=Han}/u);
    }
    expect((await stored('2511.10643'))?.title_zh).toBe('大型语言模型的黑盒在线策略蒸馏');
    // The fixture renders "large language model" as 大型语言模型: recorded, not retried.
    expect(JSON.parse((await stored('2511.10628'))?.problems ?? '[]')).toEqual(['glossary: "large language model" not rendered as 大语言模型']);
  });

  it('makes no request on a re-run, and translates again with --retranslate', async () => {
    await run();
    server.reset();
    const again = await run();
    expect(again).toMatchObject({ cached: 20, translated: 0, requests: 0 });
    expect(server.requests).toHaveLength(0);
    const forced = await run(papers, {}, { retranslate: true });
    expect(forced).toMatchObject({ cached: 0, translated: 20, requests: 3 });
  });

  it('translates again for a new prompt version (summaries on) and keeps the old rows', async () => {
    await run();
    server.reset();
    const report = await run(papers, { summaries: true });
    expect(report).toMatchObject({ cached: 0, translated: 20, requests: 3 });
    expect(server.requests[0]?.system).toContain('"tldr_en"');
    const rows = await db.selectFrom('translations').selectAll().where('paper_id', '=', '2511.10645').execute();
    expect(rows.map((r) => r.prompt_version).sort()).toEqual([promptVersionOf(SETTINGS), promptVersionOf({ ...SETTINGS, summaries: true })].sort());
    const withTldr = rows.find((r) => r.tldr_zh !== null);
    // The recorded, hand-checked summary of test/fixtures/summaries-2025-11-14.json, with its 3 points.
    expect(withTldr?.tldr_en).toMatch(/^ParoQuant, a weight-only PTQ method/);
    expect(JSON.parse(withTldr?.points_zh ?? '[]')).toHaveLength(3);
  });

  it('translates a paper once however often it is passed, and a new version again', async () => {
    const one = papers.slice(0, 3);
    await run([...one, ...one, ...one]);
    expect(server.requests.map((r) => r.ids)).toEqual([one.map((p) => p.id)]);
    server.reset();
    const bumped = { ...(one[0] as Paper), version: 2 };
    const report = await run([bumped, one[1] as Paper, one[2] as Paper]);
    expect(report).toMatchObject({ cached: 2, translated: 1 });
    expect(server.requests.map((r) => r.ids)).toEqual([[bumped.id]]);
  });

  it('never stores a paper under another one when the model swaps them; both are asked again alone', async () => {
    const [a, b] = ['2511.10621', '2511.10628'];
    server.inject({ kind: 'swap', ids: [a, b] }, { paperId: a });
    const report = await run();
    expect(report).toMatchObject({ translated: 20, strictRetries: 2, requests: 5 });
    const strict = server.requests.filter((r) => r.strict);
    expect(strict.map((r) => r.ids).sort()).toEqual([[a], [b]]);
    expect(strict[0]?.system).toMatch(/matches paper .* better than its own English/);
    expect((await stored(a))?.title_zh).toBe('SSR：面向大语言模型推理的苏格拉底式自我优化');
    expect((await stored(b))?.title_zh).toBe('Instella：性能卓越的完全开放语言模型');
  });

  it('retries a paper with English left in once, stricter, and takes the good second answer', async () => {
    const id = '2511.10645';
    server.inject({ kind: 'english' }, { paperId: id });
    const report = await run();
    expect(report).toMatchObject({ translated: 20, incomplete: 0, strictRetries: 1, requests: 4 });
    const retry = server.requests.find((r) => r.strict);
    expect(retry?.ids).toEqual([id]);
    expect(retry?.system).toContain('abstract: untranslated English');
    expect((await stored(id))?.abstract_zh).not.toMatch(/[A-Za-z]+ [A-Za-z]+ [A-Za-z]+ [A-Za-z]+ [A-Za-z]+/);
  });

  it('marks the abstract (keeps the title) when English is left in twice', async () => {
    const id = '2511.10645';
    server.inject({ kind: 'english' }, { paperId: id, times: 2 });
    const report = await run();
    expect(report).toMatchObject({ translated: 19, incomplete: 1, strictRetries: 1 });
    const row = await stored(id);
    expect(row?.title_zh).toBe('ParoQuant：面向高效推理大语言模型的双向旋转量化方法');
    expect(row?.abstract_zh).toBeNull();
    expect(JSON.parse(row?.problems ?? '[]')[0]).toMatch(/^abstract: untranslated English/);
    expect(report.problems.find((p) => p.paperId === id)?.problems[0]).toMatch(/^abstract: untranslated English/);
  });

  it('marks an abstract that loses a $…$ span twice', async () => {
    const id = '2511.10619';
    server.inject({ kind: 'drop-math' }, { paperId: id, times: 2 });
    const report = await run();
    expect(report.incomplete).toBe(1);
    const row = await stored(id);
    expect(row?.abstract_zh).toBeNull();
    expect(row?.title_zh).not.toBeNull();
    expect(JSON.parse(row?.problems ?? '[]')).toContain('abstract: math missing: $Ω(k)$');
  });

  it('keeps the complete items of a cut-off answer and asks for the rest one by one', async () => {
    server.inject({ kind: 'malformed', keep: 0.5 }, { paperId: papers[0]?.id as string });
    const report = await run();
    const strict = server.requests.filter((r) => r.strict);
    expect(strict.length).toBeGreaterThan(0);
    expect(strict.length).toBeLessThan(8);
    expect(report).toMatchObject({ translated: 20, strictRetries: strict.length, requests: 3 + strict.length });
    for (const r of strict) expect(r.ids).toHaveLength(1);
  });

  it.each([
    ['drops a paper', 'drop-item'],
    ['answers a paper twice', 'duplicate'],
  ] as const)('asks again alone when the answer %s', async (_what, kind) => {
    server.inject({ kind }, { paperId: papers[0]?.id as string });
    const report = await run();
    expect(report).toMatchObject({ translated: 20, strictRetries: 1, requests: 4 });
    expect(server.requests.find((r) => r.strict)?.ids).toEqual([papers[0]?.id]);
  });

  it('cleans translator notes without asking again', async () => {
    const id = '2511.10645';
    server.inject({ kind: 'notes' }, { paperId: id });
    const report = await run();
    expect(report).toMatchObject({ translated: 20, strictRetries: 0, requests: 3 });
    const row = await stored(id);
    expect(row?.title_zh).toBe('ParoQuant：面向高效推理大语言模型的双向旋转量化方法');
    expect(row?.abstract_zh).not.toContain('注');
  });

  it('rides out a 429 (retry-after honoured) and counts the extra request', async () => {
    server.inject({ kind: 'rate-limit', retryAfterSeconds: 1 });
    const report = await run(papers.slice(0, 8));
    expect(report).toMatchObject({ translated: 8, requests: 2, retriedRequests: 1 });
  });

  it('stores nothing for papers the provider never answered, so the next run asks for exactly those', async () => {
    server.inject({ kind: 'bad-request' }, { paperId: papers[8]?.id as string });
    const report = await run();
    expect(report).toMatchObject({ translated: 12, failed: 8, requests: 3 });
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatch(/HTTP 400/);
    server.reset();
    const next = await run();
    expect(next).toMatchObject({ cached: 12, translated: 8, requests: 1 });
    expect(server.requests[0]?.ids).toEqual(papers.slice(8, 16).map((p) => p.id));
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const slow = await startOpenAITestServer({ latencyMs: 150 });
    try {
      const many = Array.from({ length: 40 }, (_, i) =>
        makePaper(`2601.${String(i).padStart(5, '0')}`, `Paper ${i} on Graph Models`, `We study graph models number ${i}. `.repeat(8)),
      );
      const t = createOpenAITranslator({ baseUrl: slow.url, apiKey: 'k', model: 'm', timeoutMs: 5000, retries: 0, jsonMode: true });
      const report = await translatePapers(db, many, t, { ...SETTINGS, batchSize: 4, concurrency: 3 }, { now: NOW });
      expect(report).toMatchObject({ translated: 40, requests: 10 });
      expect(slow.peakConcurrency).toBe(3);
    } finally {
      await slow.close();
    }
  });

  it('estimates the cost from the configured prices', async () => {
    const report = await run(papers, { prices: { inputPerMillion: 2, outputPerMillion: 8, currency: 'CNY' } });
    expect(report.cost?.currency).toBe('CNY');
    expect(report.cost?.amount).toBeCloseTo((server.tokens.in * 2 + server.tokens.out * 8) / 1e6, 10);
  });
});
