import type { Kysely } from 'kysely';
import type { Logger } from '../log/logger.ts';
import { findCachedIds } from '../store/translation-cache.ts';
import type { Database } from '../store/schema.ts';
import { saveTranslation } from '../store/translations.ts';
import type { Paper } from '../types.ts';
import { buildBatchPrompt, buildStrictPrompt, promptVersionOf, type PromptSettings } from './build-prompt.ts';
import { NO_SUMMARY, summaryText, swappedDrops, type SummaryDrop, type SummaryInput } from './check-summary.ts';
import {
  checkTranslation,
  findSwaps,
  hasSummary,
  mergeFields,
  NO_FIELDS,
  type TranslationCheck,
  type TranslationFields,
} from './check-translation.ts';
import { limitConcurrency } from './limit-concurrency.ts';
import { matchReply, parseReply } from './parse-reply.ts';
import { countSummary, emptyTranslationReport, estimateCost, type TokenPrices, type TranslationReport } from './translation-report.ts';
import { TranslatorError, type ChatReply, type ChatRequest, type Translator } from './translator.ts';

// The translate stage: cache lookup → batches → requests (at most `concurrency` at once) → clean and check every
// item → papers that failed are asked again one by one with a stricter instruction → save. Each paper is stored
// as soon as it is final, so an interrupted run keeps what it paid for. A paper whose fields were rejected twice is
// stored with those fields empty (the mail shows the marker; a re-run does not pay for it again, --retranslate
// does); a paper the provider never answered is not stored, so the next run tries it again. TL;DRs and key points
// come in the same reply; an item that fails its checks is dropped and counted, never a reason to ask again.

export interface TranslateSettings extends PromptSettings {
  batchSize: number;
  concurrency: number;
  prices: TokenPrices;
}

export interface TranslateOptions {
  /** Translate even papers already cached for this model and prompt. */
  retranslate?: boolean | undefined;
  now: Date;
  onProgress?: ((done: number, total: number) => void) | undefined;
  log?: Logger | undefined;
}

interface FirstPass {
  paper: Paper;
  check: TranslationCheck;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function complete(fields: TranslationFields): boolean {
  return Boolean(fields.titleZh && fields.abstractZh);
}

interface SummaryOutcome {
  offered: number;
  drops: SummaryDrop[];
}

function missingCheck(why: string): TranslationCheck {
  return { fields: NO_FIELDS, problems: [why], notes: [], removed: [], summaryDrops: [], summaryOffered: 0 };
}

export async function translatePapers(
  db: Kysely<Database>,
  papers: readonly Paper[],
  translator: Translator,
  settings: TranslateSettings,
  options: TranslateOptions,
): Promise<TranslationReport> {
  const started = Date.now();
  const promptVersion = promptVersionOf(settings);
  const report: TranslationReport = {
    ...emptyTranslationReport(),
    provider: `${translator.model} at ${translator.endpoint}`,
    promptVersion,
  };
  const unique = [...new Map(papers.map((p) => [p.id, p])).values()];
  report.papers = unique.length;
  const cached = options.retranslate
    ? new Set<string>()
    : await findCachedIds(db, unique, { model: translator.model, promptVersion });
  report.cached = unique.filter((p) => cached.has(p.id)).length;
  const todo = unique.filter((p) => !cached.has(p.id));
  const batches = chunk(todo, settings.batchSize);
  if (todo.length > 0) {
    options.log?.info(
      `translating ${todo.length} papers with ${translator.model} in ${batches.length} request${batches.length > 1 ? 's' : ''} (${report.cached} cached)`,
    );
  }

  let done = 0;
  const progress = (n: number) => {
    done += n;
    options.onProgress?.(done, todo.length);
  };
  const limit = limitConcurrency(settings.concurrency);

  const ask = async (request: ChatRequest): Promise<ChatReply | TranslatorError> => {
    try {
      const reply = await translator.complete(request);
      report.requests += reply.attempts;
      report.retriedRequests += reply.attempts - 1;
      report.tokensIn += reply.tokensIn;
      report.tokensOut += reply.tokensOut;
      options.log?.debug(`translation request answered: ${reply.attempts} attempt(s), ${reply.tokensIn} tokens in, ${reply.tokensOut} out`);
      return reply;
    } catch (error) {
      const failure = error instanceof TranslatorError ? error : new TranslatorError((error as Error)?.message ?? String(error), 1, { cause: error });
      report.requests += failure.attempts;
      report.retriedRequests += Math.max(0, failure.attempts - 1);
      report.errors.push(failure.message);
      return failure;
    }
  };

  const save = async (paper: Paper, fields: TranslationFields, problems: string[], summary: SummaryOutcome) => {
    await saveTranslation(db, {
      paperId: paper.id,
      version: paper.version,
      model: translator.model,
      promptVersion,
      ...fields,
      problems,
      createdAt: options.now.toISOString(),
    });
    if (complete(fields)) report.translated += 1;
    else report.incomplete += 1;
    countSummary(report.summaries, paper.id, summary.offered, summary.drops, hasSummary(fields));
    if (problems.length > 0) report.problems.push({ paperId: paper.id, problems });
    progress(1);
  };

  const retryAlone = async ({ paper, check }: FirstPass) => {
    report.strictRetries += 1;
    const reply = await ask(buildStrictPrompt(paper, settings, check.problems));
    if (reply instanceof TranslatorError) {
      report.failed += 1;
      progress(1);
      return;
    }
    const matched = matchReply([paper.id], parseReply(reply.content));
    const item = matched.byId.get(paper.id);
    const second = item ? checkTranslation(paper, item, settings) : missingCheck(matched.missing.get(paper.id) ?? 'missing from the answer');
    const fields = mergeFields(check.fields, second.fields);
    // What is still wrong after both tries, field by field, in the words of the last try.
    const field = (p: string) => p.split(':')[0] ?? '';
    const unresolved = second.problems.filter((p) => {
      const name = field(p);
      if (name === 'title') return fields.titleZh === null;
      if (name === 'abstract') return fields.abstractZh === null;
      return !complete(fields);
    });
    const notes = item ? second.notes : check.notes;
    const used = hasSummary(check.fields) || !hasSummary(second.fields) ? check : second;
    await save(paper, fields, [...unresolved, ...notes], { offered: used.summaryOffered, drops: used.summaryDrops });
  };

  const retries: Array<Promise<void>> = [];
  const translateBatch = async (batch: Paper[]) => {
    const reply = await ask(buildBatchPrompt(batch, settings));
    if (reply instanceof TranslatorError) {
      report.failed += batch.length;
      progress(batch.length);
      return;
    }
    const parsed = parseReply(reply.content);
    const matched = matchReply(
      batch.map((p) => p.id),
      parsed,
    );
    const truncated = reply.finishReason === 'length' ? ' (answer cut off at the token limit)' : '';
    if (parsed.salvaged || matched.stray.length > 0) {
      const stray = matched.stray.length > 0 ? `; ids never asked for: ${matched.stray.join(', ')}` : '';
      options.log?.warn(`translation reply for ${batch[0]?.id ?? ''}…: ${parsed.problems.join('; ')}${stray}${truncated}`);
    }
    const checks = new Map<string, TranslationCheck>();
    for (const paper of batch) {
      const item = matched.byId.get(paper.id);
      checks.set(
        paper.id,
        item ? checkTranslation(paper, item, settings) : missingCheck(`${matched.missing.get(paper.id) ?? 'missing from the answer'}${truncated}`),
      );
    }
    // A summary about another paper of the batch: its names and numbers match that paper's English better than its
    // own. Most such items also fail the number and name checks; this catches the rest and counts them as swaps.
    if (settings.summaries || settings.analysis) {
      // Only what was asked for was checked and counted as offered.
      const offeredOf = (id: string): SummaryInput => {
        const item = matched.byId.get(id);
        if (!item) return {};
        return {
          ...(settings.summaries ? { tldrEn: item.tldrEn, tldrZh: item.tldrZh, pointsEn: item.pointsEn, pointsZh: item.pointsZh } : {}),
          analysis: settings.analysis ? item.analysis : undefined,
        };
      };
      const summaries = new Map(batch.map((p) => [p.id, { titleZh: null, abstractZh: summaryText(offeredOf(p.id)) || null }]));
      for (const [id, why] of findSwaps(batch, summaries)) {
        const check = checks.get(id);
        if (check) {
          const drops = swappedDrops(offeredOf(id), `summary ${why.replace(/^the Chinese /u, '')}`);
          checks.set(id, { ...check, fields: { ...check.fields, ...NO_SUMMARY, analysis: null }, summaryDrops: drops });
        }
      }
    }
    const swaps = findSwaps(batch, new Map([...checks].map(([id, c]) => [id, c.fields])));
    for (const [id, why] of swaps) {
      const check = checks.get(id);
      // Nothing of a mixed-up item is kept: its title may be right and its abstract another paper's.
      if (check) checks.set(id, { ...check, fields: { ...NO_FIELDS }, problems: [...check.problems, why], summaryDrops: [], summaryOffered: 0 });
    }
    for (const paper of batch) {
      const check = checks.get(paper.id);
      if (!check) continue;
      if (check.problems.length === 0) {
        await save(paper, check.fields, check.notes, { offered: check.summaryOffered, drops: check.summaryDrops });
      } else {
        retries.push(limit(() => retryAlone({ paper, check })));
      }
    }
  };

  await Promise.all(batches.map((batch) => limit(() => translateBatch(batch))));
  await Promise.all(retries);

  report.cost = estimateCost(report.tokensIn, report.tokensOut, settings.prices);
  report.durationMs = Date.now() - started;
  return report;
}
