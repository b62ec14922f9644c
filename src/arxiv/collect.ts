// Reads and parses several feeds and merges their papers; one feed failing never loses the others.
import { FeedError } from '../errors.ts';
import type { AnnounceType, ISODate, Paper } from '../types.ts';
import { type FeedItemProblem, parseFeed } from './parse-feed.ts';

export interface CollectedFeed {
  source: string;
  title: string;
  batchDate: ISODate | null;
  /** Papers in this feed after its own de-duplication. */
  count: number;
  duplicates: number;
  problems: FeedItemProblem[];
  /** This feed's papers, so a caller can drop a stale feed without losing the current ones. */
  papers: Paper[];
}

export interface CollectFailure {
  source: string;
  error: FeedError;
}

/** Feeds that carry the same batch date; more than one group means the feeds disagree. */
export interface DateGroup {
  batchDate: ISODate;
  sources: string[];
}

export interface CollectResult {
  feeds: CollectedFeed[];
  failures: CollectFailure[];
  /** Papers of all feeds, each id once. */
  papers: Paper[];
  /** The date every dated feed carries; null when none is dated or when they disagree (see dateConflicts). */
  batchDate: ISODate | null;
  /** Empty when the dated feeds agree; otherwise one group per date, latest first. */
  dateConflicts: DateGroup[];
  /** Papers that appeared in more than one feed. */
  crossFeedDuplicates: number;
}

// Labels are relative to each feed's category set; the best one is the label relative to their union
// (a cs.CL paper cross-listed to cs.AI is `cross` in rss/cs.AI but `new` in rss/cs.CL).
const LABEL_RANK: Readonly<Record<AnnounceType, number>> = { new: 0, cross: 1, replace: 2, 'replace-cross': 3 };

function merge(kept: Paper, other: Paper): Paper {
  const newer = other.version > kept.version ? other : kept;
  const label = LABEL_RANK[other.announceType] < LABEL_RANK[kept.announceType] ? other.announceType : kept.announceType;
  return newer.announceType === label ? newer : { ...newer, announceType: label };
}

function asFeedError(source: string, err: unknown): FeedError {
  if (err instanceof FeedError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new FeedError(source, `could not be read: ${message}`, { cause: err });
}

/**
 * Reads every source (one at a time: arXiv asks for a single connection, and the RSS falls under the same terms
 * as the API), parses them, and merges the papers. Failures are returned, never thrown.
 */
export async function collectFeeds(
  sources: string[],
  read: (source: string) => Promise<string>,
): Promise<CollectResult> {
  let previous: Promise<unknown> = Promise.resolve();
  const tasks = sources.map((source) => {
    const text = previous.then(() => read(source));
    previous = text.catch(() => undefined);
    return text.then((xml) => parseFeed(xml, source));
  });
  const settled = await Promise.allSettled(tasks);

  const feeds: CollectedFeed[] = [];
  const failures: CollectFailure[] = [];
  const byId = new Map<string, Paper>();
  let crossFeedDuplicates = 0;
  settled.forEach((outcome, i) => {
    const source = sources[i]!;
    if (outcome.status === 'rejected') {
      failures.push({ source, error: asFeedError(source, outcome.reason) });
      return;
    }
    const feed = outcome.value;
    feeds.push({
      source,
      title: feed.title,
      batchDate: feed.batchDate,
      count: feed.papers.length,
      duplicates: feed.duplicates,
      problems: feed.problems,
      papers: feed.papers,
    });
    for (const paper of feed.papers) {
      const kept = byId.get(paper.id);
      if (kept === undefined) byId.set(paper.id, paper);
      else {
        crossFeedDuplicates++;
        byId.set(paper.id, merge(kept, paper));
      }
    }
  });

  // arXiv's own order: new, cross, replace, replace-cross; first appearance within a label.
  const papers = [...byId.values()]
    .map((paper, order) => ({ paper, order }))
    .sort((a, b) => LABEL_RANK[a.paper.announceType] - LABEL_RANK[b.paper.announceType] || a.order - b.order)
    .map(({ paper }) => paper);

  const groups = new Map<ISODate, string[]>();
  for (const feed of feeds) {
    if (feed.batchDate === null) continue;
    groups.set(feed.batchDate, [...(groups.get(feed.batchDate) ?? []), feed.source]);
  }
  const dated = [...groups.entries()]
    .map(([batchDate, srcs]) => ({ batchDate, sources: srcs }))
    .sort((a, b) => b.batchDate.localeCompare(a.batchDate));
  const batchDate = dated.length === 1 ? dated[0]!.batchDate : null;

  return {
    feeds,
    failures,
    papers,
    batchDate,
    dateConflicts: dated.length > 1 ? dated : [],
    crossFeedDuplicates,
  };
}
