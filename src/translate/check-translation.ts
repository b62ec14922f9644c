import type { PaperAnalysis } from '../store/translations.ts';
import { checkAnalysis, checkSummary, NO_SUMMARY, type SummaryDrop, type SummaryFields } from './check-summary.ts';
import { checkChinese, cleanAbstractZh, cleanTitleZh, mathSpans } from './clean-translation.ts';
import { applyVariantRules, glossaryPattern, renderingOf, variantRulesFor, type Glossary } from './normalize-glossary.ts';
import type { ReplyItem } from './parse-reply.ts';

// Every field of a reply is cleaned (notes, markdown, quotes off), put in the glossary's canonical wording, and then
// judged against the English it stands for. A title or abstract that fails is null (the mail shows the "译文暂缺"
// marker rather than English or half a translation) and sends the paper back once; a TL;DR or key point that
// fails its checks (check-summary.ts) is dropped on its own and never asked for again.

export interface EnglishPaper {
  id: string;
  title: string;
  abstract: string;
}

export interface TranslationFields extends SummaryFields {
  titleZh: string | null;
  abstractZh: string | null;
  /** The checked analysis parts (translation.analysis); null: none asked for or none passed. */
  analysis: PaperAnalysis | null;
}

export interface TranslationCheck {
  fields: TranslationFields;
  /** Why the title or abstract was rejected, e.g. `abstract: math missing: $k$`. Any of these sends the paper back once. */
  problems: string[];
  /** Worth recording but not worth a second request (a glossary term rendered another way). */
  notes: string[];
  /** What cleaning cut off (translator notes, labels), for logs. */
  removed: string[];
  /** TL;DR and point items dropped by their checks (never a reason to ask again). */
  summaryDrops: SummaryDrop[];
  /** TL;DR and point items the reply offered. */
  summaryOffered: number;
}

export const NO_FIELDS: TranslationFields = { titleZh: null, abstractZh: null, ...NO_SUMMARY, analysis: null };

/** Glossary terms present in the English whose rendering is absent from the Chinese. */
export function glossaryMisses(paper: EnglishPaper, chinese: string, glossary: Glossary): string[] {
  const english = `${paper.title}\n${paper.abstract}`;
  return Object.entries(glossary)
    .filter(([en, entry]) => glossaryPattern(en).test(english) && !chinese.includes(renderingOf(entry)))
    .map(([en, entry]) => `glossary: "${en}" not rendered as ${renderingOf(entry)}`);
}

/** Pure: cleans and judges one item against its paper. */
export function checkTranslation(
  paper: EnglishPaper,
  item: ReplyItem,
  options: { summaries: boolean; analysis?: boolean | undefined; glossary: Glossary },
): TranslationCheck {
  const problems: string[] = [];
  const removed: string[] = [];
  const rules = variantRulesFor(options.glossary, `${paper.title}\n${paper.abstract}`);

  const field = (name: string, raw: string, english: string, clean: typeof cleanTitleZh): string | null => {
    const cleaned = clean(raw);
    removed.push(...cleaned.removed);
    if (cleaned.text === null) {
      problems.push(raw.trim() === '' ? `${name}: empty` : `${name}: no Chinese left after cleaning`);
      return null;
    }
    const text = applyVariantRules(cleaned.text, rules);
    const found = checkChinese(text, english);
    if (found.length === 0) return text;
    problems.push(...found.map((p) => `${name}: ${p}`));
    return null;
  };

  const titleZh = field('title', item.titleZh, paper.title, cleanTitleZh);
  const abstractZh = field('abstract', item.abstractZh, paper.abstract, cleanAbstractZh);
  const summary = options.summaries
    ? checkSummary(paper, item, rules)
    : { fields: NO_SUMMARY, drops: [], offered: 0 };
  const analysis = options.analysis ? checkAnalysis(paper, item.analysis, rules) : { analysis: null, drops: [], offered: 0 };
  const notes = glossaryMisses(paper, `${titleZh ?? ''}\n${abstractZh ?? ''}`, options.glossary);
  return {
    fields: { titleZh, abstractZh, ...summary.fields, analysis: analysis.analysis },
    problems,
    notes,
    removed,
    summaryDrops: [...summary.drops, ...analysis.drops],
    summaryOffered: summary.offered + analysis.offered,
  };
}

/** True when any TL;DR or point passed. */
export function hasSummary(fields: SummaryFields): boolean {
  return Boolean(fields.tldrEn || fields.tldrZh || fields.pointsEn.length > 0 || fields.pointsZh.length > 0);
}

/**
 * Keeps, field by field, the first answer's good fields and fills the rest from the second answer; the summary
 * is taken whole from the first answer that has any of it (items of two answers do not mix).
 */
export function mergeFields(first: TranslationFields, second: TranslationFields): TranslationFields {
  const summary = hasSummary(first) ? first : second;
  return {
    titleZh: first.titleZh ?? second.titleZh,
    abstractZh: first.abstractZh ?? second.abstractZh,
    tldrEn: summary.tldrEn,
    tldrZh: summary.tldrZh,
    pointsEn: summary.pointsEn,
    pointsZh: summary.pointsZh,
    analysis: first.analysis ?? second.analysis,
  };
}

// Latin words and numbers a Chinese translation keeps verbatim: names (ParoQuant, ImageNet), acronyms, figures.
const ANCHOR = /[A-Za-z][A-Za-z0-9]*(?:[-.+][A-Za-z0-9]+)*|\d+(?:\.\d+)?/gu;

function anchorsOf(text: string): Set<string> {
  let plain = text;
  for (const span of mathSpans(text)) plain = plain.replace(span, ' ');
  return new Set((plain.match(ANCHOR) ?? []).map((t) => t.toLowerCase()).filter((t) => t.length >= 2));
}

/**
 * Pure: ids whose Chinese seems to belong to another paper of the same request. Translations keep names, acronyms
 * and numbers verbatim; when the Chinese under id A shares more of them with paper B's English than with A's own
 * (at least two), the model most likely put B's translation under A's id. Such a paper is asked again on its own,
 * where no mix-up is possible; a false alarm costs one request, a missed swap would mail the wrong text.
 */
export function findSwaps(
  papers: readonly EnglishPaper[],
  chinese: ReadonlyMap<string, { titleZh: string | null; abstractZh: string | null }>,
): Map<string, string> {
  const swapped = new Map<string, string>();
  if (papers.length < 2) return swapped;
  const english = new Map(papers.map((p) => [p.id, anchorsOf(`${p.title}\n${p.abstract}`)]));
  for (const paper of papers) {
    const zh = chinese.get(paper.id);
    if (!zh) continue;
    const anchors = anchorsOf(`${zh.titleZh ?? ''}\n${zh.abstractZh ?? ''}`);
    if (anchors.size === 0) continue;
    const score = (words: Set<string> | undefined) => [...anchors].filter((a) => words?.has(a)).length;
    const own = score(english.get(paper.id));
    let best: { id: string; score: number } | null = null;
    for (const other of papers) {
      if (other.id === paper.id) continue;
      const s = score(english.get(other.id));
      if (!best || s > best.score) best = { id: other.id, score: s };
    }
    if (best && best.score >= 2 && best.score > own) {
      swapped.set(paper.id, `the Chinese matches paper ${best.id} better than its own English (${best.score} vs ${own} shared names/numbers)`);
    }
  }
  return swapped;
}
