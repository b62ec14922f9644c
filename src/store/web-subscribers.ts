import type { Kysely, Transaction } from 'kysely';
import type { Frequency, Language, ReaderInterests, Subscriber, SubscriberStatus } from '../types.ts';
import { writeInterests } from './reader-interests.ts';
import type { Database } from './schema.ts';
import { findSubscriber, normalizeEmail } from './subscribers.ts';
import { webDb, type WebDatabase } from './web-schema.ts';

// What the web pages do to readers. The rules: a sign-up changes nothing a run reads until the reader confirms it
// from their inbox (double opt-in); only that confirmation brings back a reader who left, bounced or complained;
// preferences apply to active readers only; every change is one transaction.

export interface SignupRequest {
  email: string;
  name: string | null;
  /** Known domain ids (validated by the caller). */
  topics: string[];
  language: Language;
  /** Daily unless the reader asked for the weekly digest. */
  frequency?: Frequency | undefined;
}

type Trx = Transaction<WebDatabase>;

function sortedTopics(topics: readonly string[]): string[] {
  return [...new Set(topics)].sort();
}

async function replaceTopics(trx: Trx, subscriberId: number, topics: readonly string[]): Promise<void> {
  await trx.deleteFrom('subscriber_topics').where('subscriber_id', '=', subscriberId).execute();
  const rows = sortedTopics(topics).map((domain_id) => ({ subscriber_id: subscriberId, domain_id }));
  if (rows.length > 0) await trx.insertInto('subscriber_topics').values(rows).execute();
}

/**
 * Records a sign-up and returns the reader id the confirmation link names. An unknown address becomes a `pending`
 * reader; a pending one takes the new choice; anyone else (active, or suppressed) is left exactly as they are until
 * they confirm. A newer request replaces an older open one.
 */
export async function openSignup(
  db: Kysely<Database>,
  request: SignupRequest,
  now: Date,
  ip: string | null,
): Promise<{ subscriberId: number; status: SubscriberStatus | 'new' }> {
  const at = now.toISOString();
  const email = normalizeEmail(request.email);
  const frequency = request.frequency ?? 'daily';
  return webDb(db)
    .transaction()
    .execute(async (trx) => {
      const current = await trx.selectFrom('subscribers').select(['id', 'status']).where('email', '=', email).executeTakeFirst();
      let subscriberId: number;
      if (!current) {
        const inserted = await trx
          .insertInto('subscribers')
          .values({
            email,
            name: request.name,
            language: request.language,
            frequency,
            status: 'pending',
            source: 'web',
            created_at: at,
            updated_at: at,
            status_changed_at: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        subscriberId = Number(inserted.id);
        await replaceTopics(trx, subscriberId, request.topics);
      } else {
        subscriberId = Number(current.id);
        if (current.status === 'pending') {
          // updated_at restarts the clock of the pending clean-up: the reader has just asked again.
          await trx
            .updateTable('subscribers')
            .set({ name: request.name, language: request.language, frequency, updated_at: at })
            .where('id', '=', subscriberId)
            .execute();
          await replaceTopics(trx, subscriberId, request.topics);
        }
      }
      const signup = {
        subscriber_id: subscriberId,
        name: request.name,
        language: request.language,
        topics: JSON.stringify(sortedTopics(request.topics)),
        frequency,
        requested_at: at,
        request_ip: ip,
      };
      await trx
        .insertInto('web_signups')
        .values(signup)
        .onConflict((oc) =>
          oc.column('subscriber_id').doUpdateSet({
            name: signup.name,
            language: signup.language,
            topics: signup.topics,
            frequency: signup.frequency,
            requested_at: signup.requested_at,
            request_ip: signup.request_ip,
          }),
        )
        .execute();
      return { subscriberId, status: current ? current.status : 'new' };
    });
}

export type ConfirmOutcome =
  /** The open request was applied: the reader is active with the topics they asked for. */
  | { outcome: 'confirmed'; subscriber: Subscriber }
  /** Nothing open for this reader (confirmed already, cancelled by an unsubscribe, or cleaned up). */
  | { outcome: 'nothing-open'; subscriber: Subscriber | null };

/** Applies the reader's open sign-up (topics, language, frequency) and keeps the evidence of consent. */
export async function confirmSignup(
  db: Kysely<Database>,
  subscriberId: number,
  now: Date,
  ip: string | null,
): Promise<ConfirmOutcome> {
  const at = now.toISOString();
  const applied = await webDb(db)
    .transaction()
    .execute(async (trx) => {
      const signup = await trx.selectFrom('web_signups').selectAll().where('subscriber_id', '=', subscriberId).executeTakeFirst();
      if (!signup) return false;
      const current = await trx.selectFrom('subscribers').select(['status', 'name']).where('id', '=', subscriberId).executeTakeFirst();
      if (!current) return false;
      await trx
        .updateTable('subscribers')
        .set({
          name: signup.name ?? current.name,
          language: signup.language,
          frequency: signup.frequency,
          status: 'active',
          updated_at: at,
          ...(current.status === 'active' ? {} : { status_changed_at: at }),
        })
        .where('id', '=', subscriberId)
        .execute();
      await replaceTopics(trx, subscriberId, JSON.parse(signup.topics) as string[]);
      await trx
        .insertInto('web_consents')
        .values({
          subscriber_id: subscriberId,
          requested_at: signup.requested_at,
          request_ip: signup.request_ip,
          confirmed_at: at,
          confirm_ip: ip,
          topics: signup.topics,
          language: signup.language,
        })
        .execute();
      await trx.deleteFrom('web_signups').where('subscriber_id', '=', subscriberId).execute();
      return true;
    });
  const subscriber = await findSubscriber(db, { id: subscriberId });
  if (applied && subscriber) return { outcome: 'confirmed', subscriber };
  return { outcome: 'nothing-open', subscriber };
}

/** The sign-up waiting for this reader's confirmation, or null. */
export async function findOpenSignup(
  db: Kysely<Database>,
  subscriberId: number,
): Promise<{ name: string | null; topics: string[]; language: Language; frequency: Frequency; requestedAt: string } | null> {
  const row = await webDb(db).selectFrom('web_signups').selectAll().where('subscriber_id', '=', subscriberId).executeTakeFirst();
  if (!row) return null;
  return {
    name: row.name,
    topics: JSON.parse(row.topics) as string[],
    language: row.language,
    frequency: row.frequency,
    requestedAt: row.requested_at,
  };
}

/** New topics and language for an active reader, from the next issue on; false when the reader is not active. */
export async function updatePreferences(
  db: Kysely<Database>,
  subscriberId: number,
  choice: { topics: string[]; language: Language; interests?: ReaderInterests | undefined; frequency?: Frequency | undefined },
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  return webDb(db)
    .transaction()
    .execute(async (trx) => {
      const result = await trx
        .updateTable('subscribers')
        .set({ language: choice.language, ...(choice.frequency ? { frequency: choice.frequency } : {}), updated_at: at })
        .where('id', '=', subscriberId)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await replaceTopics(trx, subscriberId, choice.topics);
      // The web's database type holds the core tables too; writeInterests touches only its own table.
      if (choice.interests) await writeInterests(trx as unknown as Transaction<Database>, subscriberId, choice.interests, now);
      return true;
    });
}

/**
 * The reader leaves: `unsubscribed` when they were active or pending (any open sign-up is dropped, so an old
 * confirmation link cannot bring them back). A bounced or complained reader stays so: that status says more.
 */
export async function unsubscribeReader(
  db: Kysely<Database>,
  subscriberId: number,
  now: Date,
): Promise<{ before: SubscriberStatus | null; changed: boolean }> {
  const at = now.toISOString();
  return webDb(db)
    .transaction()
    .execute(async (trx) => {
      const current = await trx.selectFrom('subscribers').select('status').where('id', '=', subscriberId).executeTakeFirst();
      if (!current) return { before: null, changed: false };
      await trx.deleteFrom('web_signups').where('subscriber_id', '=', subscriberId).execute();
      if (current.status !== 'active' && current.status !== 'pending') return { before: current.status, changed: false };
      await trx
        .updateTable('subscribers')
        .set({ status: 'unsubscribed', updated_at: at, status_changed_at: at })
        .where('id', '=', subscriberId)
        .execute();
      return { before: current.status, changed: true };
    });
}

/**
 * Stops all mail to an address the provider reported: `complained` always wins, `bounced` does not overwrite a
 * complaint. Open sign-ups are dropped. Returns the reader id, or null for an address paperboy does not know.
 */
export async function suppressAddress(
  db: Kysely<Database>,
  email: string,
  status: 'bounced' | 'complained',
  now: Date,
): Promise<number | null> {
  const at = now.toISOString();
  return webDb(db)
    .transaction()
    .execute(async (trx) => {
      const current = await trx
        .selectFrom('subscribers')
        .select(['id', 'status'])
        .where('email', '=', normalizeEmail(email))
        .executeTakeFirst();
      if (!current) return null;
      const id = Number(current.id);
      await trx.deleteFrom('web_signups').where('subscriber_id', '=', id).execute();
      if (current.status === status || (status === 'bounced' && current.status === 'complained')) return id;
      await trx
        .updateTable('subscribers')
        .set({ status, updated_at: at, status_changed_at: at })
        .where('id', '=', id)
        .execute();
      return id;
    });
}

/**
 * Removes sign-ups never confirmed within `maxAgeMs`: pending web readers (with their topics) and stale open
 * requests of known readers. Readers who came from an import are never removed here.
 */
export async function removeExpiredSignups(
  db: Kysely<Database>,
  now: Date,
  maxAgeMs: number,
): Promise<{ readers: number; requests: number }> {
  const cutoff = new Date(now.getTime() - maxAgeMs).toISOString();
  return webDb(db)
    .transaction()
    .execute(async (trx) => {
      const requests = await trx.deleteFrom('web_signups').where('requested_at', '<', cutoff).executeTakeFirst();
      // Their topics and any request left go with them (ON DELETE CASCADE).
      const readers = await trx
        .deleteFrom('subscribers')
        .where('status', '=', 'pending')
        .where('source', '=', 'web')
        .where('updated_at', '<', cutoff)
        .executeTakeFirst();
      return { readers: Number(readers.numDeletedRows), requests: Number(requests.numDeletedRows) };
    });
}
