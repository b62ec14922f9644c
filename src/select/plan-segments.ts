import type { Kysely } from 'kysely';
import { papersMailedBefore, type ReaderScope } from '../store/mailed-papers.ts';
import type { Database } from '../store/schema.ts';
import { iterateActiveSubscribers } from '../store/subscribers.ts';
import { readersWithDigest } from '../store/weekly-digests.ts';
import type {
  ChineseText,
  DigestWeek,
  DomainSelection,
  Frequency,
  ISODate,
  Language,
  Paper,
  ReaderInterests,
  SegmentIssue,
  SegmentKey,
} from '../types.ts';
import { buildSegmentIssue, papersShownIn, segmentIdOf, segmentKeyOf } from './build-segment-issue.ts';
import { withoutMailedPapers } from './drop-mailed-papers.ts';
import { personalSelections } from './personal-sections.ts';

// Segments in one place: who gets which papers. Readers with the same known topics and language form a segment
// and get one mail (rendered once); each segment's issue is built from the selections minus what its readers
// were already mailed (never twice), with each domain's cap. The functions without a database are pure and
// table-tested (test/select/plan-segments.test.ts); the few with one only stream readers or ask the store which
// papers a segment's readers already got, and hand the answers to the pure ones. `run`, `run --dry-run` and
// `preview` all plan through the functions here; deliver/prepare-issue.ts freezes the audience with them.

/** The readers of one segment. */
export interface SegmentGroup<T> {
  key: SegmentKey;
  readers: T[];
}

export interface SegmentGroups<T> {
  /** Readers by segment id, segments in the order their first reader came. */
  segments: Map<string, SegmentGroup<T>>;
  /** Readers none of whose topics is a configured domain: they get no issue. */
  noTopics: T[];
}

/** Groups readers who picked the same known topics and language; see SegmentGroups. */
export function groupIntoSegments<
  T extends { topics: readonly string[]; language: Language; interests?: ReaderInterests | undefined; frequency?: Frequency | undefined },
>(
  readers: Iterable<T>,
  domainOrder: readonly string[],
): SegmentGroups<T> {
  const segments = new Map<string, SegmentGroup<T>>();
  const noTopics: T[] = [];
  for (const reader of readers) {
    const key = segmentKeyOf(reader.topics, reader.language, domainOrder, reader.interests, reader.frequency);
    if (key.topics.length === 0) {
      noTopics.push(reader);
      continue;
    }
    const id = segmentIdOf(key);
    const segment = segments.get(id);
    if (segment) segment.readers.push(reader);
    else segments.set(id, { key, readers: [reader] });
  }
  return { segments, noTopics };
}

export interface AudienceSegment {
  segmentId: string;
  key: SegmentKey;
  readers: number;
}

/** An issue's audience by segment: frozen into the ledger by a run, or surveyed (dry run, preview). */
export interface Audience {
  segments: AudienceSegment[];
  /** Readers in the ledger (or, for a survey, who would be). */
  readers: number;
  withoutTopics: number;
  /** When the audience was frozen; null for a survey (dry run). */
  preparedAt: string | null;
  /** True when this call froze it, false when an earlier run had. */
  preparedNow: boolean;
  /** Active weekly readers this issue does not mail: not their digest's day, or they already have this week's. */
  weeklyWaiting?: number | undefined;
}

// Weekly readers (issue 12, part 5). Who of a page of readers this issue mails: every daily reader; a weekly reader
// only when the issue carries the week's digests (`week`, from the arXiv calendar: see digestWeekOf) and the ledger
// holds no digest of theirs yet this ISO week. The others wait; they are counted, never planned, so a daily issue
// is exactly what it was before weekly readers existed.

/** Pure: the readers of `page` this issue mails, given whether it carries digests and who already has this week's. */
export function dueReaders<T extends { id: number; frequency?: Frequency | undefined }>(
  page: readonly T[],
  digest: { open: boolean; had: ReadonlySet<number> },
): { due: T[]; waiting: number } {
  const due: T[] = [];
  let waiting = 0;
  for (const reader of page) {
    if (reader.frequency !== 'weekly') due.push(reader);
    else if (digest.open && !digest.had.has(reader.id)) due.push(reader);
    else waiting += 1;
  }
  return { due, waiting };
}

/** dueReaders, asking the ledger which of the page's weekly readers already have this week's digest. */
export async function readersDue<T extends { id: number; frequency?: Frequency | undefined }>(
  db: Kysely<Database>,
  page: readonly T[],
  week: DigestWeek | null,
): Promise<{ due: T[]; waiting: number }> {
  const weekly = page.filter((r) => r.frequency === 'weekly').map((r) => r.id);
  const had = week && weekly.length > 0 ? await readersWithDigest(db, week, weekly) : new Set<number>();
  return dueReaders(page, { open: week !== null, had });
}

/**
 * One page of readers as the ledger gets them when an issue's audience is frozen: the page's segments (in the
 * order their first reader came) and one planned row per reader with a known topic.
 */
export function planReaderPage<T extends { id: number; email: string; topics: readonly string[]; language: Language }>(
  page: Iterable<T>,
  domainOrder: readonly string[],
): {
  segments: Array<{ segmentId: string; key: SegmentKey }>;
  rows: Array<{ subscriberId: number; email: string; segmentId: string }>;
  withoutTopics: number;
} {
  const { segments, noTopics } = groupIntoSegments(page, domainOrder);
  return {
    segments: [...segments].map(([segmentId, group]) => ({ segmentId, key: group.key })),
    rows: [...segments].flatMap(([segmentId, group]) => group.readers.map((r) => ({ subscriberId: r.id, email: r.email, segmentId }))),
    withoutTopics: noTopics.length,
  };
}

/** Readers are read from the store this many at a time: memory stays flat whatever the list's size. */
export const READER_PAGE = 1000;

/**
 * A running count of the readers seen so far, page by page: their segments, the ids in each, and those without a
 * known topic. `tallyReaders` adds a page to it; `audienceOf` and `readerScopeOf` read it out.
 */
export interface ReaderTally {
  segments: Map<string, AudienceSegment>;
  ids: Map<string, number[]>;
  readers: number;
  withoutTopics: number;
  /** Weekly readers left out (see dueReaders); counted by the caller, who knows the week. */
  weeklyWaiting: number;
}

export function emptyTally(): ReaderTally {
  return { segments: new Map(), ids: new Map(), readers: 0, withoutTopics: 0, weeklyWaiting: 0 };
}

/** Adds one page of readers to `tally` (which it changes and returns). */
export function tallyReaders(
  tally: ReaderTally,
  page: Iterable<{ id: number; topics: readonly string[]; language: Language; frequency?: Frequency | undefined }>,
  domainOrder: readonly string[],
): ReaderTally {
  const grouped = groupIntoSegments(page, domainOrder);
  tally.withoutTopics += grouped.noTopics.length;
  for (const [segmentId, group] of grouped.segments) {
    const segment = tally.segments.get(segmentId) ?? { segmentId, key: group.key, readers: 0 };
    segment.readers += group.readers.length;
    tally.readers += group.readers.length;
    tally.segments.set(segmentId, segment);
    tally.ids.set(segmentId, [...(tally.ids.get(segmentId) ?? []), ...group.readers.map((r) => r.id)]);
  }
  return tally;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The audience a run would freeze from the readers tallied, segments in id order (nothing frozen: a survey). */
export function audienceOf(tally: ReaderTally): Audience {
  const segments = [...tally.segments.values()].sort((a, b) => byCodeUnit(a.segmentId, b.segmentId));
  return {
    segments,
    readers: tally.readers,
    withoutTopics: tally.withoutTopics,
    preparedAt: null,
    preparedNow: false,
    weeklyWaiting: tally.weeklyWaiting,
  };
}

/** Whose history counts for each segment when no audience is frozen: the tallied readers by segment. */
export function readerScopeOf(tally: ReaderTally): ReaderScope {
  return { kind: 'readers', bySegment: new Map(tally.ids) };
}

/** Papers a segment's mail leaves out (or labels) because its readers were already mailed them on another day. */
export interface SegmentRepeats {
  /** Papers dropped from some segment, counted once per segment. */
  dropped: number;
  /** Papers kept as updated versions (schedule.showUpdatedVersions), counted once per segment. */
  updated: number;
  segments: Array<{ id: string; dropped: string[]; updated: string[] }>;
}

export interface SegmentPlan {
  /** The segment's issue from what its readers may still get. */
  issueOf(segmentId: string, key: SegmentKey, chineseOf: (paper: Paper) => ChineseText | null): SegmentIssue;
  /** Papers some segment shows with a summary: the ones worth Chinese text. */
  shown: Paper[];
  repeats: SegmentRepeats;
}

// Never twice: where the filter sits. Per segment, before the segment's issue is built. A segment leaves out every
// paper that ANY of its readers was already mailed on another day; a reader's history is the ledger (which
// segment's mail each reader got, per issue) joined with `issue_papers` (what each segment's mail carried).
// Readers of one segment almost always share one history, having got the same mails; the union only differs for a
// reader who changed topics or language, and then the whole segment does without the repeat rather than that
// reader getting it twice. This keeps render-once-per-segment: a per-reader filter would split segments into one
// mail per history, and a history kept per segment alone would miss the readers who moved between segments.

/**
 * Each segment's papers from the day's selections and what its readers were mailed before (`mailed`: segment id →
 * paper id → highest version mailed). Pure.
 */
export function planSegmentIssues(
  selections: readonly DomainSelection[],
  segments: ReadonlyArray<{ segmentId: string; key: SegmentKey }>,
  mailed: ReadonlyMap<string, ReadonlyMap<string, number>>,
  options: {
    batchDate: ISODate;
    showUpdatedVersions: boolean;
    /** The whole batch: where a segment with its own interests finds its authors' and keywords' papers. */
    papers?: readonly Paper[] | undefined;
    /** Set when these are weekly digests: the days their papers come from, carried by each issue for the mail. */
    week?: DigestWeek | undefined;
  },
): SegmentPlan {
  const { batchDate } = options;
  const repeats: SegmentRepeats = { dropped: 0, updated: 0, segments: [] };
  // Per segment: its selections after never-twice, and the key its issue is built with (the reader's own sections
  // first, for a segment with interests).
  const filtered = new Map<string, { selections: DomainSelection[]; issueKey: SegmentKey }>();
  const shown = new Map<string, Paper>();
  for (const { segmentId, key } of segments) {
    const own = key.interests && options.papers ? personalSelections(key.interests, options.papers, selections) : null;
    const base = own ? [...own.selections, ...own.topics] : selections;
    const issueKey = own ? { ...key, topics: [...own.selections.map((s) => s.domain.id), ...key.topics] } : key;
    const result = withoutMailedPapers(base, mailed.get(segmentId) ?? new Map(), {
      showUpdatedVersions: options.showUpdatedVersions,
    });
    filtered.set(segmentId, { selections: result.selections, issueKey });
    if (result.dropped.length + result.updated.length > 0) {
      repeats.segments.push({ id: segmentId, dropped: result.dropped, updated: result.updated });
      repeats.dropped += result.dropped.length;
      repeats.updated += result.updated.length;
    }
    for (const paper of papersShownIn([issueKey], result.selections, batchDate)) shown.set(paper.id, paper);
  }
  const { week } = options;
  const withWeek = (issue: SegmentIssue): SegmentIssue => (week ? { ...issue, week } : issue);
  return {
    issueOf: (segmentId, key, chineseOf) => {
      const plan = filtered.get(segmentId);
      if (!plan) return withWeek(buildSegmentIssue(selections, key, batchDate, chineseOf));
      const issue = buildSegmentIssue(plan.selections, plan.issueKey, batchDate, chineseOf);
      // Built with the reader's own sections as extra topics; it is still this segment's issue.
      return withWeek(plan.issueKey === key ? issue : { ...issue, segmentId, key });
    },
    shown: [...shown.values()],
    repeats,
  };
}

/** The segments' plan, with each segment's history asked of the store for `scope` (the frozen ledger, or readers). */
export async function planSegments(
  db: Kysely<Database>,
  batchDate: ISODate,
  selections: readonly DomainSelection[],
  segments: ReadonlyArray<{ segmentId: string; key: SegmentKey }>,
  options: { scope: ReaderScope; showUpdatedVersions: boolean; papers?: readonly Paper[] | undefined; week?: DigestWeek | undefined },
): Promise<SegmentPlan> {
  // A segment with its own interests may show any paper of the batch: ask the history about all of them then.
  const everyPaper = segments.some((s) => s.key.interests) ? options.papers : undefined;
  const candidates = [...new Set((everyPaper ?? selections.flatMap((s) => s.matches.map((m) => m.paper))).map((p) => p.id))];
  const mailed = await papersMailedBefore(db, batchDate, candidates, options.scope);
  return planSegmentIssues(selections, segments, mailed, {
    batchDate,
    showUpdatedVersions: options.showUpdatedVersions,
    papers: options.papers,
    week: options.week,
  });
}

/** Every active reader this issue would mail (see readersDue), tallied a page at a time. */
async function tallyActiveReaders(
  db: Kysely<Database>,
  domainOrder: readonly string[],
  pageSize: number | undefined,
  week: DigestWeek | null,
): Promise<ReaderTally> {
  const tally = emptyTally();
  for await (const page of iterateActiveSubscribers(db, pageSize)) {
    const { due, waiting } = await readersDue(db, page, week);
    tally.weeklyWaiting += waiting;
    tallyReaders(tally, due, domainOrder);
  }
  return tally;
}

/**
 * The audience a run would freeze now, counted without writing anything (for --dry-run and the preview); `week`
 * when the issue carries the week's digests.
 */
export async function surveyAudience(
  db: Kysely<Database>,
  domainOrder: readonly string[],
  pageSize = READER_PAGE,
  week: DigestWeek | null = null,
): Promise<Audience> {
  return audienceOf(await tallyActiveReaders(db, domainOrder, pageSize, week));
}

/** The active readers' ids by the segment they would be in now (a dry run and the preview have no frozen audience). */
export async function activeReadersBySegment(
  db: Kysely<Database>,
  domainOrder: readonly string[],
  week: DigestWeek | null = null,
): Promise<ReaderScope> {
  return readerScopeOf(await tallyActiveReaders(db, domainOrder, undefined, week));
}
