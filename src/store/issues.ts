import type { Kysely } from 'kysely';
import type { ISODate, Language, ReaderInterests, RenderedMail, SegmentKey } from '../types.ts';
import { chunkRows } from './chunk-rows.ts';
import type { Database } from './schema.ts';
import { StoreError } from './store-error.ts';

// An issue's frozen state: who gets it (the ledger rows, written while the issue is prepared), the segments of
// that audience, and the mail each segment is sent. Frozen means a re-run after a crash sends the very same mail
// to the rest of the very same readers, whatever changed in the list or the translations since.

export interface IssueRecord {
  batchDate: ISODate;
  /** null until every active reader of the day has a ledger row. */
  preparedAt: string | null;
  audience: number;
  withoutTopics: number;
  lastBatch: number;
}

export interface IssueSegment {
  segmentId: string;
  key: SegmentKey;
  readers: number;
  /** When the segment's mail was rendered and kept; null before the first real run renders it. */
  renderedAt: string | null;
}

export interface StoredRender extends RenderedMail {
  degraded: number;
}

export async function findIssue(db: Kysely<Database>, batchDate: ISODate): Promise<IssueRecord | null> {
  const row = await db.selectFrom('issues').selectAll().where('batch_date', '=', batchDate).executeTakeFirst();
  if (!row) return null;
  return {
    batchDate: row.batch_date,
    preparedAt: row.prepared_at,
    audience: Number(row.audience),
    withoutTopics: Number(row.without_topics),
    lastBatch: Number(row.last_batch),
  };
}

/** Creates the issue row if it is not there yet (a run that died while preparing left it unprepared). */
export async function openIssue(db: Kysely<Database>, batchDate: ISODate, now: Date): Promise<IssueRecord> {
  const at = now.toISOString();
  await db
    .insertInto('issues')
    .values({ batch_date: batchDate, audience: 0, without_topics: 0, last_batch: 0, created_at: at, updated_at: at })
    .onConflict((oc) => oc.column('batch_date').doNothing())
    .execute();
  const issue = await findIssue(db, batchDate);
  if (!issue) throw new StoreError(`the issue of ${batchDate} could not be created`);
  return issue;
}

/** Records segments of the audience; a segment already recorded is left as it is. */
export async function saveIssueSegments(
  db: Kysely<Database>,
  batchDate: ISODate,
  segments: ReadonlyArray<{ segmentId: string; key: SegmentKey }>,
): Promise<void> {
  for (const chunk of chunkRows(segments)) {
    await db
      .insertInto('issue_segments')
      .values(
        chunk.map((s) => ({
          batch_date: batchDate,
          segment_id: s.segmentId,
          topics: JSON.stringify(s.key.topics),
          language: s.key.language,
          interests: s.key.interests ? JSON.stringify(s.key.interests) : null,
          frequency: s.key.frequency === 'weekly' ? ('weekly' as const) : null,
          readers: 0,
        })),
      )
      .onConflict((oc) => oc.columns(['batch_date', 'segment_id']).doNothing())
      .execute();
  }
}

/**
 * Closes the preparation: counts each segment's readers from the ledger (right even when the preparation was
 * resumed after a crash) and freezes the audience.
 */
export async function finishPreparation(
  db: Kysely<Database>,
  batchDate: ISODate,
  counts: { withoutTopics: number },
  now: Date,
): Promise<IssueRecord> {
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    const perSegment = await trx
      .selectFrom('deliveries')
      .select((eb) => ['segment_id', eb.fn.countAll().as('count')])
      .where('batch_date', '=', batchDate)
      .groupBy('segment_id')
      .execute();
    let audience = 0;
    for (const row of perSegment) {
      audience += Number(row.count);
      await trx
        .updateTable('issue_segments')
        .set({ readers: Number(row.count) })
        .where('batch_date', '=', batchDate)
        .where('segment_id', '=', row.segment_id)
        .execute();
    }
    await trx
      .updateTable('issues')
      .set({ prepared_at: at, audience, without_topics: counts.withoutTopics, updated_at: at })
      .where('batch_date', '=', batchDate)
      .execute();
  });
  const issue = await findIssue(db, batchDate);
  if (!issue) throw new StoreError(`the issue of ${batchDate} is missing`);
  return issue;
}

/** The segments of an issue, by id. */
export async function listIssueSegments(db: Kysely<Database>, batchDate: ISODate): Promise<IssueSegment[]> {
  const rows = await db
    .selectFrom('issue_segments')
    .select(['segment_id', 'topics', 'language', 'interests', 'frequency', 'readers', 'rendered_at'])
    .where('batch_date', '=', batchDate)
    .orderBy('segment_id')
    .execute();
  return rows.map((r) => ({
    segmentId: r.segment_id,
    key: {
      topics: JSON.parse(r.topics) as string[],
      language: r.language as Language,
      ...(r.interests ? { interests: JSON.parse(r.interests) as ReaderInterests } : {}),
      ...(r.frequency === 'weekly' ? { frequency: 'weekly' as const } : {}),
    },
    readers: Number(r.readers),
    renderedAt: r.rendered_at,
  }));
}

/** The mail a segment was rendered into by an earlier run of the issue, or null. */
export async function loadSegmentRender(
  db: Kysely<Database>,
  batchDate: ISODate,
  segmentId: string,
): Promise<StoredRender | null> {
  const row = await db
    .selectFrom('issue_segments')
    .select(['subject', 'preheader', 'html', 'text', 'degraded'])
    .where('batch_date', '=', batchDate)
    .where('segment_id', '=', segmentId)
    .executeTakeFirst();
  if (!row || row.subject === null || row.html === null || row.text === null) return null;
  return {
    subject: row.subject,
    preheader: row.preheader ?? '',
    html: row.html,
    text: row.text,
    degraded: Number(row.degraded ?? 0),
  };
}

/**
 * Keeps a segment's mail so every later run of the issue sends exactly the same one, and returns the mail kept:
 * the first one saved wins (several senders of one issue may render a segment at the same time; they all send
 * the one kept).
 */
export async function saveSegmentRender(
  db: Kysely<Database>,
  batchDate: ISODate,
  segmentId: string,
  render: StoredRender,
  now: Date,
): Promise<StoredRender> {
  const result = await db
    .updateTable('issue_segments')
    .set({
      subject: render.subject,
      preheader: render.preheader,
      html: render.html,
      text: render.text,
      degraded: render.degraded,
      rendered_at: now.toISOString(),
    })
    .where('batch_date', '=', batchDate)
    .where('segment_id', '=', segmentId)
    .where('html', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) > 0) return render;
  const kept = await loadSegmentRender(db, batchDate, segmentId);
  if (!kept) throw new StoreError(`segment ${segmentId} is not part of the issue of ${batchDate}`);
  return kept;
}

/** Drops the kept mails of a settled issue (about 100 KB per segment per day); the segment list stays. */
export async function clearSegmentRenders(db: Kysely<Database>, batchDate: ISODate): Promise<void> {
  await db
    .updateTable('issue_segments')
    .set({ html: null, text: null })
    .where('batch_date', '=', batchDate)
    .execute();
}

/**
 * Hands out the next claim number of an issue (1, 2, …), atomically across processes; with `count`, reserves that
 * many consecutive numbers and returns the first.
 */
export async function nextBatchNumber(db: Kysely<Database>, batchDate: ISODate, now: Date, count = 1): Promise<number> {
  const row = await db
    .updateTable('issues')
    .set((eb) => ({ last_batch: eb('last_batch', '+', count), updated_at: now.toISOString() }))
    .where('batch_date', '=', batchDate)
    .returning('last_batch')
    .executeTakeFirst();
  if (!row) throw new StoreError(`the issue of ${batchDate} has not been opened`);
  return Number(row.last_batch) - count + 1;
}
