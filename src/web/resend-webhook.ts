import type { Kysely } from 'kysely';
import { Resend } from 'resend';
import type { Database } from '../store/schema.ts';
import { findWebhookEvent, markDeliveryBounced, recordWebhookEvent } from '../store/webhook-events.ts';
import { suppressAddress } from '../store/web-subscribers.ts';

// Bounces and complaints reported by Resend. The signature (svix / Standard Webhooks: HMAC over id, timestamp and
// the raw body, with a 5-minute timestamp tolerance) is checked by the SDK's own verifier on the body exactly as it
// arrived: re-serialised JSON would not match. Each event id is handled once; retries get the first answer.

export interface WebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export interface WebhookAnswer {
  status: 200 | 400 | 401;
  body: { ok: boolean; outcome?: string; duplicate?: boolean; error?: string };
}

interface ResendEvent {
  type?: unknown;
  data?: { to?: unknown; email_id?: unknown; bounce?: { type?: unknown } };
}

export type WebhookVerifier = (payload: string, headers: { id: string; timestamp: string; signature: string }) => unknown;

/** Resend's verifier. The client is never used to call the API, so its key is a placeholder. */
export function resendVerifier(webhookSecret: string): WebhookVerifier {
  const client = new Resend('re_webhook_verification_only');
  return (payload, headers) => client.webhooks.verify({ payload, headers, webhookSecret });
}

function addressesOf(event: ResendEvent): string[] {
  const to = event.data?.to;
  const list = Array.isArray(to) ? to : typeof to === 'string' ? [to] : [];
  // Resend sends bare addresses; a display-name form is reduced to the address, just in case.
  return list
    .filter((t): t is string => typeof t === 'string')
    .map((t) => /<([^>]+)>\s*$/.exec(t)?.[1] ?? t)
    .map((t) => t.trim())
    .filter((t) => t.includes('@'));
}

async function apply(db: Kysely<Database>, event: ResendEvent, now: Date): Promise<string> {
  const type = typeof event.type === 'string' ? event.type : '';
  const emailId = typeof event.data?.email_id === 'string' ? event.data.email_id : null;
  if (type === 'email.bounced') {
    // Only a permanent bounce means the address is gone; a transient one (full mailbox, greylisting) may pass later.
    if (event.data?.bounce?.type !== 'Permanent') return 'ignored:transient-bounce';
    const ids = [];
    for (const address of addressesOf(event)) ids.push(await suppressAddress(db, address, 'bounced', now));
    if (emailId) await markDeliveryBounced(db, emailId, now);
    return ids.some((id) => id !== null) ? 'suppressed:bounced' : 'unknown-address';
  }
  if (type === 'email.complained') {
    const ids = [];
    for (const address of addressesOf(event)) ids.push(await suppressAddress(db, address, 'complained', now));
    return ids.some((id) => id !== null) ? 'suppressed:complained' : 'unknown-address';
  }
  return 'ignored';
}

export async function handleResendWebhook(
  deps: { db: Kysely<Database>; verify: WebhookVerifier; now: Date },
  rawBody: string,
  headers: WebhookHeaders,
): Promise<WebhookAnswer> {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) {
    return { status: 400, body: { ok: false, error: 'missing svix-id, svix-timestamp or svix-signature header' } };
  }
  let event: ResendEvent;
  try {
    event = deps.verify(rawBody, { id, timestamp, signature }) as ResendEvent;
  } catch {
    return { status: 401, body: { ok: false, error: 'invalid signature' } };
  }
  const earlier = await findWebhookEvent(deps.db, id);
  if (earlier) return { status: 200, body: { ok: true, outcome: earlier.outcome, duplicate: true } };
  // Applying twice is harmless (suppression is idempotent), so a concurrent retry racing this one does no harm.
  const outcome = await apply(deps.db, event, deps.now);
  const type = typeof event.type === 'string' ? event.type.slice(0, 100) : 'unknown';
  const first = await recordWebhookEvent(deps.db, { id, type, outcome }, deps.now);
  return { status: 200, body: first ? { ok: true, outcome } : { ok: true, outcome, duplicate: true } };
}
