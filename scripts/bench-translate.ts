// npm run bench:translate — the translate stage against the local OpenAI-compatible test server answering in 2 s
// per request (a realistic hosted-model latency for 8 abstracts), with the default settings (8 papers a request,
// 4 requests in flight, TL;DR and key points asked for in the same request). Measures: requests per 100 new papers
// (target ≤ 15), requests when the same papers are run again (target 0), the wall time for 500 new papers (target
// < 2.5 min), and on a deliberately noisy run (summary faults injected) the share of TL;DR/point items dropped by
// each check — every injected fault must be caught and no extra request spent on it. Exit code 1 on a miss.

import { validateConfig } from '../src/config/load-config.ts';
import { openDatabase } from '../src/store/database.ts';
import { createOpenAITranslator } from '../src/translate/openai-translator.ts';
import { translatePapers } from '../src/translate/translate-papers.ts';
import { translateSettingsOf } from '../src/translate/translation-setup.ts';
import type { Paper } from '../src/types.ts';
import { SUMMARY_CHECKS } from '../src/translate/check-summary.ts';
import { startOpenAITestServer, type Fault } from '../test/support/openai-test-server.ts';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 2000);
const NOW = new Date('2025-11-14T06:00:00Z');

const WORDS = (
  'model models learning language large reasoning agents benchmark training data method methods results show ' +
  'propose novel approach performance task tasks evaluation inference efficient robust framework representation ' +
  'vision multimodal policy reward optimization generalization dataset datasets across improves state art'
).split(' ');
const NAMES = ['ParoQuant', 'ForAug', 'ImageNet', 'GPT-4o', 'LLaMA-3', 'COCO', 'MMLU', 'LoRA', 'ViT-B', 'GSM8K'];

/** Deterministic pseudo-random numbers, so every run benchmarks the same papers. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function makePapers(count: number, firstId: number): Paper[] {
  const next = random(firstId);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const sentence = (words: number) => {
    const out = Array.from({ length: words }, () => pick(WORDS));
    out.splice(Math.floor(next() * words), 0, pick(NAMES), `${Math.floor(next() * 90) + 10}.${Math.floor(next() * 10)}%`);
    const text = out.join(' ');
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  };
  return Array.from({ length: count }, (_, i) => {
    const id = `2601.${String(firstId + i).padStart(5, '0')}`;
    return {
      id,
      version: 1,
      title: sentence(9).replace(/\.$/, ''),
      // About 1,200 characters: a typical arXiv abstract.
      abstract: Array.from({ length: 8 }, () => sentence(18)).join(' '),
      authors: [{ name: 'A. Author', affiliations: [] }],
      categories: ['cs.CL'],
      announceType: 'new',
      links: {
        abs: `https://arxiv.org/abs/${id}`,
        pdf: `https://arxiv.org/pdf/${id}v1`,
        html: `https://arxiv.org/html/${id}v1`,
        papersCool: `https://papers.cool/arxiv/${id}`,
      },
    };
  });
}

const config = validateConfig({}).config;
if (!config) throw new Error('the default config does not validate');
const settings = translateSettingsOf(config.translation);
const server = await startOpenAITestServer({ latencyMs: LATENCY_MS });
const db = await openDatabase({ file: ':memory:' });
const translator = createOpenAITranslator({
  baseUrl: server.url,
  apiKey: 'bench',
  model: 'bench-model',
  timeoutMs: 60_000,
  retries: 3,
  jsonMode: true,
});

async function measure(papers: Paper[]) {
  server.reset();
  const started = performance.now();
  const report = await translatePapers(db, papers, translator, settings, { now: NOW });
  return { report, requests: server.requests.length, seconds: (performance.now() - started) / 1000, peak: server.peakConcurrency };
}

try {
  console.log(
    `bench:translate · local server answering in ${LATENCY_MS / 1000} s · batchSize ${settings.batchSize} · concurrency ${settings.concurrency}\n`,
  );
  const hundred = makePapers(100, 1);
  const first = await measure(hundred);
  const again = await measure(hundred);
  const big = await measure(makePapers(500, 10_001));

  // The noisy run: 100 more new papers, each fault on papers of its own (ids by position: 8 papers a request).
  const noisyPapers = makePapers(100, 20_001);
  const idAt = (i: number) => noisyPapers[i]?.id ?? '';
  const faults: Array<[Fault, number[]]> = [
    [{ kind: 'summary-number' }, [1, 9, 17, 25]],
    [{ kind: 'summary-english' }, [2, 10, 18]],
    [{ kind: 'summary-long' }, [3, 11]],
    [{ kind: 'summary-markdown' }, [4, 12]],
    [{ kind: 'summary-name' }, [5, 13]],
  ];
  server.reset();
  for (const [fault, at] of faults) for (const i of at) server.inject(fault, { paperId: idAt(i) });
  // Two swaps of two papers' whole summaries (8 items each way).
  server.inject({ kind: 'summary-swap', ids: [idAt(40), idAt(41)] }, { paperId: idAt(40) });
  server.inject({ kind: 'summary-swap', ids: [idAt(48), idAt(49)] }, { paperId: idAt(48) });
  const noisyStarted = performance.now();
  const noisyReport = await translatePapers(db, noisyPapers, translator, settings, { now: NOW });
  const noisy = { report: noisyReport, requests: server.requests.length, seconds: (performance.now() - noisyStarted) / 1000 };
  // Items each fault spoils: number 2 (point 2 in both languages), english 1, long 2, markdown 1, name 1.
  const expected = { number: 4 * 2, language: 3, length: 2 * 2, markup: 2, name: 2 };
  const sums = noisy.report.summaries;
  const droppedTotal = Object.values(sums.dropped).reduce((a, b) => a + (b ?? 0), 0);
  const caught = (Object.entries(expected) as Array<[keyof typeof expected, number]>).every(([check, n]) => (sums.dropped[check] ?? 0) >= n);
  const swapDrops = sums.drops.filter((d) => [idAt(40), idAt(41), idAt(48), idAt(49)].includes(d.paperId)).length;

  const rows: Array<[string, string, string, boolean]> = [
    ['requests per 100 new papers', String(first.requests), '≤ 15', first.requests <= 15],
    ['requests on a re-run of the same 100', String(again.requests), '0', again.requests === 0],
    ['wall time, 500 new papers', `${big.seconds.toFixed(1)} s (${big.requests} requests, peak ${big.peak} in flight)`, '< 150 s', big.seconds < 150],
    ['summary items kept, clean 100', `${first.report.summaries.kept} of ${first.report.summaries.offered}`, 'all', first.report.summaries.kept === first.report.summaries.offered && first.report.summaries.offered > 0],
    ['noisy 100: requests', String(noisy.requests), '≤ 15', noisy.requests <= 15],
    ['noisy 100: spoiled items dropped', Object.entries(expected).map(([c, n]) => `${c} ${sums.dropped[c as keyof typeof expected] ?? 0}/${n}`).join(', '), 'all', caught],
    ['noisy 100: swapped items dropped', `${swapDrops} of 32 (items naming no name or number cannot be told apart)`, '≥ 16', swapDrops >= 16],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [what, value, target, ok] of rows) {
    console.log(`${what.padEnd(width)}  ${value.padEnd(44)}  target ${target.padEnd(7)} ${ok ? 'ok' : 'MISSED'}`);
  }
  const translated = first.report.translated + big.report.translated;
  console.log(
    `\n100 papers: ${first.seconds.toFixed(1)} s; re-run: ${again.seconds.toFixed(2)} s (${again.report.cached} cached); ` +
      `translated ${translated} of 600, tokens ${first.report.tokensIn + big.report.tokensIn} in / ${first.report.tokensOut + big.report.tokensOut} out`,
  );
  console.log(`\nnoisy run, drop rate by check (of ${sums.offered} TL;DR/point items offered; ${sums.papers} of 100 papers keep some):`);
  for (const check of SUMMARY_CHECKS) {
    const n = sums.dropped[check] ?? 0;
    if (n > 0) console.log(`  ${check.padEnd(9)} ${String(n).padStart(3)}  ${((100 * n) / sums.offered).toFixed(1)}%`);
  }
  console.log(`  ${'total'.padEnd(9)} ${String(droppedTotal).padStart(3)}  ${((100 * droppedTotal) / sums.offered).toFixed(1)}%`);
  if (!rows.every((r) => r[3])) process.exitCode = 1;
} finally {
  await server.close();
  await db.destroy();
}
