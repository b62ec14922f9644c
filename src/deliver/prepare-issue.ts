import type { Kysely } from 'kysely';
import { groupIntoSegments } from '../select/build-segment-issue.ts';
import { analyzeTable } from '../store/database.ts';
import { planDeliveries } from '../store/deliveries.ts';
import { finishPreparation, findIssue, listIssueSegments, openIssue, saveIssueSegments } from '../store/issues.ts';
import type { Database } from '../store/schema.ts';
import { iterateActiveSubscribers } from '../store/subscribers.ts';
import type { ISODate, SegmentKey } from '../types.ts';

// Freezing the audience: the active readers are streamed a page at a time, grouped into segments, and written to
// the ledger as `planned` rows. Only then is the issue marked prepared; a run that dies half-way simply prepares
// again (existing rows are kept as they are). Once prepared, later runs of the issue read the audience from the
// ledger: a reader who joins afterwards gets the next issue, not this one.

export interface AudienceSegment {
  segmentId: string;
  key: SegmentKey;
  readers: number;
}

export interface Audience {
  segments: AudienceSegment[];
  /** Readers in the ledger (or, for a survey, who would be). */
  readers: number;
  withoutTopics: number;
  /** When the audience was frozen; null for a survey (dry run). */
  preparedAt: string | null;
  /** True when this call froze it, false when an earlier run had. */
  preparedNow: boolean;
}

export const READER_PAGE = 1000;

/** Freezes the issue's audience if no run has yet; either way returns it (segments in id order). */
export async function prepareIssue(
  db: Kysely<Database>,
  batchDate: ISODate,
  domainOrder: readonly string[],
  now: Date,
  pageSize = READER_PAGE,
): Promise<Audience> {
  const existing = await findIssue(db, batchDate);
  let issue = existing;
  if (!existing?.preparedAt) {
    await openIssue(db, batchDate, now);
    let withoutTopics = 0;
    const known = new Set<string>();
    for await (const page of iterateActiveSubscribers(db, pageSize)) {
      const { segments, noTopics } = groupIntoSegments(page, domainOrder);
      withoutTopics += noTopics.length;
      const fresh = [...segments].filter(([id]) => !known.has(id)).map(([segmentId, g]) => ({ segmentId, key: g.key }));
      if (fresh.length > 0) {
        await saveIssueSegments(db, batchDate, fresh);
        for (const { segmentId } of fresh) known.add(segmentId);
      }
      const rows = [...segments].flatMap(([segmentId, g]) =>
        g.readers.map((r) => ({ subscriberId: r.id, email: r.email, segmentId })),
      );
      await planDeliveries(db, batchDate, rows, now);
    }
    issue = await finishPreparation(db, batchDate, { withoutTopics }, now);
    await analyzeTable(db, 'deliveries');
  }
  const segments = (await listIssueSegments(db, batchDate)).filter((s) => s.readers > 0);
  return {
    segments: segments.map(({ segmentId, key, readers }) => ({ segmentId, key, readers })),
    readers: issue?.audience ?? 0,
    withoutTopics: issue?.withoutTopics ?? 0,
    preparedAt: issue?.preparedAt ?? null,
    preparedNow: !existing?.preparedAt,
  };
}

/** The audience a run would freeze now, counted without writing anything (for --dry-run). */
export async function surveyAudience(
  db: Kysely<Database>,
  domainOrder: readonly string[],
  pageSize = READER_PAGE,
): Promise<Audience> {
  const segments = new Map<string, AudienceSegment>();
  let readers = 0;
  let withoutTopics = 0;
  for await (const page of iterateActiveSubscribers(db, pageSize)) {
    const grouped = groupIntoSegments(page, domainOrder);
    withoutTopics += grouped.noTopics.length;
    for (const [segmentId, g] of grouped.segments) {
      const segment = segments.get(segmentId) ?? { segmentId, key: g.key, readers: 0 };
      segment.readers += g.readers.length;
      readers += g.readers.length;
      segments.set(segmentId, segment);
    }
  }
  const sorted = [...segments.values()].sort((a, b) => (a.segmentId < b.segmentId ? -1 : a.segmentId > b.segmentId ? 1 : 0));
  return { segments: sorted, readers, withoutTopics, preparedAt: null, preparedNow: false };
}
