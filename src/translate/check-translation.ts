import type { Glossary } from './build-prompt.ts';
import { glossaryPattern } from './build-prompt.ts';
import { checkChinese, cleanAbstractZh, cleanTitleZh, mathSpans } from './clean-translation.ts';
import type { ReplyItem } from './parse-reply.ts';

// Every field of a reply is cleaned (notes, markdown, quotes off) and then judged against the English it stands
// for. A field that fails is null: the mail shows the "译文暂缺" marker rather than English or half a translation.

export interface EnglishPaper {
  id: string;
  title: string;
  abstract: string;
}

export interface TranslationFields {
  titleZh: string | null;
  abstractZh: string | null;
  tldrEn: string | null;
  tldrZh: string | null;
}

export interface TranslationCheck {
  fields: TranslationFields;
  /** Why a field was rejected, e.g. `abstract: math missing: $k$`. Any of these sends the paper back once. */
  problems: string[];
  /** Worth recording but not worth a second request (a glossary term rendered another way). */
  notes: string[];
  /** What cleaning cut off (translator notes, labels), for logs. */
  removed: string[];
}

export const NO_FIELDS: TranslationFields = { titleZh: null, abstractZh: null, tldrEn: null, tldrZh: null };

/** A TL;DR longer than this is not one sentence. */
const MAX_TLDR_WORDS = 60;

function checkTldr(item: ReplyItem, problems: string[], removed: string[]): Pick<TranslationFields, 'tldrEn' | 'tldrZh'> {
  const en = item.tldrEn?.replace(/\s+/gu, ' ').trim() ?? '';
  const words = en.split(' ').filter(Boolean).length;
  let tldrEn: string | null = en;
  if (en === '') {
    problems.push('tldr_en: missing');
    tldrEn = null;
  } else if (/\p{Script=Han}/u.test(en)) {
    problems.push('tldr_en: not English');
    tldrEn = null;
  } else if (words > MAX_TLDR_WORDS) {
    problems.push(`tldr_en: ${words} words, not one sentence`);
    tldrEn = null;
  }
  // Cleaned like an abstract (a sentence keeps its full stop), then held to one paragraph.
  const cleaned = item.tldrZh === undefined ? null : cleanAbstractZh(item.tldrZh);
  removed.push(...(cleaned?.removed ?? []));
  let tldrZh = cleaned?.text?.split('\n\n')[0]?.trim() || null;
  if (tldrZh === null) {
    problems.push(item.tldrZh === undefined || item.tldrZh.trim() === '' ? 'tldr_zh: missing' : 'tldr_zh: no Chinese left after cleaning');
  } else {
    const found = checkChinese(tldrZh, en);
    if (found.length > 0) {
      problems.push(...found.map((p) => `tldr_zh: ${p}`));
      tldrZh = null;
    }
  }
  // The two halves go together: a Chinese TL;DR never stands next to nothing, an English one never stands alone
  // where a Chinese reader expects Chinese.
  return tldrEn && tldrZh ? { tldrEn, tldrZh } : { tldrEn: null, tldrZh: null };
}

/** Glossary terms present in the English whose rendering is absent from the Chinese. */
export function glossaryMisses(paper: EnglishPaper, chinese: string, glossary: Glossary): string[] {
  const english = `${paper.title}\n${paper.abstract}`;
  return Object.entries(glossary)
    .filter(([en, zh]) => glossaryPattern(en).test(english) && !chinese.includes(zh))
    .map(([en, zh]) => `glossary: "${en}" not rendered as ${zh}`);
}

/** Pure: cleans and judges one item against its paper. */
export function checkTranslation(
  paper: EnglishPaper,
  item: ReplyItem,
  options: { tldr: boolean; glossary: Glossary },
): TranslationCheck {
  const problems: string[] = [];
  const removed: string[] = [];

  const field = (name: string, raw: string, english: string, clean: typeof cleanTitleZh): string | null => {
    const cleaned = clean(raw);
    removed.push(...cleaned.removed);
    if (cleaned.text === null) {
      problems.push(raw.trim() === '' ? `${name}: empty` : `${name}: no Chinese left after cleaning`);
      return null;
    }
    const found = checkChinese(cleaned.text, english);
    if (found.length === 0) return cleaned.text;
    problems.push(...found.map((p) => `${name}: ${p}`));
    return null;
  };

  const titleZh = field('title', item.titleZh, paper.title, cleanTitleZh);
  const abstractZh = field('abstract', item.abstractZh, paper.abstract, cleanAbstractZh);
  const tldr = options.tldr ? checkTldr(item, problems, removed) : { tldrEn: null, tldrZh: null };
  const notes = glossaryMisses(paper, `${titleZh ?? ''}\n${abstractZh ?? ''}`, options.glossary);
  return { fields: { titleZh, abstractZh, ...tldr }, problems, notes, removed };
}

/** Keeps, field by field, the first answer's good fields and fills the rest from the second answer. */
export function mergeFields(first: TranslationFields, second: TranslationFields): TranslationFields {
  const tldr = first.tldrEn && first.tldrZh ? first : second;
  return {
    titleZh: first.titleZh ?? second.titleZh,
    abstractZh: first.abstractZh ?? second.abstractZh,
    tldrEn: tldr.tldrEn,
    tldrZh: tldr.tldrZh,
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
