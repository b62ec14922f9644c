import { readFileSync } from 'node:fs';
import { splitSentences } from '../../src/render/excerpt.ts';
import { attachExtras, planSegmentIssues, segmentIdOf, segmentKeyOf } from '../../src/select/index.ts';
import type { ChineseText, DomainSelection, ISODate, Language, Paper, PaperExtras, SegmentIssue, SegmentKey } from '../../src/types.ts';
import { seededRandom } from './seeded-random.ts';

// Readers whose preferences differ from each other's (topics, language, their own keywords, exclusions and
// authors), as many as asked, and each one's issue built the way a run builds it (planSegmentIssues: personal
// sections first, exclusions applied). For the assembled-vs-full-render test and `scripts/bench-render.ts`.

const LANGUAGES: Language[] = ['bilingual', 'en', 'zh'];
/** Phrases that real days of cs.AI/CL/CV/LG name, so most readers' keyword sections are not empty. */
const KEYWORDS = [
  'reinforcement learning', 'diffusion', 'benchmark', 'robot', 'retrieval', 'quantization', 'agent', 'transformer',
  'medical', 'graph', 'reasoning', 'segmentation', 'speech', 'alignment', 'federated', 'video', 'code generation',
  'privacy', 'uncertainty', 'mixture of experts', 'tokenizer', 'hallucination', 'preference', 'distillation',
];

// The full days have no recorded translations: real Chinese abstracts of the sample day stand in, cycled, and
// titles of a typical length (a Chinese title takes ~40 % of the English title's characters, each 3 bytes).
const ZH_ABSTRACTS = Object.values(
  JSON.parse(readFileSync('test/fixtures/zh-2025-11-14.json', 'utf8')) as Record<string, { abstract_zh: string }>,
).map((v) => v.abstract_zh);
const ZH_TITLE_TEXT = '面向大型语言模型的高效推理与多模态智能体评测基准及其在机器人视觉任务中的应用研究';

/** The `index`th paper of a full day's stand-in Chinese text, with a TL;DR and key points made of its sentences or without. */
export function standInChinese(paper: Paper, index: number, withPoints: boolean): ChineseText {
  const abstractZh = ZH_ABSTRACTS[index % ZH_ABSTRACTS.length] ?? '';
  const titleZh = ZH_TITLE_TEXT.slice(0, Math.max(8, Math.round(paper.title.length * 0.4)));
  if (!withPoints) return { titleZh, abstractZh };
  const en = splitSentences(paper.abstract.replace(/\s+/gu, ' '));
  const zh = splitSentences(abstractZh);
  return {
    titleZh,
    abstractZh,
    tldrEn: (en[1] ?? en[0] ?? '').slice(0, 160),
    tldrZh: (zh[1] ?? zh[0] ?? '').slice(0, 60),
    pointsEn: en.slice(2, 5).map((s) => s.slice(0, 140)),
    pointsZh: zh.slice(2, 5).map((s) => s.slice(0, 55)),
  };
}

/**
 * Chinese text and extras of a full day without recorded translations: the sample day's real Chinese abstracts,
 * cycled; some papers with TL;DR and key points, some without, every fifth never translated; some with a code link
 * and a venue.
 */
export function dayTexts(papers: readonly Paper[]): { chineseOf: (p: Paper) => ChineseText | null; extras: Map<string, PaperExtras> } {
  const chinese = new Map<string, ChineseText | null>();
  const extras = new Map<string, PaperExtras>();
  papers.forEach((paper, i) => {
    if (i % 4 === 1) extras.set(paper.id, { codeUrl: `https://github.com/example/p${i}`, projectUrl: null, venue: i % 8 === 1 ? 'NeurIPS 2025' : null });
    chinese.set(paper.id, i % 5 === 4 ? null : standInChinese(paper, i, i % 3 !== 0));
  });
  return { chineseOf: (p) => chinese.get(p.id) ?? null, extras };
}

/** Reader `i`'s key: 1–7 topics, a language, and (for most) keywords, an exclusion or two and followed authors. */
export function distinctReaderKey(i: number, papers: readonly Paper[], domainOrder: readonly string[]): SegmentKey {
  const next = seededRandom(i * 7919 + 17);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  // Every seventh reader takes every topic: on a full day those mails meet the size budget.
  const topics = i % 7 === 3 ? [...domainOrder] : domainOrder.filter(() => next() < 0.35);
  if (topics.length === 0) topics.push(pick(domainOrder));
  const language = LANGUAGES[i % LANGUAGES.length] as Language;
  if (i % 10 === 0) return segmentKeyOf(topics, language, domainOrder);
  const keywords = [...new Set(Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(KEYWORDS)))];
  const exclude = next() < 0.3 ? [pick(KEYWORDS)].filter((k) => !keywords.includes(k)) : [];
  const authors = [...new Set(Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(pick(papers).authors).name))];
  // The reader's number as a keyword no paper names: no two readers share preferences, as at 100 000 readers.
  keywords.push(`reader${i}`);
  return segmentKeyOf(topics, language, domainOrder, { keywords, exclude, authors });
}

/** The issue of each reader `from`..`to - 1` on one day, built as a run builds a segment's issue. */
export function distinctReaderIssues(
  day: { batchDate: ISODate; papers: readonly Paper[]; selections: readonly DomainSelection[] },
  texts: ReturnType<typeof dayTexts>,
  readers: { from: number; to: number },
): SegmentIssue[] {
  const order = day.selections.map((s) => s.domain.id);
  const segments = [];
  for (let i = readers.from; i < readers.to; i++) {
    const key = distinctReaderKey(i, day.papers, order);
    segments.push({ segmentId: segmentIdOf(key), key });
  }
  const plan = planSegmentIssues(day.selections, segments, new Map(), {
    batchDate: day.batchDate,
    showUpdatedVersions: false,
    papers: day.papers,
  });
  return segments.map(({ segmentId, key }) => attachExtras(plan.issueOf(segmentId, key, texts.chineseOf), texts.extras));
}
