// `npm run bench:render`: mail sizes and render time per segment, on the sample day and on a synthetic heavy day
// (40 papers per domain, made from the sample day's real titles and abstracts). Prints figures; asserts nothing.
import { readFileSync } from 'node:fs';
import { parseFeed } from '../src/arxiv/parse-feed.ts';
import { DEFAULT_DOMAINS } from '../src/config/default-domains.ts';
import { renderIssue } from '../src/render/render-issue.ts';
import { buildSegmentIssue, segmentKeyOf } from '../src/select/build-segment-issue.ts';
import { selectPapers } from '../src/select/select-papers.ts';
import { cleanAbstractZh, cleanTitleZh } from '../src/translate/clean-translation.ts';
import type { ChineseText, DomainSelection, Language, Paper } from '../src/types.ts';

const site = {
  name: 'paperboy · arXiv daily',
  publicBaseUrl: 'https://digest.example.org',
  postalAddress: 'Example Lab, 1 Example Road, Example City 100000',
  fromAddress: 'digest@example.org',
};
const feed = await parseFeed(readFileSync('test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml', 'utf8'), 'fixture');
const zh = JSON.parse(readFileSync('test/fixtures/zh-2025-11-14.json', 'utf8')) as Record<string, { title_zh_raw?: string; abstract_zh: string }>;
const chineseById = new Map<string, ChineseText>();
for (const [id, entry] of Object.entries(zh)) {
  chineseById.set(id, {
    titleZh: entry.title_zh_raw ? cleanTitleZh(entry.title_zh_raw).text : `${cleanAbstractZh(entry.abstract_zh).text?.slice(0, 24)}`,
    abstractZh: cleanAbstractZh(entry.abstract_zh).text,
  });
}
const order = DEFAULT_DOMAINS.map((d) => d.id);

async function measure(label: string, selections: DomainSelection[], language: Language, topics: string[], chineseOf: (p: Paper) => ChineseText | null) {
  const issue = buildSegmentIssue(selections, segmentKeyOf(topics, language, order), '2025-11-14', chineseOf);
  const times: number[] = [];
  let result: Awaited<ReturnType<typeof renderIssue>> | undefined;
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    result = await renderIssue(issue, site, { domains: DEFAULT_DOMAINS });
    times.push(performance.now() - t0);
  }
  const warm = times.slice(1).sort((a, b) => a - b)[2] ?? 0;
  const shown = issue.sections.reduce((n, s) => n + s.entries.length, 0);
  console.log(
    `${label.padEnd(44)} ${String(shown).padStart(3)} papers  ${(result!.bytes / 1024).toFixed(1).padStart(6)} KB html  ` +
      `${(Buffer.byteLength(result!.text) / 1024).toFixed(1).padStart(5)} KB text  cold ${times[0]!.toFixed(0).padStart(4)} ms  warm ${warm.toFixed(0).padStart(4)} ms` +
      (result!.degraded ? `  (${result!.degraded} title-only)` : ''),
  );
}

console.log('sample day 2025-11-14 (20 papers, real Chinese):');
const sample = selectPapers(feed.papers, DEFAULT_DOMAINS);
const sampleChinese = (p: Paper) => chineseById.get(p.id) ?? null;
for (const [language, topics] of [
  ['bilingual', order],
  ['bilingual', ['llm', 'agents', 'reasoning']],
  ['zh', ['multimodal', 'vision']],
  ['en', ['evaluation', 'llm']],
] as const) {
  await measure(`  ${language} ${topics.join('+')}`, sample, language, [...topics], sampleChinese);
}

// A heavy day: every domain matches 40 papers (the real ones, cloned under new ids).
const heavy: DomainSelection[] = DEFAULT_DOMAINS.map((domain, d) => ({
  domain,
  matches: Array.from({ length: 40 }, (_, i) => {
    const base = feed.papers[(i + d) % feed.papers.length]!;
    const paper: Paper = { ...base, id: `2511.${String(20000 + d * 100 + i)}` };
    return { paper, domainId: domain.id, score: 100 - i, matchedIn: 'title' as const, keywords: [] };
  }),
}));
const heavyChinese = (p: Paper) => chineseById.get(feed.papers[(Number(p.id.slice(-2)) + Number(p.id.slice(-3, -2))) % feed.papers.length]!.id) ?? null;
console.log('\nsynthetic day: 7 domains × 40 papers, cap 6 per domain:');
for (const [language, topics] of [
  ['bilingual', order],
  ['zh', order],
  ['en', order],
  ['bilingual', ['llm', 'agents']],
] as const) {
  await measure(`  ${language} ${topics.length === 7 ? 'all 7 topics' : topics.join('+')}`, heavy, language, [...topics], heavyChinese);
}

// ---- Personal mails at scale (issue 12, part 6) ----
// 100 000 readers with distinct preferences (topics, language, their own keywords, exclusions and authors: each
// reader alone in their segment) on the real full day 2025-10-22. Each reader's issue is built as a run builds it
// (a thousand at a time, so memory stays bounded), then their mail is assembled from pieces rendered once
// (src/render/assemble-mail.ts). Next to it, the same readers' full MJML render (one compile per mail and size-budget
// attempt), measured in the same run on the first readers. One process, one thread: one core.
const readersArg = process.argv.indexOf('--readers');
const READERS = readersArg > 0 ? Number(process.argv[readersArg + 1]) : 100_000;
const FULL_RENDERS = 20;
const CHUNK = 1_000;
{
  const { createMailAssembler } = await import('../src/render/assemble-mail.ts');
  const { dayTexts, distinctReaderIssues } = await import('../test/support/distinct-readers.ts');
  const file = 'test/fixtures/full-days/rss-2025-10-22.xml';
  const papers = (await parseFeed(readFileSync(file, 'utf8'), file)).papers;
  const day = { batchDate: '2025-10-22', papers, selections: selectPapers(papers, DEFAULT_DOMAINS) };
  const texts = dayTexts(papers);
  const options = { domains: DEFAULT_DOMAINS };
  console.log(`\npersonal mails: ${READERS.toLocaleString('en-US')} readers with distinct preferences, full day 2025-10-22 (${papers.length} papers), one core:`);

  // Per reader, full render: one MJML compile per mail (more when the mail meets the size budget).
  const sample = distinctReaderIssues(day, texts, { from: 0, to: FULL_RENDERS });
  await renderIssue(sample[0]!, site, options);
  let fullMs = 0;
  const fullCpu0 = process.cpuUsage();
  for (const issue of sample) {
    const t0 = performance.now();
    await renderIssue(issue, site, options);
    fullMs += performance.now() - t0;
  }
  const fullCpu = process.cpuUsage(fullCpu0);
  const fullCpuMs = (fullCpu.user + fullCpu.system) / 1000;
  const fullRate = FULL_RENDERS / (fullCpuMs / 1000);

  const assembler = createMailAssembler(site, options);
  // CPU time of this process (user + system): the machine may be shared, and the target is per core.
  const cpuMs = (): number => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  let buildMs = 0;
  let assembleMs = 0;
  let assembleCpuMs = 0;
  let firstChunkMs = 0;
  let bytes = 0;
  let maxBytes = 0;
  let degraded = 0;
  for (let from = 0; from < READERS; from += CHUNK) {
    const t0 = performance.now();
    const issues = distinctReaderIssues(day, texts, { from, to: Math.min(READERS, from + CHUNK) });
    const t1 = performance.now();
    buildMs += t1 - t0;
    const c1 = cpuMs();
    for (const issue of issues) {
      const mail = await assembler.render(issue);
      bytes += mail.bytes;
      maxBytes = Math.max(maxBytes, mail.bytes);
      if (mail.degraded > 0) degraded += 1;
    }
    const t2 = performance.now();
    assembleCpuMs += cpuMs() - c1;
    assembleMs += t2 - t1;
    if (from === 0) firstChunkMs = t2 - t1;
  }
  const stats = assembler.stats();
  const rate = READERS / (assembleCpuMs / 1000);
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log('  (rates per CPU second of this one-threaded process; wall-clock figures in brackets, the machine may be shared)');
  console.log(`  per reader, full MJML render:        ${fullRate.toFixed(1).padStart(8)} mails/s  (${(fullCpuMs / FULL_RENDERS).toFixed(0)} ms CPU a mail, first ${FULL_RENDERS} readers) [wall ${(FULL_RENDERS / (fullMs / 1000)).toFixed(1)}/s]`);
  console.log(`  personal mails assembled:            ${fmt(rate).padStart(8)} mails/s  (${((assembleCpuMs / READERS) * 1000).toFixed(0)} µs CPU a mail; target ≥ 2,000/s) [wall ${fmt(READERS / (assembleMs / 1000))}/s]`);
  console.log(`    with building each reader's issue, wall clock: ${fmt(READERS / ((assembleMs + buildMs) / 1000)).padStart(8)} mails/s  (issues: ${((buildMs / READERS) * 1000).toFixed(0)} µs a reader)`);
  console.log(`    first ${CHUNK.toLocaleString('en-US')} mails (pieces still being rendered), wall clock: ${fmt(Math.min(CHUNK, READERS) / (firstChunkMs / 1000))} mails/s`);
  console.log(
    `    MJML compiles ${stats.mjmlCompiles}, pieces rendered ${fmt(stats.piecesRendered)} (${(stats.piecesRendered / READERS).toFixed(2)} a mail), ` +
      `size-budget attempts ${(stats.attempts / READERS).toFixed(2)} a mail, fallbacks to the full render 0 (there is no fallback path)`,
  );
  console.log(`    mails ${fmt(bytes / READERS / 1024)} KB on average, largest ${(maxBytes / 1024).toFixed(1)} KB, ${fmt(degraded)} shortened to fit 90 KB`);
  console.log(`  speed-up over the per-reader render: ${(rate / fullRate).toFixed(0)}×`);
}
