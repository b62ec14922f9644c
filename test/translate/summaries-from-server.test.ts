import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GLOSSARY } from '../../src/config/default-glossary.ts';
import { openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import { promptVersionOf } from '../../src/translate/build-prompt.ts';
import { chineseForPapers } from '../../src/translate/chinese-for-papers.ts';
import { normalizeGlossary } from '../../src/translate/normalize-glossary.ts';
import { createOpenAITranslator } from '../../src/translate/openai-translator.ts';
import { translatePapers, type TranslateSettings } from '../../src/translate/translate-papers.ts';
import { formatTranslationReport } from '../../src/translate/translation-report.ts';
import type { Paper } from '../../src/types.ts';
import { loadSummaryFixture, startOpenAITestServer, type Fault, type OpenAITestServer } from '../support/openai-test-server.ts';
import { samplePapers } from './fixture-papers.ts';

// TL;DRs and key points from the same batched request as the translation, against the local OpenAI-compatible
// server: recorded good replies pass whole, each kind of bad reply loses exactly the items it spoiled, no bad item
// costs a request, and a re-run asks for nothing.

const NOW = new Date('2025-11-14T06:00:00Z');
const SETTINGS: TranslateSettings = {
  batchSize: 8,
  concurrency: 2,
  summaries: true,
  glossary: DEFAULT_GLOSSARY,
  prices: { inputPerMillion: 0, outputPerMillion: 0, currency: 'USD' },
};
const recorded = loadSummaryFixture();

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

const translator = createOpenAITranslatorFor();
function createOpenAITranslatorFor() {
  let made: ReturnType<typeof createOpenAITranslator> | undefined;
  return () => {
    made ??= createOpenAITranslator({ baseUrl: server.url, apiKey: 'k', model: 'fixture-model', timeoutMs: 5000, retries: 1, jsonMode: true, backoffMs: 10 });
    return made;
  };
}

const run = (settings: Partial<TranslateSettings> = {}) => translatePapers(db, papers, translator(), { ...SETTINGS, ...settings }, { now: NOW });
const prefer = () => ({ model: 'fixture-model', promptVersion: promptVersionOf(SETTINGS) });
const english = (id: string) => {
  const paper = papers.find((p) => p.id === id) as Paper;
  return `${paper.title}\n${paper.abstract}`;
};

describe('summaries from the same request', () => {
  it('keeps every item of the good replies, in 3 requests for 20 papers, and hands them to the mail', async () => {
    const report = await run();
    expect(report).toMatchObject({ translated: 20, requests: 3, strictRetries: 0 });
    expect(report.summaries).toMatchObject({ papers: 20, dropped: {}, drops: [] });
    // 8 items a paper (TL;DR and 3 points, both languages); ForAug's recorded reply is Chinese only.
    expect(report.summaries.offered).toBe(20 * 8);
    expect(report.summaries.kept).toBe(report.summaries.offered);

    const chinese = await chineseForPapers(db, papers, { prefer: prefer() });
    for (const [id, entry] of Object.entries(recorded)) {
      const shown = chinese.get(id);
      expect(shown?.pointsZh, id).toEqual(entry.points_zh?.map((p) => normalizeGlossary(p, DEFAULT_GLOSSARY, english(id))));
      expect(shown?.tldrZh, id).toBe(normalizeGlossary(entry.tldr_zh ?? '', DEFAULT_GLOSSARY, english(id)));
      if (entry.points_en) expect(shown?.pointsEn, id).toEqual(entry.points_en);
    }
    // The glossary's wording: the recorded 大型语言模型 and 变压器 arrive as 大语言模型 and Transformer.
    expect(chinese.get('2511.10645')?.pointsZh?.[2]).toContain('推理大语言模型');
    expect(chinese.get('2511.10647')?.tldrZh).toContain('普通 Transformer 和');
  });

  it('makes no request on a re-run and still shows the stored points', async () => {
    await run();
    server.reset();
    const again = await run();
    expect(again).toMatchObject({ cached: 20, requests: 0 });
    expect(server.requests).toHaveLength(0);
    expect((await chineseForPapers(db, papers, { prefer: prefer() })).get('2511.10648')?.pointsEn).toHaveLength(3);
  });

  it('asks for nothing of the kind when translation.summaries is off', async () => {
    const report = await run({ summaries: false });
    expect(server.requests[0]?.system).not.toContain('points_en');
    expect(report.summaries.offered).toBe(0);
    const row = await db.selectFrom('translations').selectAll().where('paper_id', '=', '2511.10645').executeTakeFirst();
    expect(row).toMatchObject({ tldr_en: null, points_en: null, points_zh: null });
  });

  it('asks for the analysis too when translation.analysis is on, checks it and stores it, in the same requests', async () => {
    const report = await run({ analysis: true });
    expect(server.requests[0]?.system).toContain('"limitations"');
    expect(report).toMatchObject({ translated: 20, requests: 3 });
    expect(report.summaries).toMatchObject({ offered: 20 * 8 + 20 * 8, dropped: {} });
    const row = await db
      .selectFrom('translations')
      .select('analysis')
      .where('paper_id', '=', '2511.10645')
      .where('prompt_version', '=', promptVersionOf({ ...SETTINGS, analysis: true }))
      .executeTakeFirst();
    expect(JSON.parse(row?.analysis ?? 'null')).toMatchObject({
      method: { en: 'ParoQuant proposes a new method for it.', zh: 'ParoQuant 为此提出了一种新方法。' },
      results: { en: 'It reports 2.4% in its main evaluation.' },
    });
  });

  it.each<[string, Fault, string, string[]]>([
    ['a number not in the abstract', { kind: 'summary-number' }, '2511.10648', ['points_en[2] number', 'points_zh[2] number']],
    ['an English point in the Chinese slot', { kind: 'summary-english' }, '2511.10643', ['points_zh[1] language']],
    ['a 400-character "point"', { kind: 'summary-long' }, '2511.10621', ['points_en[3] length', 'points_zh[3] length']],
    ['markdown and a note in the TL;DR', { kind: 'summary-markdown' }, '2511.10628', ['tldr_zh markup']],
    ['a model name the abstract never mentions', { kind: 'summary-name' }, '2511.10635', ['points_en[1] name']],
  ])('drops %s and only that, without another request', async (_what, fault, paperId, dropped) => {
    server.inject(fault, { paperId });
    const report = await run();
    expect(report).toMatchObject({ translated: 20, requests: 3, strictRetries: 0 });
    expect(report.summaries.drops.map((d) => `${d.item} ${d.check}`)).toEqual(dropped);
    expect(report.summaries.drops.every((d) => d.paperId === paperId)).toBe(true);
    const shown = (await chineseForPapers(db, papers, { prefer: prefer() })).get(paperId);
    const points = (shown?.pointsEn?.length ?? 0) + (shown?.pointsZh?.length ?? 0) + (shown?.tldrZh ? 1 : 0);
    // The mail simply gets fewer items.
    expect(points).toBe(7 - dropped.filter((d) => !d.startsWith('tldr_en')).length);
  });

  it('catches a reply that swaps two papers\' summaries, keeping their translations', async () => {
    server.inject({ kind: 'summary-swap', ids: ['2511.10645', '2511.10647'] }, { paperId: '2511.10645' });
    const report = await run();
    expect(report).toMatchObject({ translated: 20, requests: 3, strictRetries: 0 });
    expect(report.summaries.dropped).toEqual({ swapped: 16 });
    expect(new Set(report.summaries.drops.map((d) => d.paperId))).toEqual(new Set(['2511.10645', '2511.10647']));
    const chinese = await chineseForPapers(db, papers, { prefer: prefer() });
    expect(chinese.get('2511.10645')).toMatchObject({ tldrZh: null, pointsZh: null });
    expect(chinese.get('2511.10645')?.titleZh).toContain('ParoQuant');
  });

  it('reports drop counts by check on a noisy run', async () => {
    const noisy: Array<[Fault, string]> = [
      [{ kind: 'summary-number' }, '2511.10648'],
      [{ kind: 'summary-number' }, '2511.10593'],
      [{ kind: 'summary-english' }, '2511.10643'],
      [{ kind: 'summary-english' }, '2511.10615'],
      [{ kind: 'summary-long' }, '2511.10621'],
      [{ kind: 'summary-markdown' }, '2511.10628'],
      [{ kind: 'summary-name' }, '2511.10635'],
      [{ kind: 'summary-swap', ids: ['2511.10645', '2511.10647'] }, '2511.10645'],
    ];
    for (const [fault, paperId] of noisy) server.inject(fault, { paperId });
    const report = await run();
    expect(report.summaries.dropped).toEqual({ number: 4, language: 2, length: 2, markup: 1, name: 1, swapped: 16 });
    expect(report.summaries.offered).toBe(160);
    expect(report.summaries.kept).toBe(160 - 26);
    expect(report.requests).toBe(3);
    expect(formatTranslationReport(report)).toContain(
      '  summaries: 18 papers with TL;DR or points; 134 of 160 items kept (dropped: markup 1, language 2, length 2, name 1, number 4, swapped 16)',
    );
  });
});
