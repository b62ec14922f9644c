// The I/O edge of the collect stage: download a feed (or read a saved one) as text. Parsing is elsewhere.
import { readFile } from 'node:fs/promises';
import { ConfigError, FeedError } from '../errors.ts';
import { parseRetryAfter } from '../net/retry-after.ts';

export interface FetchFeedOptions {
  /** Per attempt, covering the body as well as the headers. */
  timeoutMs: number;
  /** Extra attempts after the first one. */
  retries: number;
  /** Names paperboy and a contact, as arXiv asks of automated clients. */
  userAgent: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter source. */
  random?: () => number;
  /** For `Retry-After` given as an HTTP date. */
  now?: () => number;
  /** First backoff ceiling; doubles per attempt. Default 1 s. */
  baseDelayMs?: number;
  /** No wait is longer, not even one a server asks for. Default 60 s. */
  maxDelayMs?: number;
}

const DEFAULT_BASE_DELAY_MS = 1_000;
const DEFAULT_MAX_DELAY_MS = 60_000;
const FEED_ERROR_MARK = 'Feed error for query';

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function describeNetworkError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
    // undici hides the useful part (ECONNREFUSED, ENOTFOUND …) in `cause`.
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}

function feedErrorTitle(body: string): string | null {
  const m = /<title[^>]*>\s*(Feed error for query[^<]*)<\/title>/.exec(body);
  if (m) return m[1]!.trim();
  return body.includes(FEED_ERROR_MARK) ? FEED_ERROR_MARK : null;
}

/**
 * Downloads a feed. Network errors, timeouts, 408, 429 and 5xx are retried with exponential backoff and full
 * jitter (or the server's `Retry-After`), each wait capped; other 4xx are final. A 400 "Feed error for query"
 * means the category list is wrong, which no retry fixes.
 */
export async function fetchFeedText(url: string, opts: FetchFeedOptions): Promise<string> {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const base = opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const cap = opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const attempts = Math.max(0, Math.floor(opts.retries)) + 1;

  let lastProblem = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    let retryAfterMs: number | null = null;
    let lastCause: unknown;
    try {
      const response = await doFetch(url, {
        headers: {
          'User-Agent': opts.userAgent,
          Accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1',
        },
        redirect: 'follow',
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      // Read the body under the same signal: a stalled body is as much a timeout as stalled headers.
      const body = await response.text();
      if (response.ok) return body;

      const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      const rejected = feedErrorTitle(body);
      if (rejected !== null && response.status >= 400 && response.status < 500) {
        throw new FeedError(
          url,
          `arXiv rejected the category list (${status}, "${rejected}"); check the categories of the configured domains`,
        );
      }
      const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
      if (!retryable) throw new FeedError(url, `${status}; not retried`);
      lastProblem = status;
      // Strict: a garbled value falls back to the jittered backoff (see net/retry-after.ts).
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now(), 'strict');
    } catch (err) {
      if (err instanceof FeedError) throw err;
      lastProblem = describeNetworkError(err, opts.timeoutMs);
      lastCause = err;
    }
    if (attempt === attempts - 1) {
      throw new FeedError(
        url,
        `${lastProblem} (gave up after ${attempts} attempt${attempts > 1 ? 's' : ''})`,
        lastCause === undefined ? undefined : { cause: lastCause },
      );
    }
    const backoff = random() * Math.min(cap, base * 2 ** attempt);
    await sleep(Math.min(cap, retryAfterMs ?? backoff));
  }
  // Unreachable: the loop returns or throws on its last attempt.
  throw new FeedError(url, lastProblem);
}

/** A URL is downloaded, anything else is read as a saved feed file. */
export async function readFeedSource(source: string, opts: FetchFeedOptions): Promise<string> {
  if (/^https?:\/\//i.test(source)) return fetchFeedText(source, opts);
  try {
    return await readFile(source, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? `no such feed file: ${source}`
        : code === 'EISDIR'
          ? `is a directory, not a feed file: ${source}`
          : `cannot read the feed file ${source} (${(err as Error).message})`;
    throw new FeedError(source, reason, { cause: err });
  }
}

// `physics.optics`, `cs.AI`, `hep-th`, `astro-ph.CO`, `q-bio.NC`.
const CATEGORY = /^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$/;

/** One feed URL for the union of categories, e.g. `https://rss.arxiv.org/rss/cs.AI+cs.CL`. */
export function buildFeedUrl(
  categories: readonly string[],
  format: 'rss' | 'atom',
  base = 'https://rss.arxiv.org',
): string {
  const unique = [...new Set(categories.map((c) => c.trim()))].filter((c) => c !== '').sort();
  if (unique.length === 0) {
    throw new ConfigError('no arXiv category to fetch: give at least one domain a category list');
  }
  const bad = unique.filter((c) => !CATEGORY.test(c));
  if (bad.length > 0) {
    throw new ConfigError(
      `not an arXiv category: ${bad.map((c) => JSON.stringify(c)).join(', ')}`,
      bad.map((c) => `domains.categories: ${JSON.stringify(c)} is not an arXiv category like "cs.AI"`),
    );
  }
  return `${base.replace(/\/+$/, '')}/${format}/${unique.join('+')}`;
}

/**
 * The feeds a run reads when it is given none: one rss.arxiv.org URL for the union of the domains' categories.
 * Takes the two parts of the config it reads (run-issue.ts and schedule/probe-batch.ts pass the whole config).
 */
export function feedSourcesOf(config: {
  domains: ReadonlyArray<{ categories: readonly string[] }>;
  arxiv: { format: 'rss' | 'atom'; baseUrl: string };
}): string[] {
  const categories = [...new Set(config.domains.flatMap((d) => d.categories))];
  return [buildFeedUrl(categories, config.arxiv.format, config.arxiv.baseUrl)];
}
