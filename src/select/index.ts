// select/: the plan step of a run, pure but for a few store queries. Takes the batch's papers, the configured domains
// and the readers (their topics and language); returns which papers match each domain (selectPapers), the segments
// readers fall into and each segment's issue: who gets which papers, each paper at most once per reader across days
// (never twice) and within each domain's cap (plan-segments.ts, build-segment-issue.ts). Weekly readers are in
// `weekly.` segments on their digest's batch only, built from the week's stored batches (plan-weekly.ts). It reads
// the store only through its queries (active readers, papers mailed before, stored batches, who has this week's
// digest) and writes nothing.
// Must not import: cli/, run-issue.ts, run-wiring.ts, run-report.ts, preview/, schedule/, web/, deliver/, render/.
export { attachExtras, buildSegmentIssue, papersShownIn, segmentIdOf, segmentKeyOf } from './build-segment-issue.ts';
export { withoutMailedPapers, type MailedFilter } from './drop-mailed-papers.ts';
export {
  activeReadersBySegment,
  audienceOf,
  emptyTally,
  groupIntoSegments,
  planSegmentIssues,
  planReaderPage,
  planSegments,
  READER_PAGE,
  readersDue,
  dueReaders,
  readerScopeOf,
  surveyAudience,
  tallyReaders,
  type Audience,
  type AudienceSegment,
  type ReaderTally,
  type SegmentGroup,
  type SegmentGroups,
  type SegmentPlan,
  type SegmentRepeats,
} from './plan-segments.ts';
export { compileInterests, matchInterests, normalizeAuthorName, type InterestMatches } from './match-interests.ts';
export { compileKeywords } from './match-keywords.ts';
export { datesOfWeek, mergeWeekPapers, papersOfWeek, planDailyAndWeekly } from './plan-weekly.ts';
export { patternOf } from './score-paper.ts';
export { compareFit, compareMatches, selectPapers } from './select-papers.ts';
