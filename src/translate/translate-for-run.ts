import type { Kysely } from 'kysely';
import type { Logger } from '../log/logger.ts';
import type { Database } from '../store/schema.ts';
import type { ChineseText, Paper } from '../types.ts';
import { promptVersionOf } from './build-prompt.ts';
import { chineseForPapers } from './chinese-for-papers.ts';
import { translatePapers, type TranslateSettings } from './translate-papers.ts';
import { emptyTranslationReport, type TranslationReport } from './translation-report.ts';
import type { Translator } from './translator.ts';

// The translate step of `paperboy run`, after selection: translate what some reader will receive (when a provider
// is configured), then read back, for every such paper, the Chinese the mail will show.

export interface TranslationSetup {
  /** null: no provider configured; stored and imported translations only. */
  translator: Translator | null;
  /** Why there is no translator, said once in the run report. */
  missing?: string | undefined;
  settings: TranslateSettings;
  retranslate?: boolean | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

export const NO_PROVIDER_NOTE =
  'no provider configured (set LLM_BASE_URL, LLM_MODEL and LLM_API_KEY; see README "Translation"): stored translations only, the rest show 译文暂缺';

export async function chineseForRun(
  db: Kysely<Database>,
  papers: Paper[],
  setup: TranslationSetup | undefined,
  now: Date,
  log: Logger,
): Promise<{ chinese: Map<string, ChineseText>; report: TranslationReport }> {
  // Stored or imported summaries show unless translation.summaries is off.
  const summaries = setup?.settings.summaries ?? true;
  const glossary = setup?.settings.glossary;
  if (!setup?.translator) {
    const ignored = setup?.retranslate ? ' (--retranslate has nothing to do)' : '';
    const report = { ...emptyTranslationReport(), papers: papers.length, note: `${setup?.missing ?? NO_PROVIDER_NOTE}${ignored}` };
    return { chinese: await chineseForPapers(db, papers, { tldr: summaries, glossary }), report };
  }
  const report = await translatePapers(db, papers, setup.translator, setup.settings, {
    retranslate: setup.retranslate,
    now,
    onProgress: setup.onProgress,
    log,
  });
  const prefer = { model: setup.translator.model, promptVersion: promptVersionOf(setup.settings) };
  return { chinese: await chineseForPapers(db, papers, { prefer, tldr: summaries, glossary }), report };
}
