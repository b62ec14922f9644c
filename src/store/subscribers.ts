import type { Kysely, Transaction } from 'kysely';
import type { Frequency, Language, ReaderInterests, Subscriber, SubscriberStatus } from '../types.ts';
import { chunkRows } from './chunk-rows.ts';
import { NO_INTERESTS, readInterests, sameInterests, writeInterests } from './reader-interests.ts';
import { SUBSCRIBER_STATUSES, type Database } from './schema.ts';

/** One reader as an import (or a sign-up) states it. */
export interface SubscriberInput {
  email: string;
  /** null or empty: keep whatever name is stored. */
  name: string | null;
  /** Domain ids. */
  topics: string[];
  language: Language;
  /** Keywords, exclusions and followed authors; a list left out keeps whatever is stored. */
  interests?: Partial<ReaderInterests> | undefined;
  /** Daily or weekly; left out keeps whatever is stored (`daily` for a new reader). */
  frequency?: Frequency | undefined;
}

export interface ImportCounts {
  added: number;
  updated: number;
  unchanged: number;
  /** Unsubscribed, bounced or complained readers left as they are: only the reader can come back. */
  suppressed: number;
}

export interface UpsertOptions {
  /** Recorded on new rows, e.g. `csv:readers.csv`. */
  source?: string;
  /** Count what would happen without writing anything. */
  dryRun?: boolean;
}

/** Readers who must never be mailed again because of an import: they left, or their mail cannot be delivered. */
export const SUPPRESSED_STATUSES: readonly SubscriberStatus[] = ['unsubscribed', 'bounced', 'complained'];

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function normalizeTopics(topics: readonly string[]): string[] {
  return [...new Set(topics.map((t) => t.trim().toLowerCase()).filter((t) => t !== ''))].sort();
}

interface Known {
  id: number;
  name: string | null;
  language: Language;
  status: SubscriberStatus;
  /** Sorted. */
  topics: string[];
  interests: ReaderInterests;
  frequency: Frequency;
}

type Db = Kysely<Database> | Transaction<Database>;

async function topicsOf(db: Db, ids: readonly number[]): Promise<Map<number, string[]>> {
  const topics = new Map<number, string[]>(ids.map((id) => [id, []]));
  for (const chunk of chunkRows(ids)) {
    const rows = await db
      .selectFrom('subscriber_topics')
      .select(['subscriber_id', 'domain_id'])
      .where('subscriber_id', 'in', chunk)
      .orderBy('subscriber_id')
      .orderBy('domain_id')
      .execute();
    for (const row of rows) topics.get(Number(row.subscriber_id))?.push(row.domain_id);
  }
  return topics;
}

/**
 * Adds new readers as active and brings existing active or pending ones in line with the rows (a pending
 * reader is activated: the operator's list is their consent). Unsubscribed, bounced and complained readers are
 * never touched. Rows are applied in order in one transaction; a repeated email is applied on top of the first.
 */
export async function upsertSubscribers(
  db: Kysely<Database>,
  rows: readonly SubscriberInput[],
  now: Date,
  options: UpsertOptions = {},
): Promise<ImportCounts> {
  const counts: ImportCounts = { added: 0, updated: 0, unchanged: 0, suppressed: 0 };
  const source = options.source ?? 'import';
  const dryRun = options.dryRun ?? false;
  const at = now.toISOString();

  const apply = async (trx: Db) => {
    const known = new Map<string, Known | null>();
    let nextDryRunId = -1;
    for (const chunk of chunkRows(rows)) {
      const missing = [...new Set(chunk.map((r) => normalizeEmail(r.email)))].filter((e) => !known.has(e));
      if (missing.length > 0) {
        const found = await trx
          .selectFrom('subscribers')
          .select(['id', 'email', 'name', 'language', 'status', 'frequency'])
          .where('email', 'in', missing)
          .execute();
        const ids = found.map((f) => Number(f.id));
        const topics = await topicsOf(trx, ids);
        const interests = await readInterests(trx, ids);
        for (const email of missing) known.set(email, null);
        for (const f of found) {
          const id = Number(f.id);
          known.set(f.email, {
            id,
            name: f.name,
            language: f.language,
            status: f.status,
            topics: topics.get(id) ?? [],
            interests: interests.get(id) ?? NO_INTERESTS,
            frequency: f.frequency,
          });
        }
      }

      for (const row of chunk) {
        const email = normalizeEmail(row.email);
        const topics = normalizeTopics(row.topics);
        const name = row.name?.trim() || null;
        const current = known.get(email) ?? null;

        if (!current) {
          let id = nextDryRunId--;
          if (!dryRun) {
            const inserted = await trx
              .insertInto('subscribers')
              .values({
                email,
                name,
                language: row.language,
                status: 'active',
                ...(row.frequency ? { frequency: row.frequency } : {}),
                source,
                created_at: at,
                updated_at: at,
                status_changed_at: at,
              })
              .returning('id')
              .executeTakeFirstOrThrow();
            id = Number(inserted.id);
            await writeTopics(trx, id, topics);
            if (row.interests) await writeInterests(trx, id, { ...NO_INTERESTS, ...row.interests }, now);
          }
          const interests = { ...NO_INTERESTS, ...row.interests };
          known.set(email, { id, name, language: row.language, status: 'active', topics, interests, frequency: row.frequency ?? 'daily' });
          counts.added++;
          continue;
        }

        if (SUPPRESSED_STATUSES.includes(current.status)) {
          counts.suppressed++;
          continue;
        }

        const nextName = name ?? current.name;
        const sameTopics = topics.length === current.topics.length && topics.every((t, i) => t === current.topics[i]);
        const nextInterests = { ...current.interests, ...row.interests };
        const interestsKept = sameInterests(nextInterests, current.interests);
        const frequency = row.frequency ?? current.frequency;
        if (
          current.status === 'active' &&
          sameTopics &&
          interestsKept &&
          nextName === current.name &&
          row.language === current.language &&
          frequency === current.frequency
        ) {
          counts.unchanged++;
          continue;
        }

        if (!dryRun) {
          await trx
            .updateTable('subscribers')
            .set({
              name: nextName,
              language: row.language,
              frequency,
              status: 'active',
              updated_at: at,
              ...(current.status === 'active' ? {} : { status_changed_at: at }),
            })
            .where('id', '=', current.id)
            .execute();
          if (!sameTopics) {
            await trx.deleteFrom('subscriber_topics').where('subscriber_id', '=', current.id).execute();
            await writeTopics(trx, current.id, topics);
          }
          if (!interestsKept) await writeInterests(trx, current.id, nextInterests, now);
        }
        known.set(email, { ...current, name: nextName, language: row.language, status: 'active', topics, interests: nextInterests, frequency });
        counts.updated++;
      }
    }
  };

  if (dryRun) await apply(db);
  else await db.transaction().execute(apply);
  return counts;
}

async function writeTopics(db: Db, subscriberId: number, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  await db
    .insertInto('subscriber_topics')
    .values(topics.map((domain_id) => ({ subscriber_id: subscriberId, domain_id })))
    .execute();
}

type SubscriberRow = {
  id: number;
  email: string;
  name: string | null;
  language: Language;
  status: SubscriberStatus;
  frequency: Frequency;
};

async function withTopics(db: Db, rows: readonly SubscriberRow[]): Promise<Subscriber[]> {
  const topics = await topicsOf(
    db,
    rows.map((r) => Number(r.id)),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    email: r.email,
    name: r.name,
    topics: topics.get(Number(r.id)) ?? [],
    language: r.language,
    status: r.status,
    // Like interests, only when it says something: absent means daily (most readers), so a Subscriber is unchanged.
    ...(r.frequency === 'weekly' ? { frequency: r.frequency } : {}),
  }));
}

const SUBSCRIBER_COLUMNS = ['id', 'email', 'name', 'language', 'status', 'frequency'] as const;

/** Every reader (optionally of one status), by id, topics sorted. Use `iterateActiveSubscribers` for sending. */
export async function listSubscribers(
  db: Kysely<Database>,
  filter: { status?: SubscriberStatus } = {},
): Promise<Subscriber[]> {
  let query = db.selectFrom('subscribers').select(SUBSCRIBER_COLUMNS).orderBy('id');
  if (filter.status) query = query.where('status', '=', filter.status);
  return withTopics(db, await query.execute());
}

/** Active readers a page at a time, by id; only one page is in memory. */
export async function* iterateActiveSubscribers(
  db: Kysely<Database>,
  pageSize = 1000,
): AsyncGenerator<Subscriber[]> {
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('subscribers')
      .select(SUBSCRIBER_COLUMNS)
      .where('status', '=', 'active')
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    const last = rows.at(-1);
    if (!last) return;
    // Sending needs each reader's own interests too: they decide the reader's segment.
    const readers = await withTopics(db, rows);
    const interests = await readInterests(db, readers.map((r) => r.id));
    yield readers.map((r) => {
      const own = interests.get(r.id);
      return own ? { ...r, interests: own } : r;
    });
    if (rows.length < pageSize) return;
    after = Number(last.id);
  }
}

/** How many readers are in each status (every status present, zero when none). */
export async function countSubscribers(db: Kysely<Database>): Promise<Record<SubscriberStatus, number>> {
  const rows = await db
    .selectFrom('subscribers')
    .select((eb) => ['status', eb.fn.countAll().as('count')])
    .groupBy('status')
    .execute();
  const counts = Object.fromEntries(SUBSCRIBER_STATUSES.map((s) => [s, 0])) as Record<SubscriberStatus, number>;
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}

/** One reader by id or by email (normalized), or null. */
export async function findSubscriber(
  db: Kysely<Database>,
  key: { id: number } | { email: string },
): Promise<Subscriber | null> {
  let query = db.selectFrom('subscribers').select(SUBSCRIBER_COLUMNS);
  query = 'id' in key ? query.where('id', '=', key.id) : query.where('email', '=', normalizeEmail(key.email));
  const row = await query.executeTakeFirst();
  if (!row) return null;
  const [subscriber] = await withTopics(db, [row]);
  return subscriber ?? null;
}

/** Moves a reader to a status (unsubscribe, bounce, complaint, confirmation); false when no such reader. */
export async function setSubscriberStatus(
  db: Kysely<Database>,
  id: number,
  status: SubscriberStatus,
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const result = await db
    .updateTable('subscribers')
    .set({ status, updated_at: at, status_changed_at: at })
    .where('id', '=', id)
    .where('status', '<>', status)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) > 0) return true;
  const exists = await db.selectFrom('subscribers').select('id').where('id', '=', id).executeTakeFirst();
  return exists !== undefined;
}
