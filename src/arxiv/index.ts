// arxiv/: the read step. Takes feed sources (files or URLs), a way to read them and the arXiv calendar's holidays;
// returns the papers of one announcement batch (obtainBatch: from the store when the day was collected before,
// else from the feeds, then stored), plus the calendar's answers (which batch is due, is it late). Feed problems
// are returned as results (one feed failing never loses the others); FeedError marks a feed that could not be read.
// Must not import: cli/, run-issue.ts, run-wiring.ts, run-report.ts, preview/, schedule/, web/, nor another stage.
export { FeedError } from '../errors.ts';
export {
  addDays,
  ARXIV_HOLIDAYS_2025_2026,
  checkFeedBatch,
  digestBatchOfWeek,
  digestWeekOf,
  expectedBatchDate,
  feedDateOf,
  feedDueAt,
  formatHours,
  hasBatch,
  isoWeekStart,
  lateness,
} from './calendar.ts';
export { collectFeeds, type CollectResult } from './collect.ts';
export { feedSourcesOf, readFeedSource } from './fetch-feed.ts';
export { obtainBatch, type FeedReport, type ObtainedBatch } from './obtain-batch.ts';
export { ARXIV_API_URL, fetchPaperDetails, type FetchDetailsResult } from './fetch-paper-details.ts';
export { extrasOf, findLinks, findVenue, type PaperExtras } from './paper-details.ts';
export { detailsForRun, type DetailsForRunOptions, type DetailsReport } from './details-for-run.ts';
