import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { findTranslations } from '../store/translations.ts';
import type { ChineseText, Paper } from '../types.ts';
import { checkChinese } from './clean-translation.ts';

/**
 * The Chinese text each paper will show, checked against its English at the moment of use: a stored translation
 * that fails the checks (English left in, a lost `$…$` span, too short) is dropped, so the mail shows the
 * "translation pending" marker instead of passing English (or half of it) off as Chinese.
 */
export async function chineseForPapers(
  db: Kysely<Database>,
  papers: Paper[],
  prefer?: { model: string; promptVersion: string },
): Promise<Map<string, ChineseText>> {
  const stored = await findTranslations(db, papers, prefer);
  const result = new Map<string, ChineseText>();
  for (const paper of papers) {
    const t = stored.get(paper.id);
    if (!t) continue;
    const titleZh = t.titleZh && checkChinese(t.titleZh, paper.title).length === 0 ? t.titleZh : null;
    const abstractZh = t.abstractZh && checkChinese(t.abstractZh, paper.abstract).length === 0 ? t.abstractZh : null;
    if (titleZh || abstractZh) result.set(paper.id, { titleZh, abstractZh, tldrEn: t.tldrEn ?? null, tldrZh: t.tldrZh ?? null });
  }
  return result;
}
