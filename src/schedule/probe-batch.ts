// One look at arXiv for the batch a tick waits for: fetch the feed the run would read, check its date against the
// calendar, and (with schedule.listingCheck) hold it against the listing pages. Nothing is stored here; the texts
// read are handed to the run that follows so it does not fetch them again.
import { checkFeedBatch } from '../arxiv/index.ts';
import { collectFeeds } from '../arxiv/index.ts';
import { feedSourcesOf } from '../arxiv/index.ts';
import type { PaperboyConfig } from '../config/schema.ts';
import type { ISODate } from '../types.ts';
import { compareListing, listingUrl, parseListing } from './parse-listing.ts';
import type { ProbeVerdict } from './plan-tick.ts';

export interface ProbeDeps {
  config: PaperboyConfig;
  readFeed: (source: string) => Promise<string>;
  /** Reads a listing page (HTML). */
  readPage: (url: string) => Promise<string>;
}

export interface Probe {
  verdict: ProbeVerdict;
  /** What the fetch found, in one line for the log and the report. */
  summary: string;
  /** Feed texts read, by source. */
  texts: Map<string, string>;
  /** What the listing check found wrong (empty when it agreed or is off). */
  listing: string[];
  /** Why each feed that could not be read failed (a network error, an HTTP status): a warning per fetch. */
  failures: string[];
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function categoriesOf(config: PaperboyConfig): string[] {
  return [...new Set(config.domains.flatMap((d) => d.categories))];
}

/** The listing pages of every category, each compared with the feed; pages that cannot be read are noted, not fatal. */
async function checkListings(deps: ProbeDeps, batchDate: ISODate, feedIds: ReadonlySet<string>) {
  const problems: string[] = [];
  const notes: string[] = [];
  const dates = new Set<ISODate | null>();
  for (const category of categoriesOf(deps.config)) {
    const url = listingUrl(deps.config.schedule.listingBaseUrl, category);
    let html: string;
    try {
      html = await deps.readPage(url);
    } catch (error) {
      notes.push(`${category}: listing page not checked (${errorText(error)})`);
      continue;
    }
    const listing = parseListing(html);
    dates.add(listing.batchDate);
    problems.push(...compareListing(category, listing, batchDate, feedIds));
  }
  return { problems, notes, dates };
}

export async function probeBatch(deps: ProbeDeps, batchDate: ISODate): Promise<Probe> {
  const texts = new Map<string, string>();
  const read = async (source: string) => {
    const text = await deps.readFeed(source);
    texts.set(source, text);
    return text;
  };
  const collected = await collectFeeds(feedSourcesOf(deps.config), read);
  const failures = collected.failures.map((f) => f.error.message);
  if (collected.feeds.length === 0) {
    return { verdict: 'not-yet', summary: `no feed could be read: ${failures.join('; ')}`, texts, listing: [], failures };
  }

  const checks = collected.feeds.map((feed) => ({ feed, check: checkFeedBatch({ batchDate: feed.batchDate, paperCount: feed.count }, batchDate) }));
  const stale = checks.find((c) => c.check.status === 'stale');
  const empty = checks.find((c) => c.check.status === 'empty');
  const listingOn = deps.config.schedule.listingCheck;

  if (stale || empty) {
    const summary = stale
      ? `the feed still carries the batch of ${stale.feed.batchDate ?? 'an unknown date'}, not ${batchDate} (stale)`
      : `the feed is empty although ${batchDate} is an announcement day`;
    if (!listingOn) return { verdict: 'not-yet', summary, texts, listing: [], failures };
    // The listing tells a stale feed (arXiv announced, the feed lags) from a day arXiv skipped (the listing lags too).
    const { dates, notes } = await checkListings(deps, batchDate, new Set());
    const said = dates.has(batchDate)
      ? `; the listing pages show ${batchDate}: arXiv announced it, the feed lags`
      : dates.size > 0
        ? `; the listing pages show ${[...dates].filter(Boolean).join(', ') || 'no date'} too: arXiv may have skipped this announcement (an outage or a holiday missing from arxiv.extraHolidays)`
        : '';
    return { verdict: 'not-yet', summary: `${summary}${said}`, texts, listing: notes, failures };
  }

  const summary = `the feed carries the batch of ${batchDate} (${collected.papers.length} papers)`;
  if (!listingOn) return { verdict: 'current', summary, texts, listing: [], failures };
  const { problems, notes } = await checkListings(deps, batchDate, new Set(collected.papers.map((p) => p.id)));
  if (problems.length > 0) {
    return {
      verdict: 'not-yet',
      summary: `${summary}, but the listing pages disagree: ${problems.join('; ')}`,
      texts,
      listing: [...problems, ...notes],
      failures,
    };
  }
  return { verdict: 'current', summary: `${summary}; the listing pages agree`, texts, listing: notes, failures };
}
