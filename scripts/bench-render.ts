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
