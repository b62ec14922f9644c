import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { findTranslationCandidates } from '../store/translation-cache.ts';
import type { ChineseText, Paper } from '../types.ts';
import { checkChinese, hanShare, MIN_HAN_SHARE } from './clean-translation.ts';

export interface ChineseOptions {
  /** The live model and prompt of this run: their translation wins over older or imported ones. */
  prefer?: { model: string; promptVersion: string } | undefined;
  /** Show the one-sentence TL;DR (when one is stored). Default true. */
  tldr?: boolean | undefined;
}

/**
 * The Chinese text each paper will show, checked against its English at the moment of use: a stored field that
 * fails the checks (English left in, a lost `$…$` span, too short) is skipped, field by field, for the next stored
 * candidate (see findTranslationCandidates), and when none passes the mail shows the "translation pending" marker
 * instead of passing English (or half of it) off as Chinese.
 */
export async function chineseForPapers(
  db: Kysely<Database>,
  papers: Paper[],
  options: ChineseOptions = {},
): Promise<Map<string, ChineseText>> {
  const candidates = await findTranslationCandidates(db, papers, options.prefer);
  const result = new Map<string, ChineseText>();
  for (const paper of papers) {
    const stored = candidates.get(paper.id) ?? [];
    const titleZh = stored.find((t) => t.titleZh && checkChinese(t.titleZh, paper.title).length === 0)?.titleZh ?? null;
    const abstractZh =
      stored.find((t) => t.abstractZh && checkChinese(t.abstractZh, paper.abstract).length === 0)?.abstractZh ?? null;
    const tldr =
      options.tldr === false
        ? undefined
        : stored.find((t) => t.tldrEn && t.tldrZh && hanShare(t.tldrZh) >= MIN_HAN_SHARE && !/\p{Script=Han}/u.test(t.tldrEn));
    if (titleZh || abstractZh) {
      result.set(paper.id, { titleZh, abstractZh, tldrEn: tldr?.tldrEn ?? null, tldrZh: tldr?.tldrZh ?? null });
    }
  }
  return result;
}
