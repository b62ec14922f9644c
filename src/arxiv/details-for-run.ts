// The details step of a run: for the papers some mail shows, the arXiv comment and journal reference (cached per
// paper version; asked of the export API only for versions not yet cached), read into a code link, a project page
// and a venue per paper. It fails soft: a request that fails costs only its papers' details, and the report says
// so. Papers without details still get the code link their abstract names.
import type { Kysely } from 'kysely';
import type { Logger } from '../log/logger.ts';
import { findStoredDetails, saveDetails } from '../store/paper-details.ts';
import type { Database } from '../store/schema.ts';
import type { Paper, PaperExtras } from '../types.ts';
import { fetchPaperDetails, type FetchDetailsOptions } from './fetch-paper-details.ts';
import { extrasOf } from './paper-details.ts';

export interface DetailsReport {
  /** Papers the step was asked about. */
  papers: number;
  /** Of those, answered from the cache. */
  cached: number;
  /** Of those, answered by the API in this run. */
  fetched: number;
  /** Requests made to the API. */
  requests: number;
  /** Papers whose request failed after its retries (they show what their abstract names). */
  failed: number;
  /** Why the API was not asked at all (switched off, feeds read from files, a dry run); null when it was. */
  skipped: string | null;
  /** Papers with a code link / a venue, however found. */
  withCode: number;
  withVenue: number;
  /** The failed requests' reasons, for the log and the report. */
  problems: string[];
}

export interface DetailsForRunOptions {
  /** Ask the API for versions not in the cache (stamping what it answers with `now`); false: cache and abstracts only. */
  fetch: { enabled: true; options: FetchDetailsOptions; now: Date } | { enabled: false; reason: string };
  log: Logger;
}

export async function detailsForRun(
  db: Kysely<Database>,
  papers: readonly Paper[],
  options: DetailsForRunOptions,
): Promise<{ extras: Map<string, PaperExtras>; report: DetailsReport }> {
  const stored = await findStoredDetails(db, papers);
  const report: DetailsReport = {
    papers: papers.length,
    cached: stored.size,
    fetched: 0,
    requests: 0,
    failed: 0,
    skipped: options.fetch.enabled ? null : options.fetch.reason,
    withCode: 0,
    withVenue: 0,
    problems: [],
  };
  const missing = papers.filter((p) => !stored.has(p.id));
  if (options.fetch.enabled && missing.length > 0) {
    options.log.info(`asking arXiv for the comments of ${missing.length} paper${missing.length > 1 ? 's' : ''}`);
    const result = await fetchPaperDetails(missing, options.fetch.options);
    await saveDetails(db, result.details, options.fetch.now);
    for (const details of result.details) stored.set(details.id, details);
    report.fetched = result.details.length;
    report.requests = result.requests;
    report.failed = result.failures.reduce((n, f) => n + f.ids.length, 0);
    report.problems = [...result.failures.map((f) => `${f.ids.length} papers: ${f.reason}`), ...result.problems];
    for (const problem of report.problems) options.log.warn(`arXiv details: ${problem}`);
  }
  const extras = new Map<string, PaperExtras>();
  for (const paper of papers) {
    const found = extrasOf(paper, stored.get(paper.id));
    if (found.codeUrl) report.withCode += 1;
    if (found.venue) report.withVenue += 1;
    if (found.codeUrl || found.projectUrl || found.venue) extras.set(paper.id, found);
  }
  return { extras, report };
}
