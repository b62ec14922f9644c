import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { parseApiResponse } from '../../src/arxiv/parse-api-response.ts';
import { parseFeed } from '../../src/arxiv/parse-feed.ts';
import type { Hono } from 'hono';
import { validateConfig } from '../../src/config/load-config.ts';
import type { PaperboyConfig } from '../../src/config/schema.ts';
import type { OutgoingMail } from '../../src/deliver/compose-mail.ts';
import type { MailTransport, SendOutcome } from '../../src/deliver/transport.ts';
import { saveBatch } from '../../src/store/batches.ts';
import { openDatabase } from '../../src/store/database.ts';
import { markDelivery, planDeliveries } from '../../src/store/deliveries.ts';
import { saveDetails } from '../../src/store/paper-details.ts';
import { findSubscriber, upsertSubscribers } from '../../src/store/subscribers.ts';
import { importTranslations } from '../../src/translate/import-translations.ts';
import type { Paper } from '../../src/types.ts';
import type { Database } from '../../src/store/schema.ts';
import { createApp, type AppDeps } from '../../src/web/app.ts';
import { recordLog } from '../support/record-log.ts';

// A fresh app over an in-memory database, a fixed clock the test can move, and a transport that keeps every mail.

export const SECRET = 'web-test-secret-0123456789abcdef0123456789';
export const BASE = 'https://digest.test';
export const START = new Date('2026-03-02T09:00:00Z');

export interface Harness {
  app: Hono;
  db: Kysely<Database>;
  config: PaperboyConfig;
  mails: OutgoingMail[];
  clock: { now: Date; advance(ms: number): void };
  logs: string[];
  /** When set, the transport refuses every mail with this error. */
  failSends: { error: string | null };
}

export async function createHarness(
  configInput: Record<string, unknown> = {},
  extra: Partial<AppDeps> = {},
): Promise<Harness> {
  const result = validateConfig({
    newsletter: { publicBaseUrl: BASE, name: 'paperboy test', postalAddress: '1 Test Road, Testville' },
    ...configInput,
    web: { trustProxy: true, ...((configInput.web as object | undefined) ?? {}) },
  });
  if (!result.config) throw new Error(result.errors.join('\n'));
  const config = result.config;
  const db = await openDatabase({ file: ':memory:' });
  const mails: OutgoingMail[] = [];
  const failSends = { error: null as string | null };
  const transport: MailTransport = {
    name: 'memory',
    maxBatch: 100,
    resend: 'overwrite',
    async send(jobs) {
      return jobs.map((job): SendOutcome => {
        if (failSends.error) return { status: 'rejected', error: failSends.error, retryable: true };
        mails.push(job.fields());
        return { status: 'sent', providerId: job.messageId };
      });
    },
    async close() {},
  };
  const clock = {
    now: START,
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  const logs: string[] = [];
  const app = createApp({
    db,
    config,
    secret: SECRET,
    transport,
    now: () => clock.now,
    log: recordLog(logs),
    ...extra,
  });
  return { app, db, config, mails, clock, logs, failSends };
}

/** The hidden CSRF token of the (first) form on a page. */
export function csrfOf(page: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!match?.[1]) throw new Error('no _csrf field on the page');
  return match[1];
}

/** Every CSRF token on a page, in form order. */
export function csrfTokens(page: string): string[] {
  return [...page.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1] as string);
}

export type FormFields = Record<string, string | string[]>;

export function formBody(fields: FormFields): URLSearchParams {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  }
  return body;
}

/** A browser-like form POST: same-origin headers and a client address for the rate limits. */
export function postForm(
  h: Harness,
  path: string,
  fields: FormFields,
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    h.app.request(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: BASE,
        'sec-fetch-site': 'same-origin',
        'x-forwarded-for': '203.0.113.7',
        ...headers,
      },
      body: formBody(fields),
    }),
  );
}

/** GETs a page and submits its form with the given fields (plus the page's own CSRF token). */
export async function submit(h: Harness, path: string, fields: FormFields, headers: Record<string, string> = {}): Promise<Response> {
  const page = await (await h.app.request(path)).text();
  return postForm(h, path, { _csrf: csrfOf(page), ...fields }, headers);
}

/** The path of a URL under the public base. */
export function pathOf(url: string): string {
  if (!url.startsWith(BASE)) throw new Error(`${url} is not under ${BASE}`);
  return url.slice(BASE.length) || '/';
}

/** The confirmation link in a confirmation mail's text part. */
export function confirmPathOf(mail: OutgoingMail): string {
  const match = /https:\/\/digest\.test\/confirm\/[\w.-]+/.exec(mail.text);
  if (!match) throw new Error('no confirmation link in the mail');
  return pathOf(match[0]);
}

/** Visible text of a page (tags dropped): enough to assert on wording. */
export function textOf(page: string): string {
  return page
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

export const SAMPLE_DAY = '2025-11-14';
export const SAMPLE_FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';

/**
 * The sample day stored with its recorded Chinese (and, with `details`, the recorded arXiv API answer), and — when
 * `sent` — one reader's mail of it marked sent, which is what puts a day in the public archive.
 */
export async function storeSampleDay(h: Harness, options: { sent: boolean; details?: boolean }): Promise<Paper[]> {
  const papers = (await parseFeed(readFileSync(SAMPLE_FEED, 'utf8'), 'fixture')).papers;
  await saveBatch(h.db, SAMPLE_DAY, papers, [SAMPLE_FEED], new Date());
  const zh = JSON.parse(readFileSync('test/fixtures/zh-2025-11-14.json', 'utf8'));
  await importTranslations(h.db, 'zh-2025-11-14.json', zh, new Date());
  if (options.details) {
    const api = await parseApiResponse(readFileSync('test/fixtures/arxiv-api/query-2025-11-14.xml', 'utf8'), 'fixture');
    await saveDetails(h.db, api.details, new Date());
  }
  if (options.sent) {
    await upsertSubscribers(h.db, [{ email: 'r@example.org', name: null, topics: ['llm'], language: 'en' }], new Date());
    const id = (await findSubscriber(h.db, { email: 'r@example.org' }))!.id;
    await planDeliveries(h.db, SAMPLE_DAY, [{ subscriberId: id, email: 'r@example.org', segmentId: 'en.llm' }], new Date());
    await markDelivery(h.db, SAMPLE_DAY, id, { status: 'sent', messageId: 'm' }, new Date());
  }
  return papers;
}
