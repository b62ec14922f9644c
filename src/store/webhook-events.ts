import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { webDb } from './web-schema.ts';

// Resend retries a webhook until it gets a 2xx (for about a day), so the same event can arrive many times: the
// first arrival is recorded with what was done, later ones are recognised by their svix-id.

export interface WebhookRecord {
  id: string;
  type: string;
  receivedAt: string;
  outcome: string;
}

/** The earlier handling of this event id, or null when it is new. */
export async function findWebhookEvent(db: Kysely<Database>, id: string): Promise<WebhookRecord | null> {
  const row = await webDb(db).selectFrom('webhook_events').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { id: row.id, type: row.type, receivedAt: row.received_at, outcome: row.outcome } : null;
}

/** Records a handled event; false when another request recorded the same id first. */
export async function recordWebhookEvent(
  db: Kysely<Database>,
  event: { id: string; type: string; outcome: string },
  now: Date,
): Promise<boolean> {
  const result = await webDb(db)
    .insertInto('webhook_events')
    .values({ id: event.id, type: event.type, received_at: now.toISOString(), outcome: event.outcome })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/**
 * Marks the ledger row of a provider message as bounced, so the run report of that day tells the truth. The
 * provider id is what the transport stored as message_id; no row matches for mails sent elsewhere.
 */
export async function markDeliveryBounced(db: Kysely<Database>, providerId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('deliveries')
    .set({ status: 'bounced', updated_at: now.toISOString() })
    .where('message_id', '=', providerId)
    .where('status', '=', 'sent')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Permanent bounces Resend reported through the webhook (each event once, whatever became of its address). */
export async function countWebhookBounces(db: Kysely<Database>): Promise<number> {
  const row = await webDb(db)
    .selectFrom('webhook_events')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('type', '=', 'email.bounced')
    .where('outcome', '!=', 'ignored:transient-bounce')
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
