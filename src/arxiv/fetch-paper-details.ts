// The I/O edge of the details step: ask arXiv's export API for the comment and journal reference of the papers a
// mail will show. arXiv asks for at most one request every three seconds on a single connection, so requests run
// one after another with that gap (retries included), up to 100 ids each. A request that still fails after its
// retries loses only its own papers' details: the step fails soft and says which.
import type { PaperDetails } from './paper-details.ts';
import { fetchFeedText, type FetchFeedOptions } from './fetch-feed.ts';
import { parseApiResponse } from './parse-api-response.ts';

export const ARXIV_API_URL = 'https://export.arxiv.org/api/query';
/** The API takes long id lists, but arXiv's guidance and its URL length keep one request at about 100 ids. */
export const MAX_IDS_PER_REQUEST = 100;
export const MIN_REQUEST_GAP_MS = 3_000;

export interface FetchDetailsOptions extends Omit<FetchFeedOptions, 'baseDelayMs'> {
  apiUrl?: string;
  idsPerRequest?: number;
  /** Least time from the start of one request to the start of the next (retries included). */
  minGapMs?: number;
  /** A monotonic clock in ms, for the gap. Default: performance.now. */
  elapsed?: () => number;
}

export interface DetailsRequestFailure {
  ids: string[];
  reason: string;
}

export interface FetchDetailsResult {
  details: PaperDetails[];
  requests: number;
  /** Requests that failed after their retries; their papers simply have no details. */
  failures: DetailsRequestFailure[];
  /** Entries of good responses that could not be read. */
  problems: string[];
  /** Papers asked for that no response carried. */
  missing: string[];
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function buildApiUrl(apiUrl: string, papers: ReadonlyArray<{ id: string; version: number }>): string {
  const url = new URL(apiUrl);
  url.searchParams.set('id_list', papers.map((p) => `${p.id}v${p.version}`).join(','));
  url.searchParams.set('max_results', String(papers.length));
  return url.toString();
}

export async function fetchPaperDetails(
  papers: ReadonlyArray<{ id: string; version: number }>,
  opts: FetchDetailsOptions,
): Promise<FetchDetailsResult> {
  const apiUrl = opts.apiUrl ?? ARXIV_API_URL;
  const perRequest = Math.min(MAX_IDS_PER_REQUEST, Math.max(1, Math.floor(opts.idsPerRequest ?? MAX_IDS_PER_REQUEST)));
  const minGap = Math.max(0, opts.minGapMs ?? MIN_REQUEST_GAP_MS);
  const sleep = opts.sleep ?? defaultSleep;
  const elapsed = opts.elapsed ?? (() => performance.now());

  const result: FetchDetailsResult = { details: [], requests: 0, failures: [], problems: [], missing: [] };
  let lastStart: number | null = null;
  // Every request, first tries and retries alike, waits until the gap since the previous one has passed.
  const keepGap = async (): Promise<void> => {
    if (lastStart !== null) {
      const wait = lastStart + minGap - elapsed();
      if (wait > 0) await sleep(wait);
    }
    lastStart = elapsed();
    result.requests += 1;
  };
  const gappedFetch: typeof fetch = async (input, init) => {
    await keepGap();
    return (opts.fetch ?? globalThis.fetch)(input, init);
  };

  for (let start = 0; start < papers.length; start += perRequest) {
    const chunk = papers.slice(start, start + perRequest);
    const url = buildApiUrl(apiUrl, chunk);
    try {
      const xml = await fetchFeedText(url, { ...opts, fetch: gappedFetch, sleep, baseDelayMs: minGap });
      const parsed = await parseApiResponse(xml, url);
      const wanted = new Map(chunk.map((p) => [p.id, p.version]));
      const seen = new Set<string>();
      for (const details of parsed.details) {
        // An id the request did not ask for (or another version) is not this paper's comment.
        if (wanted.get(details.id) !== details.version) continue;
        seen.add(details.id);
        result.details.push(details);
      }
      result.problems.push(...parsed.problems);
      result.missing.push(...chunk.filter((p) => !seen.has(p.id)).map((p) => p.id));
    } catch (error) {
      result.failures.push({ ids: chunk.map((p) => p.id), reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}
