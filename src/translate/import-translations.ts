import { basename } from 'node:path';
import type { Kysely } from 'kysely';
import { DEFAULT_GLOSSARY } from '../config/default-glossary.ts';
import { chunkRows } from '../store/chunk-rows.ts';
import type { Database } from '../store/schema.ts';
import { saveTranslation, type PaperAnalysis } from '../store/translations.ts';
import { checkAnalysis, checkSummary, type SummarySource } from './check-summary.ts';
import { cleanAbstractZh, cleanTitleZh } from './clean-translation.ts';
import { applyVariantRules, variantRulesFor, type Glossary } from './normalize-glossary.ts';

// Recorded translator replies (shaped like test/fixtures/zh-2025-11-14.json) go through the same cleaning as live
// ones: the raw titles carry the model's own notes ("（注：…）", "这个翻译采用了以下专业处理方式：…"). TL;DRs, key
// points and analyses pass the checks of live replies (check-summary.ts) against the paper's title and abstract
// when the paper is already stored; otherwise the checks that need the paper run when it is used
// (chineseForPapers), and an item failing them is simply not shown.

export interface AnalysisEntry {
  problem?: { en?: string; zh?: string };
  method?: { en?: string; zh?: string };
  results?: { en?: string; zh?: string };
  limitations?: { en?: string; zh?: string };
}

export interface RecordedTranslation {
  title_zh_raw?: string;
  title_zh?: string;
  abstract_zh?: string;
  abstract_zh_raw?: string;
  tldr_en?: string;
  tldr_zh?: string;
  points_en?: string[];
  points_zh?: string[];
  analysis?: AnalysisEntry;
  version?: number;
}

export interface TranslationImportReport {
  imported: number;
  titles: number;
  abstracts: number;
  /** Entries with at least one TL;DR or key point kept. */
  summaries: number;
  /** Entries with at least one analysis part kept. */
  analyses: number;
  /** Notes, prefixes and markup removed by cleaning, per paper. */
  cleaned: Array<{ paperId: string; removed: string[] }>;
  /** Whole entries left out. */
  rejected: Array<{ paperId: string; reason: string }>;
  /** Single TL;DR, point or analysis items left out, e.g. `points_zh[2]: number: 93.1 is not in the abstract`. */
  dropped: Array<{ paperId: string; item: string; reason: string }>;
}

export interface ImportedRow {
  paperId: string;
  version: number;
  titleZh: string | null;
  abstractZh: string | null;
  tldrEn: string | null;
  tldrZh: string | null;
  pointsEn: string[] | null;
  pointsZh: string[] | null;
  analysis: PaperAnalysis | null;
}

export interface ImportOptions {
  /** The English of papers already stored, by id: summaries are checked against it and the glossary applied. */
  papers?: ReadonlyMap<string, SummarySource> | undefined;
  glossary?: Glossary | undefined;
}

const ARXIV_ID = /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})$/;
const SUMMARY_KEYS = ['tldr_en', 'tldr_zh', 'points_en', 'points_zh', 'analysis'] as const;

/** Pure: validates and cleans the file's entries. */
export function parseRecordedTranslations(data: unknown, options: ImportOptions = {}) {
  const report: TranslationImportReport = {
    imported: 0,
    titles: 0,
    abstracts: 0,
    summaries: 0,
    analyses: 0,
    cleaned: [],
    rejected: [],
    dropped: [],
  };
  const rows: ImportedRow[] = [];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    report.rejected.push({ paperId: '(file)', reason: 'expected a JSON object keyed by arXiv id' });
    return { rows, report };
  }
  for (const [paperId, value] of Object.entries(data as Record<string, unknown>)) {
    if (!ARXIV_ID.test(paperId)) {
      report.rejected.push({ paperId, reason: 'not an arXiv id without version (e.g. 2511.10593)' });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      report.rejected.push({ paperId, reason: 'expected an object with title_zh_raw / abstract_zh / tldr_zh / points_zh …' });
      continue;
    }
    const entry = value as RecordedTranslation;
    const paper = options.papers?.get(paperId) ?? null;
    // The glossary's variants are replaced only where the paper's English is known to use the term.
    const rules = paper && options.glossary ? variantRulesFor(options.glossary, `${paper.title}\n${paper.abstract}`) : [];
    const rawTitle = entry.title_zh_raw ?? entry.title_zh;
    const rawAbstract = entry.abstract_zh_raw ?? entry.abstract_zh;
    const title = typeof rawTitle === 'string' ? cleanTitleZh(rawTitle) : null;
    const abstract = typeof rawAbstract === 'string' ? cleanAbstractZh(rawAbstract) : null;
    const removed = [...(title?.removed ?? []), ...(abstract?.removed ?? [])];
    if (removed.length > 0) report.cleaned.push({ paperId, removed });

    const summary = checkSummary(
      paper,
      { tldrEn: entry.tldr_en, tldrZh: entry.tldr_zh, pointsEn: entry.points_en, pointsZh: entry.points_zh },
      rules,
    );
    const analysis = checkAnalysis(paper, entry.analysis, rules);
    for (const drop of [...summary.drops, ...analysis.drops]) {
      report.dropped.push({ paperId, item: drop.item, reason: `${drop.check}: ${drop.detail}` });
    }
    const { tldrEn, tldrZh, pointsEn, pointsZh } = summary.fields;
    const hasSummary = Boolean(tldrEn || tldrZh || pointsEn.length > 0 || pointsZh.length > 0);

    if (!title?.text && !abstract?.text && !hasSummary && !analysis.analysis) {
      const offered = SUMMARY_KEYS.some((key) => entry[key] !== undefined);
      report.rejected.push({
        paperId,
        reason: offered
          ? 'nothing usable: no Chinese title or abstract after cleaning, and every TL;DR, point and analysis item failed its checks'
          : 'no usable Chinese title or abstract after cleaning',
      });
      continue;
    }
    const canonical = (text: string | null | undefined) => (text ? applyVariantRules(text, rules) : null);
    rows.push({
      paperId,
      version: Number.isInteger(entry.version) && (entry.version as number) > 0 ? (entry.version as number) : 0,
      titleZh: canonical(title?.text),
      abstractZh: canonical(abstract?.text),
      tldrEn,
      tldrZh,
      pointsEn: pointsEn.length > 0 ? pointsEn : null,
      pointsZh: pointsZh.length > 0 ? pointsZh : null,
      analysis: analysis.analysis,
    });
    report.imported += 1;
    if (title?.text) report.titles += 1;
    if (abstract?.text) report.abstracts += 1;
    if (hasSummary) report.summaries += 1;
    if (analysis.analysis) report.analyses += 1;
  }
  return { rows, report };
}

/** The stored English of the papers a file names (those not stored yet are absent). */
async function storedPapers(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, SummarySource>> {
  const found = new Map<string, SummarySource>();
  for (const chunk of chunkRows([...new Set(ids)])) {
    const rows = await db.selectFrom('papers').select(['id', 'title', 'abstract']).where('id', 'in', chunk).execute();
    for (const row of rows) found.set(row.id, { title: row.title, abstract: row.abstract });
  }
  return found;
}

export async function importTranslations(
  db: Kysely<Database>,
  file: string,
  data: unknown,
  now: Date,
  options: { glossary?: Glossary | undefined } = {},
) {
  const ids = typeof data === 'object' && data !== null && !Array.isArray(data) ? Object.keys(data).filter((id) => ARXIV_ID.test(id)) : [];
  const papers = await storedPapers(db, ids);
  const { rows, report } = parseRecordedTranslations(data, { papers, glossary: options.glossary ?? DEFAULT_GLOSSARY });
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
