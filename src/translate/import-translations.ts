import { basename } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { saveTranslation } from '../store/translations.ts';
import { cleanAbstractZh, cleanTitleZh } from './clean-translation.ts';

// Recorded translator replies (shaped like test/fixtures/zh-2025-11-14.json) go through the same cleaning as live
// ones: the raw titles carry the model's own notes ("（注：…）", "这个翻译采用了以下专业处理方式：…").

export interface RecordedTranslation {
  title_zh_raw?: string;
  title_zh?: string;
  abstract_zh?: string;
  abstract_zh_raw?: string;
  tldr_en?: string;
  tldr_zh?: string;
  version?: number;
}

export interface TranslationImportReport {
  imported: number;
  titles: number;
  abstracts: number;
  /** Notes, prefixes and markup removed by cleaning, per paper. */
  cleaned: Array<{ paperId: string; removed: string[] }>;
  rejected: Array<{ paperId: string; reason: string }>;
}

const ARXIV_ID = /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})$/;

/** Pure: validates and cleans the file's entries. */
export function parseRecordedTranslations(data: unknown) {
  const report: TranslationImportReport = { imported: 0, titles: 0, abstracts: 0, cleaned: [], rejected: [] };
  const rows: Array<{ paperId: string; version: number; titleZh: string | null; abstractZh: string | null; tldrEn: string | null; tldrZh: string | null }> = [];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    report.rejected.push({ paperId: '(file)', reason: 'expected a JSON object keyed by arXiv id' });
    return { rows, report };
  }
  for (const [paperId, value] of Object.entries(data as Record<string, unknown>)) {
    if (!ARXIV_ID.test(paperId)) {
      report.rejected.push({ paperId, reason: 'not an arXiv id without version (e.g. 2511.10593)' });
      continue;
    }
    if (typeof value !== 'object' || value === null) {
      report.rejected.push({ paperId, reason: 'expected an object with title_zh_raw / abstract_zh' });
      continue;
    }
    const entry = value as RecordedTranslation;
    const rawTitle = entry.title_zh_raw ?? entry.title_zh;
    const rawAbstract = entry.abstract_zh_raw ?? entry.abstract_zh;
    const title = typeof rawTitle === 'string' ? cleanTitleZh(rawTitle) : null;
    const abstract = typeof rawAbstract === 'string' ? cleanAbstractZh(rawAbstract) : null;
    const removed = [...(title?.removed ?? []), ...(abstract?.removed ?? [])];
    if (removed.length > 0) report.cleaned.push({ paperId, removed });
    if (!title?.text && !abstract?.text) {
      report.rejected.push({ paperId, reason: 'no usable Chinese title or abstract after cleaning' });
      continue;
    }
    rows.push({
      paperId,
      version: Number.isInteger(entry.version) && (entry.version as number) > 0 ? (entry.version as number) : 0,
      titleZh: title?.text ?? null,
      abstractZh: abstract?.text ?? null,
      tldrEn: typeof entry.tldr_en === 'string' ? entry.tldr_en.trim() || null : null,
      tldrZh: typeof entry.tldr_zh === 'string' ? cleanTitleZh(entry.tldr_zh).text : null,
    });
    report.imported += 1;
    if (title?.text) report.titles += 1;
    if (abstract?.text) report.abstracts += 1;
  }
  return { rows, report };
}

export async function importTranslations(db: Kysely<Database>, file: string, data: unknown, now: Date) {
  const { rows, report } = parseRecordedTranslations(data);
  for (const row of rows) {
    await saveTranslation(db, {
      ...row,
      model: `import:${basename(file)}`,
      promptVersion: 'recorded',
      problems: [],
      createdAt: now.toISOString(),
    });
  }
  return report;
}
