import { randomBytes } from 'node:crypto';
// Resend's SDK verifies with standardwebhooks; the tests sign with the same library, as Resend's servers do.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { planDeliveries, markDelivery, listDeliveries } from '../../src/store/deliveries.ts';
import { findSubscriber, upsertSubscribers } from '../../src/store/subscribers.ts';
import { createHarness, type Harness } from './web-harness.ts';

// /webhooks/resend: the svix signature over the raw body, bounces and complaints suppress the reader, retries of
// the same event change nothing.

const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const signer = new Webhook(WEBHOOK_SECRET);

function bounce(to: string, type: 'Permanent' | 'Transient' = 'Permanent', emailId = 'e-1') {
  return {
    type: 'email.bounced',
    created_at: '2026-03-02T09:05:00.000Z',
    data: {
      created_at: '2026-03-02T09:00:00.000Z',
      email_id: emailId,
      from: 'digest@example.org',
      to: [to],
      subject: 'arXiv digest',
      bounce: { message: 'mailbox does not exist', subType: 'General', type },
    },
  };
}

function complaint(to: string) {
  return { type: 'email.complained', created_at: '2026-03-02T09:05:00.000Z', data: { email_id: 'e-2', to: [to], from: 'digest@example.org', subject: 'x', created_at: '2026-03-02T09:00:00.000Z' } };
}

/** A delivery as Resend makes it: the exact body bytes and the svix headers signed over them. */
function signed(event: unknown, id = `msg_${randomBytes(8).toString('hex')}`, at = new Date()) {
  const body = JSON.stringify(event, null, 1);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': signer.sign(id, at, body),
    },
  };
}

function post(h: Harness, delivery: { body: string; headers: Record<string, string> }) {
  return h.app.request('/webhooks/resend', { method: 'POST', headers: delivery.headers, body: delivery.body });
}

async function withReader(email = 'reader@example.org') {
  const h = await createHarness({}, { webhookSecret: WEBHOOK_SECRET });
  await upsertSubscribers(h.db, [{ email, name: null, topics: ['llm'], language: 'en' }], new Date());
  return { h, id: (await findSubscriber(h.db, { email }))!.id };
}

describe('POST /webhooks/resend', () => {
  it('suppresses a reader whose mail bounced for good, and marks that mail bounced in the ledger', async () => {
    const { h, id } = await withReader();
    await planDeliveries(h.db, '2026-03-02', [{ subscriberId: id, email: 'reader@example.org', segmentId: 'en.llm' }], new Date());
    await markDelivery(h.db, '2026-03-02', id, { status: 'sent', messageId: 'e-1' }, new Date());
    const res = await post(h, signed(bounce('Reader@Example.org')));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, outcome: 'suppressed:bounced' });
    expect((await findSubscriber(h.db, { id }))?.status).toBe('bounced');
    expect((await listDeliveries(h.db, '2026-03-02'))[0]?.status).toBe('bounced');
  });

  it('suppresses a reader who complained', async () => {
    const { h, id } = await withReader();
    const res = await post(h, signed(complaint('reader@example.org')));
    expect(await res.json()).toEqual({ ok: true, outcome: 'suppressed:complained' });
    expect((await findSubscriber(h.db, { id }))?.status).toBe('complained');
  });

  it('is idempotent: a retried event is recognised by its svix-id and applied once', async () => {
    const { h, id } = await withReader();
    const delivery = signed(bounce('reader@example.org'), 'msg_retry_1');
    expect(await (await post(h, delivery)).json()).toEqual({ ok: true, outcome: 'suppressed:bounced' });
    // The reader comes back by themselves in between: a late retry must not suppress them again.
    await h.db.updateTable('subscribers').set({ status: 'active' }).where('id', '=', id).execute();
    const retry = await post(h, delivery);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ ok: true, outcome: 'suppressed:bounced', duplicate: true });
    expect((await findSubscriber(h.db, { id }))?.status).toBe('active');
  });

  it('ignores a transient bounce and other events', async () => {
    const { h, id } = await withReader();
    expect(await (await post(h, signed(bounce('reader@example.org', 'Transient')))).json()).toMatchObject({ outcome: 'ignored:transient-bounce' });
    expect(await (await post(h, signed({ type: 'email.delivered', data: { to: ['reader@example.org'] } }))).json()).toMatchObject({ outcome: 'ignored' });
    expect((await findSubscriber(h.db, { id }))?.status).toBe('active');
  });

  it('answers 200 for an address it does not know (Resend would retry anything else)', async () => {
    const { h } = await withReader();
    expect(await (await post(h, signed(bounce('stranger@example.org')))).json()).toEqual({ ok: true, outcome: 'unknown-address' });
  });

  it.each([
    ['a body changed after signing', (d: ReturnType<typeof signed>) => ({ ...d, body: d.body.replace('Permanent', 'Permanent ') })],
    ['a re-serialised body', (d: ReturnType<typeof signed>) => ({ ...d, body: JSON.stringify(JSON.parse(d.body)) })],
    ['a signature with another secret', (d: ReturnType<typeof signed>) => ({
      ...d,
      headers: { ...d.headers, 'svix-signature': new Webhook(`whsec_${randomBytes(24).toString('base64')}`).sign(d.headers['svix-id'], new Date(), d.body) },
    })],
    ['another event id', (d: ReturnType<typeof signed>) => ({ ...d, headers: { ...d.headers, 'svix-id': 'msg_other' } })],
    ['an old timestamp (replay)', () => signed(bounce('reader@example.org'), 'msg_old', new Date(Date.now() - 10 * 60_000))],
  ])('rejects %s with 401 and changes nothing', async (_name, tamper) => {
    const { h, id } = await withReader();
    const res = await post(h, tamper(signed(bounce('reader@example.org'))));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ ok: false, error: 'invalid signature' });
    expect((await findSubscriber(h.db, { id }))?.status).toBe('active');
  });

  it('rejects a request without the svix headers with 400', async () => {
    const { h } = await withReader();
    const res = await h.app.request('/webhooks/resend', { method: 'POST', body: JSON.stringify(bounce('reader@example.org')) });
    expect(res.status).toBe(400);
  });

  it('does not exist when RESEND_WEBHOOK_SECRET is not set', async () => {
    const h = await createHarness();
    const res = await post(h, signed(bounce('reader@example.org')));
    expect(res.status).toBe(404);
  });
});
