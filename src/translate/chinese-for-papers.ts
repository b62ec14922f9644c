import type { Kysely } from 'kysely';
import { DEFAULT_GLOSSARY } from '../config/default-glossary.ts';
import type { Database } from '../store/schema.ts';
import { findTranslationCandidates } from '../store/translation-cache.ts';
import type { TranslationRecord } from '../store/translations.ts';
import type { ChineseText, Paper } from '../types.ts';
import { checkSummary, type SummaryFields } from './check-summary.ts';
import { checkChinese } from './clean-translation.ts';
import { applyVariantRules, variantRulesFor, type Glossary } from './normalize-glossary.ts';

export interface ChineseOptions {
  /** The live model and prompt of this run: their translation wins over older or imported ones. */
  prefer?: { model: string; promptVersion: string } | undefined;
  /** Show the TL;DR and key points (when stored): translation.summaries. Default true. */
  tldr?: boolean | undefined;
  /** Canonical wording (translation.glossary); default: the default glossary. */
  glossary?: Glossary | undefined;
  /** The stored candidates when the caller already read them (findTranslationCandidates), so they are read once. */
  candidates?: ReadonlyMap<string, TranslationRecord[]> | undefined;
}

/** The first stored candidate that offers any summary, re-checked against the paper as it is now. */
function summaryFor(paper: Paper, stored: readonly TranslationRecord[], rules: ReturnType<typeof variantRulesFor>): SummaryFields | null {
  for (const candidate of stored) {
    if (!candidate.tldrEn && !candidate.tldrZh && !candidate.pointsEn?.length && !candidate.pointsZh?.length) continue;
    const { fields } = checkSummary(paper, candidate, rules);
    if (fields.tldrEn || fields.tldrZh || fields.pointsEn.length > 0 || fields.pointsZh.length > 0) return fields;
  }
  return null;
}

/**
 * The Chinese text each paper will show, checked against its English at the moment of use: a stored field that
 * fails the checks (English left in, a lost `$…$` span, too short) is skipped, field by field, for the next stored
 * candidate (see findTranslationCandidates), and when none passes the mail shows the "translation pending" marker
 * instead of passing English (or half of it) off as Chinese. TL;DR and key points are taken together from the best
 * candidate that has any, each item checked again against this paper's abstract (an import may have arrived before
 * the paper did), and everything is put in the glossary's canonical wording.
 */
export async function chineseForPapers(
  db: Kysely<Database>,
  papers: Paper[],
  options: ChineseOptions = {},
): Promise<Map<string, ChineseText>> {
  const candidates = options.candidates ?? (await findTranslationCandidates(db, papers, options.prefer));
  const glossary = options.glossary ?? DEFAULT_GLOSSARY;
  const result = new Map<string, ChineseText>();
  for (const paper of papers) {
    const stored = candidates.get(paper.id) ?? [];
    const rules = variantRulesFor(glossary, `${paper.title}\n${paper.abstract}`);
    const canonical = (text: string | null | undefined) => (text ? applyVariantRules(text, rules) : null);
    const titleZh = canonical(stored.find((t) => t.titleZh && checkChinese(t.titleZh, paper.title).length === 0)?.titleZh);
    const abstractZh = canonical(
      stored.find((t) => t.abstractZh && checkChinese(t.abstractZh, paper.abstract).length === 0)?.abstractZh,
    );
    const summary = options.tldr === false ? null : summaryFor(paper, stored, rules);
    if (titleZh || abstractZh || summary) {
      result.set(paper.id, {
        titleZh,
        abstractZh,
        tldrEn: summary?.tldrEn ?? null,
        tldrZh: summary?.tldrZh ?? null,
        pointsEn: summary && summary.pointsEn.length > 0 ? summary.pointsEn : null,
        pointsZh: summary && summary.pointsZh.length > 0 ? summary.pointsZh : null,
      });
    }
  }
  return result;
}
