// translate/: the plan step's Chinese text. Takes the papers some reader will see, a Translator (an
// OpenAI-compatible provider, or none) and its settings; translates what the store does not have yet and returns,
// per paper, the Chinese a mail shows (chineseForRun, chineseForPapers) with a TranslationReport. One paper's
// failure is contained in the report; TranslatorError marks a provider failure.
// Must not import: cli/, run-issue.ts, run-wiring.ts, run-report.ts, preview/, schedule/, web/, nor another stage.
export { promptVersionOf } from './build-prompt.ts';
export { chineseForPapers, type ChineseOptions } from './chinese-for-papers.ts';
export type { Glossary } from './normalize-glossary.ts';
export { importTranslations } from './import-translations.ts';
export { createProgressBar } from './progress-bar.ts';
export { chineseForRun, type TranslationSetup } from './translate-for-run.ts';
export { formatTranslationReport, type TranslationReport } from './translation-report.ts';
export { buildTranslationSetup } from './translation-setup.ts';
export { TranslatorError, type Translator } from './translator.ts';
