import type { Kysely } from 'kysely';
import type { ISODate } from '../types.ts';
import { chunkRows } from './chunk-rows.ts';
import type { Database, DeliveryStatus } from './schema.ts';

// Which papers a reader has been mailed, without a row per (reader, paper): an issue records the papers of each
// segment's mail once (`issue_papers`), and the ledger already says which reader got which segment's mail. A
// reader's history is the join of the two, so it follows them across changes of topics or language.

/** Ledger states in which the reader has (or may have) the mail: a possible copy counts, so nothing is sent twice. */
const MAILED: readonly DeliveryStatus[] = ['sent', 'sending', 'unknown'];

export interface SegmentPapers {
  segmentId: string;
  papers: ReadonlyArray<{ id: string; version: number }>;
}

/**
 * Records what each segment's mail of an issue carries, before any of it is sent. A paper already recorded for the
 * segment is kept as it was, so the first record's time stays the issue's reference point.
 */
export async function recordIssuePapers(
  db: Kysely<Database>,
  batchDate: ISODate,
  segments: readonly SegmentPapers[],
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  const rows = segments.flatMap(({ segmentId, papers }) =>
    papers.map((p) => ({ batch_date: batchDate, segment_id: segmentId, paper_id: p.id, version: p.version, recorded_at: at })),
  );
  for (const chunk of chunkRows(rows)) {
    await db
      .insertInto('issue_papers')
      .values(chunk)
      .onConflict((oc) => oc.columns(['batch_date', 'segment_id', 'paper_id']).doNothing())
      .execute();
  }
}

/** Whose history counts for each segment: the issue's frozen audience, or given readers (dry run, preview). */
export type ReaderScope =
  | { kind: 'ledger' }
  | { kind: 'readers'; bySegment: ReadonlyMap<string, readonly number[]> };

/** Segment id → paper id → the highest version some reader of the segment was mailed in another issue. */
export type MailedBySegment = Map<string, Map<string, number>>;

function note(out: MailedBySegment, segmentId: string, paperId: string, version: number): void {
  const papers = out.get(segmentId) ?? new Map<string, number>();
  papers.set(paperId, Math.max(version, papers.get(paperId) ?? 0));
  out.set(segmentId, papers);
}

/**
 * Of the candidate papers, those some reader of each segment was already mailed in another issue. Only issues
 * recorded before this one first recorded its own papers count: a re-run (or a preview) of an issue leaves out
 * exactly what its first run left out, even after later issues went out.
 */
export async function papersMailedBefore(
  db: Kysely<Database>,
  batchDate: ISODate,
  candidateIds: readonly string[],
  scope: ReaderScope,
): Promise<MailedBySegment> {
  const out: MailedBySegment = new Map();
  if (candidateIds.length === 0) return out;
  const own = await db
    .selectFrom('issue_papers')
    .select((eb) => eb.fn.min('recorded_at').as('first'))
    .where('batch_date', '=', batchDate)
    .executeTakeFirst();
  const before = (own?.first as string | null | undefined) ?? null;

  const history = (ids: readonly string[]) => {
    let query = db
      .selectFrom('issue_papers as ip')
      .innerJoin('deliveries as past', (join) =>
        join.onRef('past.batch_date', '=', 'ip.batch_date').onRef('past.segment_id', '=', 'ip.segment_id'),
      )
      .where('ip.batch_date', '<>', batchDate)
      .where('ip.paper_id', 'in', [...ids])
      .where('past.status', 'in', [...MAILED]);
    if (before !== null) query = query.where('ip.recorded_at', '<', before);
    return query;
  };

  for (const ids of chunkRows(candidateIds)) {
    if (scope.kind === 'ledger') {
      const rows = await history(ids)
        .innerJoin('deliveries as today', 'today.subscriber_id', 'past.subscriber_id')
        .where('today.batch_date', '=', batchDate)
        .select((eb) => ['today.segment_id as segment_id', 'ip.paper_id as paper_id', eb.fn.max('ip.version').as('version')])
        .groupBy(['today.segment_id', 'ip.paper_id'])
        .execute();
      for (const row of rows) note(out, row.segment_id, row.paper_id, Number(row.version));
      continue;
    }
    for (const [segmentId, readers] of scope.bySegment) {
      for (const readerIds of chunkRows(readers)) {
        const rows = await history(ids)
          .where('past.subscriber_id', 'in', [...readerIds])
          .select((eb) => ['ip.paper_id as paper_id', eb.fn.max('ip.version').as('version')])
          .groupBy('ip.paper_id')
          .execute();
        for (const row of rows) note(out, segmentId, row.paper_id, Number(row.version));
      }
    }
  }
  return out;
}
