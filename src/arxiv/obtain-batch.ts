import type { Kysely } from 'kysely';
import type { Logger } from '../log/logger.ts';
import { loadBatch, saveBatch } from '../store/batches.ts';
import type { Database } from '../store/schema.ts';
import type { ISODate, Paper } from '../types.ts';
import { checkFeedBatch } from './calendar.ts';
import { collectFeeds } from './collect.ts';

// The read step of a run: the papers of one batch, from the store when the day was collected before, else from the
// feeds (then stored, so the day can be rebuilt). Returns what it did; the run report is built from it upstream.

/** One feed as the run report lists it. */
export interface FeedReport {
  source: string;
  papers: number;
  batchDate: ISODate | null;
  error?: string;
  skippedItems?: number;
}

export interface BatchProblem {
  where: string;
  error: string;
}

export interface ObtainedBatch {
  source: 'feed' | 'stored';
  /** Every feed read (none for a stored batch), in the order they were read, then those that could not be read. */
  feeds: FeedReport[];
  /** Items skipped, feeds not read, stale or empty feeds: in the order they were found. */
  problems: BatchProblem[];
  /** The batch's papers, or null when no feed gave any (then `missing` says why). */
  papers: Paper[] | null;
  /** Where the papers came from: the feeds read now, or those the stored day was collected from. */
  sources: string[];
  missing: string | null;
}

export interface ObtainBatchOptions {
  /** Feeds the caller named; empty or absent: the stored day, else `defaultSources`. */
  feeds?: readonly string[] | undefined;
  defaultSources: readonly string[];
  readFeed: (source: string) => Promise<string>;
  log: Logger;
  /** Stamps the stored batch. */
  now: Date;
}

export async function obtainBatch(db: Kysely<Database>, batchDate: ISODate, options: ObtainBatchOptions): Promise<ObtainedBatch> {
  if (!options.feeds?.length) {
    const stored = await loadBatch(db, batchDate);
    if (stored) {
      options.log.info(`using the stored batch ${batchDate} (${stored.papers.length} papers)`);
      return { source: 'stored', feeds: [], problems: [], papers: stored.papers, missing: null, sources: stored.sources };
    }
  }
  const sources = options.feeds?.length ? [...options.feeds] : [...options.defaultSources];
  options.log.info(`collecting ${sources.length} feed${sources.length > 1 ? 's' : ''}: ${sources.join(', ')}`);
  const collected = await collectFeeds(sources, options.readFeed);
  const feeds: FeedReport[] = [];
  const problems: BatchProblem[] = [];
  for (const feed of collected.feeds) {
    feeds.push({ source: feed.source, papers: feed.count, batchDate: feed.batchDate, skippedItems: feed.problems.length });
    for (const problem of feed.problems) problems.push({ where: `${feed.source} item ${problem.index}`, error: problem.reason });
  }
  for (const failure of collected.failures) {
    options.log.warn(`feed not read: ${failure.error.message}`);
    feeds.push({ source: failure.source, papers: 0, batchDate: null, error: failure.error.message });
    problems.push({ where: failure.source, error: failure.error.message });
  }
  const without = (missing: string): ObtainedBatch => ({ source: 'feed', feeds, problems, papers: null, missing, sources });
  if (collected.feeds.length === 0) return without('no feed could be read');

  // A feed that carries another day's batch is stale: never mail yesterday's papers as today's issue.
  const usable: Paper[] = [];
  const ids = new Set<string>();
  for (const feed of collected.feeds) {
    const check = checkFeedBatch({ batchDate: feed.batchDate, paperCount: feed.count }, batchDate);
    if (check.status === 'stale') {
      const error = `feed carries the batch of ${check.found ?? 'an unknown date'}, not ${batchDate}: stale, not mailed`;
      problems.push({ where: feed.source, error });
      continue;
    }
    if (check.status === 'empty') {
      problems.push({ where: feed.source, error: `feed is empty although ${batchDate} is an announcement day` });
      continue;
    }
    for (const paper of feed.papers) {
      if (!ids.has(paper.id)) {
        ids.add(paper.id);
        usable.push(paper);
      }
    }
  }
  if (usable.length === 0) return without(`no feed carries the batch of ${batchDate}`);
  await saveBatch(db, batchDate, usable, sources, options.now);
  return { source: 'feed', feeds, problems, papers: usable, missing: null, sources };
}
