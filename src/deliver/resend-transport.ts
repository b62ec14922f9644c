import { Resend } from 'resend';
import { parseRetryAfter } from '../net/retry-after.ts';
import type { MailJob, MailTransport, SendContext, SendOutcome } from './transport.ts';

// Resend's batch API: up to 100 mails per call, each call under an idempotency key, so a call whose answer was
// lost can be made again with the same key and the same mails without sending anything twice (for 24 hours).
// The SDK never throws on API errors: every call resolves to { data, error, headers } and both are checked.

export const RESEND_MAX_BATCH = 100;

export interface ResendOptions {
  apiKey: string;
  /** Default: RESEND_BASE_URL, else https://api.resend.com. */
  baseUrl?: string | undefined;
  /** Calls per second over the whole run (Resend allows 2 per team by default). */
  requestsPerSecond: number;
  /** For tests: how the transport waits between calls. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface ResendError {
  name?: string;
  message?: string;
  statusCode?: number | null;
}

const STOP_ERRORS = new Set([
  'missing_api_key',
  'invalid_api_key',
  'restricted_api_key',
  'invalid_from_address',
  'invalid_access',
  'security_error',
  'invalid_region',
  'not_found',
  'method_not_allowed',
]);
const QUOTA_ERRORS = new Set(['daily_quota_exceeded', 'monthly_quota_exceeded']);
const INVALID_REQUEST = new Set([
  'validation_error',
  'invalid_parameter',
  'missing_required_field',
  'invalid_attachment',
  'invalid_idempotency_key',
]);

/** `retry-after` (seconds or an HTTP date), else `ratelimit-reset` (seconds), in ms; undefined when absent. */
export function retryAfterMs(headers: Record<string, string> | null | undefined, now: number): number | undefined {
  // The 'number' reading: fractions, negative → 0, and an empty value is 0 s (see net/retry-after.ts).
  const retryAfter = parseRetryAfter(headers?.['retry-after'], now, 'number');
  if (retryAfter !== null) return retryAfter;
  const reset = Number(headers?.['ratelimit-reset']);
  return Number.isFinite(reset) && headers?.['ratelimit-reset'] !== undefined ? Math.max(0, reset * 1000) : undefined;
}

/** What a failed batch call means for every mail in it. */
export function classifyResendError(
  error: ResendError,
  headers: Record<string, string> | null | undefined,
  now: number,
): SendOutcome {
  const name = error.name ?? 'application_error';
  const status = error.statusCode ?? null;
  const text = `${name}${status ? ` (${status})` : ''}: ${error.message ?? 'no message'}`;
  if (QUOTA_ERRORS.has(name)) {
    const which = name.startsWith('daily') ? 'daily' : 'monthly';
    return { status: 'stop', error: `Resend's ${which} sending quota is used up (${error.message ?? name}); the rest stays planned for the next run` };
  }
  if (STOP_ERRORS.has(name)) return { status: 'stop', error: `Resend refused the request: ${text}` };
  const wait = retryAfterMs(headers, now);
  if (name === 'rate_limit_exceeded') {
    return { status: 'rejected', retryable: true, error: text, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  }
  // The same key is still being processed: ask again later with the same key.
  if (name === 'concurrent_idempotent_requests') {
    return { status: 'uncertain', error: text, retryAfterMs: wait ?? 1000 };
  }
  // The key was used before with other mails: the first call reached Resend, and asking again cannot tell more.
  if (name === 'invalid_idempotent_request') return { status: 'uncertain', error: text, final: true };
  if (INVALID_REQUEST.has(name)) return { status: 'rejected', retryable: false, error: text };
  if (status !== null && status >= 400 && status < 500 && name !== 'application_error') {
    return { status: 'rejected', retryable: false, error: text };
  }
  // A 5xx, a network failure (statusCode null) or an unreadable answer: the mails may have been accepted.
  return { status: 'uncertain', error: text, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
}

/** Resend tag values allow ASCII letters, digits, `_` and `-`. */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);

function toResendEmail(mail: MailJob) {
  const f = mail.fields();
  return {
    from: f.from,
    to: [f.to],
    ...(f.replyTo ? { replyTo: f.replyTo } : {}),
    subject: f.subject,
    html: f.html,
    text: f.text,
    headers: f.headers,
    tags: [
      { name: 'issue', value: tagValue(f.headers['X-Paperboy-Issue'] ?? 'none') },
      { name: 'segment', value: tagValue(f.headers['X-Paperboy-Segment'] ?? 'none') },
    ],
  };
}

/** Spaces calls at least 1/rps apart over the whole run; a retry-after pushes every later call back. */
export function createPacer(requestsPerSecond: number, now: () => number, sleep: (ms: number) => Promise<void>) {
  const interval = 1000 / requestsPerSecond;
  let next = 0;
  return {
    async wait() {
      const t = now();
      const at = Math.max(t, next);
      next = at + interval;
      if (at > t) await sleep(at - t);
    },
    pushBack(ms: number) {
      next = Math.max(next, now() + ms);
    },
  };
}

export function createResendTransport(options: ResendOptions): MailTransport {
  const resend = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl } : undefined);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pacer = createPacer(options.requestsPerSecond, now, sleep);

  async function send(mails: readonly MailJob[], context: SendContext): Promise<SendOutcome[]> {
    await pacer.wait();
    const emails = mails.map(toResendEmail);
    const { data, error, headers } = await resend.batch.send(emails, {
      idempotencyKey: context.idempotencyKey,
      batchValidation: 'permissive',
    });
    if (error || !data) {
      const outcome = classifyResendError(error ?? { name: 'application_error', message: 'no data and no error' }, headers, now());
      if ('retryAfterMs' in outcome && outcome.retryAfterMs !== undefined) pacer.pushBack(outcome.retryAfterMs);
      return mails.map(() => outcome);
    }
    const ids = data.data ?? [];
    const failed = new Map((('errors' in data ? data.errors : undefined) ?? []).map((e) => [e.index, e.message]));
    // Permissive mode answers with the ids of the accepted mails; they line up with the input either one to one
    // or in order over the mails that were not refused.
    const accepted = mails.map((_, i) => i).filter((i) => !failed.has(i));
    const idOf = new Map<number, string>();
    if (ids.length === mails.length) ids.forEach((d, i) => idOf.set(i, d.id));
    else accepted.forEach((index, k) => ids[k] && idOf.set(index, ids[k].id));
    return mails.map((_, i): SendOutcome => {
      const refused = failed.get(i);
      if (refused !== undefined) return { status: 'rejected', retryable: false, error: `Resend refused this mail: ${refused}` };
      const id = idOf.get(i);
      return id !== undefined
        ? { status: 'sent', providerId: id }
        : { status: 'uncertain', error: 'Resend accepted the batch but returned no id for this mail', final: true };
    });
  }

  return {
    name: 'resend',
    maxBatch: RESEND_MAX_BATCH,
    resend: 'same-key',
    // Resend keeps idempotency keys for 24 hours; an hour of margin for clocks and slow runs.
    keyLifetimeMs: 23 * 60 * 60 * 1000,
    send,
    async close() {},
  };
}
