import type { Kysely, Transaction } from 'kysely';
import type { ReaderInterests } from '../types.ts';
import { chunkRows } from './chunk-rows.ts';
import type { Database } from './schema.ts';

// Readers' keywords, exclusions and followed authors. Kept beside the subscribers table rather than in it, so the
// many queries that read readers for sending stay as they are; a reader without a row follows nothing extra.

type Db = Kysely<Database> | Transaction<Database>;

export const NO_INTERESTS: ReaderInterests = { keywords: [], exclude: [], authors: [] };

/** Whether a reader follows anything beyond topics. */
export function hasInterests(interests: ReaderInterests): boolean {
  return interests.keywords.length + interests.exclude.length + interests.authors.length > 0;
}

export function sameInterests(a: ReaderInterests, b: ReaderInterests): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return same(a.keywords, b.keywords) && same(a.exclude, b.exclude) && same(a.authors, b.authors);
}

function decodeList(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** The interests of these readers, by id; readers with none are absent. */
export async function readInterests(db: Db, subscriberIds: readonly number[]): Promise<Map<number, ReaderInterests>> {
  const found = new Map<number, ReaderInterests>();
  for (const chunk of chunkRows([...new Set(subscriberIds)])) {
    if (chunk.length === 0) continue;
    const rows = await db.selectFrom('subscriber_interests').selectAll().where('subscriber_id', 'in', chunk).execute();
    for (const row of rows) {
      found.set(Number(row.subscriber_id), {
        keywords: decodeList(row.keywords),
        exclude: decodeList(row.exclude),
        authors: decodeList(row.authors),
      });
    }
  }
  return found;
}

export async function interestsOf(db: Db, subscriberId: number): Promise<ReaderInterests> {
  return (await readInterests(db, [subscriberId])).get(subscriberId) ?? NO_INTERESTS;
}

/** Replaces a reader's interests; empty lists remove the row. */
export async function writeInterests(db: Db, subscriberId: number, interests: ReaderInterests, now: Date): Promise<void> {
  await db.deleteFrom('subscriber_interests').where('subscriber_id', '=', subscriberId).execute();
  if (!hasInterests(interests)) return;
  await db
    .insertInto('subscriber_interests')
    .values({
      subscriber_id: subscriberId,
      keywords: JSON.stringify(interests.keywords),
      exclude: JSON.stringify(interests.exclude),
      authors: JSON.stringify(interests.authors),
      updated_at: now.toISOString(),
    })
    .execute();
}
