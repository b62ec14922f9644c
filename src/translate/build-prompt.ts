import { createHash } from 'node:crypto';
import { SUMMARY_LIMITS } from './check-summary.ts';
import { glossaryPattern, renderingOf, type Glossary } from './normalize-glossary.ts';

export { glossaryPattern, type Glossary } from './normalize-glossary.ts';

// The translation prompt, as data. Its version is part of the cache key: editing the wording below means bumping
// PROMPT_TEMPLATE_VERSION, and the glossary and the summaries switch are hashed into the version, so any change makes
// new runs translate again while the translations already stored (and mailed) stay as they were.

// zh2: TL;DR and key points (issue 11) replace the TL;DR of zh1.
export const PROMPT_TEMPLATE_VERSION = 'zh2';

export interface PromptSettings {
  glossary: Glossary;
  /** Ask for a one-sentence TL;DR and 3 key points in both languages (translation.summaries). */
  summaries: boolean;
  /** Also ask for the analysis: problem, method, results, limitations, each in both languages (translation.analysis). */
  analysis?: boolean | undefined;
}

/** What the model is given for one paper (the id is echoed back and checked). */
export interface PromptPaper {
  id: string;
  title: string;
  abstract: string;
}

export interface ChatPrompt {
  system: string;
  /** A JSON object `{ "papers": [{ id, title, abstract }] }`, nothing else. */
  user: string;
}

/** `zh1.3fa2c1d0`: the template version plus a hash of everything else that shapes the output. */
export function promptVersionOf(settings: PromptSettings): string {
  const glossary = Object.entries(settings.glossary)
    // Only the renderings shape the answer; the variants are replaced afterwards, so editing them costs no new
    // translations.
    .map(([en, entry]) => [en.trim().toLowerCase(), renderingOf(entry).trim()])
    .sort(([a = ''], [b = '']) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256')
    .update(JSON.stringify({ template: PROMPT_TEMPLATE_VERSION, glossary, summaries: settings.summaries, analysis: settings.analysis === true }))
    .digest('hex');
  return `${PROMPT_TEMPLATE_VERSION}.${hash.slice(0, 8)}`;
}

/** The glossary entries that occur in the given English texts (so a prompt carries only the terms it needs). */
export function glossaryFor(glossary: Glossary, texts: readonly string[]): Array<[string, string]> {
  return Object.entries(glossary)
    .filter(([en]) => texts.some((text) => glossaryPattern(en).test(text)))
    .map(([en, entry]) => [en, renderingOf(entry)]);
}

function rules(settings: PromptSettings, papers: readonly PromptPaper[]): string[] {
  const terms = glossaryFor(
    settings.glossary,
    papers.flatMap((p) => [p.title, p.abstract]),
  );
  const summaryFields = settings.summaries
    ? ', "tldr_en": "…", "tldr_zh": "…", "points_en": ["…", "…", "…"], "points_zh": ["…", "…", "…"]'
    : '';
  const analysisFields = settings.analysis
    ? ', "analysis": {"problem": {"en": "…", "zh": "…"}, "method": {"en": "…", "zh": "…"}, "results": {"en": "…", "zh": "…"}, "limitations": {"en": "…", "zh": "…"}}'
    : '';
  const fields = `{"id": "<id copied from the input>", "title_zh": "…", "abstract_zh": "…"${summaryFields}${analysisFields}}`;
  const lines = [
    'You translate arXiv paper titles and abstracts from English into Simplified Chinese for Chinese researchers.',
    '',
    'Rules:',
    '- Faithful, fluent academic Chinese that reads as if written in Chinese. Translate every sentence; add nothing, leave nothing out.',
    '- No notes, explanations, alternatives, translator comments, quotation marks around the title, or markdown in any field.',
    '- Copy exactly as written: TeX math between $…$ (every $…$ span, character for character), names of models, methods, datasets and benchmarks (e.g. GPT-4o, ImageNet, LoRA), acronyms, numbers, units, URLs and code.',
    '- Use Chinese full-width punctuation (，。：；（）) in Chinese text.',
  ];
  if (terms.length > 0) {
    lines.push('- Use these renderings every time the term occurs (plural forms too):');
    for (const [en, zh] of terms) lines.push(`  ${en} → ${zh}`);
  }
  if (settings.summaries) {
    lines.push(
      `- "tldr_en": one plain English sentence (at most ${SUMMARY_LIMITS.tldr.words - 10} words) saying what the paper does and what it finds; a summary, not a copy of the first sentence. "tldr_zh": that sentence in Chinese.`,
      `- "points_en": exactly 3 key points, one short sentence each (at most ${SUMMARY_LIMITS.point.words - 10} words): 1. the method; 2. the main result, with its numbers; 3. what is new or what it enables. "points_zh": the same 3 points in Chinese, in the same order.`,
    );
  }
  if (settings.analysis) {
    lines.push(
      `- "analysis": one or two short sentences each (at most ${SUMMARY_LIMITS.analysis.words - 20} words), in English ("en") and Chinese ("zh"): "problem" (what problem the paper addresses), "method" (how), "results" (what it finds, with its numbers), "limitations" (what is left open; if the abstract names none, what it does not show).`,
    );
  }
  if (settings.summaries || settings.analysis) {
    lines.push(
      "- TL;DR, points and analysis use only this paper's own abstract: every number, percentage, $…$ span and model or dataset name copied exactly as the abstract writes it, never a figure or name the abstract does not contain. Plain sentences: no numbering, bullets, markdown or notes.",
    );
  }
  lines.push(
    '',
    'The input is a JSON object {"papers": [{"id", "title", "abstract"}]}.',
    `Answer with one JSON object and nothing else: {"papers": [${fields}]}, one entry per input paper, in the input order, each "id" copied exactly from the input.`,
  );
  return lines;
}

/** The request for a batch of papers. */
export function buildBatchPrompt(papers: readonly PromptPaper[], settings: PromptSettings): ChatPrompt {
  return {
    system: rules(settings, papers).join('\n'),
    user: JSON.stringify({ papers: papers.map((p) => ({ id: p.id, title: p.title, abstract: p.abstract })) }),
  };
}

/**
 * The second and last try for one paper whose first translation was rejected: the same rules, plus what was wrong
 * with the first answer, stated as instructions.
 */
export function buildStrictPrompt(paper: PromptPaper, settings: PromptSettings, rejected: readonly string[]): ChatPrompt {
  const base = buildBatchPrompt([paper], settings);
  const why = rejected.length > 0 ? rejected.map((p) => `  - ${p}`).join('\n') : '  - the paper was missing from the answer';
  const system = [
    base.system,
    '',
    'IMPORTANT: a previous answer for this paper was rejected because:',
    why,
    'This time: every sentence in Chinese (no English sentence left untranslated), every $…$ span copied unchanged,',
    'the title on one line with nothing after it, no note or comment anywhere, and only the JSON object in the answer.',
  ].join('\n');
  return { system, user: base.user };
}
