import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import { Counter, Gauge, Registry } from 'prom-client';
import type { RunReport } from '../run-report.ts';
import { countRunsByStatus, lastSuccessfulRunAt, listRunReportsAfter } from '../store/runs.ts';
import type { Database } from '../store/schema.ts';
import { countSubscribers } from '../store/subscribers.ts';
import { countWebhookBounces } from '../store/webhook-events.ts';
import { isDirectLoopback } from './client-ip.ts';

// `/metrics` of `paperboy serve`, in Prometheus' text format. Runs happen in other processes (`run`, `schedule`),
// so what they did is read from the store at each scrape: the run history with its stored reports (runs, mails,
// feed failures, translation) and the subscriber table. Sign-ups and unsubscribes happen in this process and are
// counted here as they happen (from 0 at each start, which Prometheus' rate() and increase() expect of a counter).
// Nothing carries an address or a token: the only labels are statuses and transport names.

/** What the stored run reports add up to. */
export interface RunTotals {
  /** By transport: mails sent, failed (for good or not) and bounced (refused for good by the recipient's server). */
  mails: Map<string, { sent: number; failed: number; bounced: number }>;
  /** Feeds a run or a scheduler's fetch could not read. */
  feedFailures: number;
  translationRequests: number;
  tokensIn: number;
  tokensOut: number;
}

export function emptyRunTotals(): RunTotals {
  return { mails: new Map(), feedFailures: 0, translationRequests: 0, tokensIn: 0, tokensOut: 0 };
}

/** Adds one stored report to the totals. Pure; reports stored by older versions lack some parts. */
export function addRunReport(totals: RunTotals, report: RunReport): void {
  for (const t of report.transports ?? []) {
    const mails = totals.mails.get(t.name) ?? { sent: 0, failed: 0, bounced: 0 };
    mails.sent += t.sent;
    mails.failed += t.failed;
    mails.bounced += t.bounced;
    totals.mails.set(t.name, mails);
  }
  totals.feedFailures += (report.feeds ?? []).filter((f) => f.error !== undefined).length + (report.schedule?.failedFetches ?? 0);
  totals.translationRequests += report.translation?.requests ?? 0;
  totals.tokensIn += report.translation?.tokensIn ?? 0;
  totals.tokensOut += report.translation?.tokensOut ?? 0;
}

/** How far below the highest run id seen each scrape looks again (see listRunReportsAfter). */
const ID_LOOKBACK = 50;

export interface WebMetrics {
  countSignup(stage: 'requested' | 'confirmed'): void;
  countUnsubscribe(): void;
  /** The exposition text, with the store read now. */
  render(): Promise<{ contentType: string; text: string }>;
}

export function createWebMetrics(db: Kysely<Database>): WebMetrics {
  // A registry of its own: two apps in one process (tests) must not share counters, nor the global registry.
  const registry = new Registry();
  const registers = [registry];
  const lastSuccess = new Gauge({
    name: 'paperboy_last_successful_run_timestamp_seconds',
    help: 'When the latest run or scheduler tick that exited 0 (sent, or no issue that day) finished; 0 before any.',
    registers,
  });
  const runs = new Counter({ name: 'paperboy_runs_total', help: 'Runs and scheduler ticks recorded, by final status.', labelNames: ['status'], registers });
  const mails = new Counter({
    name: 'paperboy_mails_total',
    help: 'Mails by transport and outcome (sent, failed, bounced), as the runs reported them; Resend bounces come from its webhook.',
    labelNames: ['transport', 'outcome'],
    registers,
  });
  const feedFailures = new Counter({ name: 'paperboy_feed_failures_total', help: 'Feed reads that failed, in runs and in scheduler fetches.', registers });
  const translationRequests = new Counter({
    name: 'paperboy_translation_requests_total',
    help: 'HTTP requests to the translation provider, retries included.',
    registers,
  });
  const translationTokens = new Counter({
    name: 'paperboy_translation_tokens_total',
    help: 'Tokens the translation provider counted, by direction (input, output).',
    labelNames: ['direction'],
    registers,
  });
  const signups = new Counter({
    name: 'paperboy_signups_total',
    help: 'Sign-ups through the web form since this server started: requested (a confirmation mail asked for), confirmed.',
    labelNames: ['stage'],
    registers,
  });
  const unsubscribes = new Counter({
    name: 'paperboy_unsubscribes_total',
    help: 'Readers who unsubscribed (link, page or one-click) since this server started.',
    registers,
  });
  const subscribers = new Gauge({ name: 'paperboy_subscribers', help: 'Readers by status.', labelNames: ['status'], registers });
  // Known label values start at 0, so a query sees the series before the first event.
  for (const stage of ['requested', 'confirmed']) signups.inc({ stage }, 0);

  // Reports are added once each: the history only grows, so the counters only grow too.
  const totals = emptyRunTotals();
  const seen = new Set<number>();
  let highest = 0;
  const addNewReports = async () => {
    const from = Math.max(0, highest - ID_LOOKBACK);
    const recent = [...seen].filter((id) => id > from);
    for (const { id, report } of await listRunReportsAfter<RunReport>(db, from, recent)) {
      // Two scrapes at once may read the same rows; the first one counts them.
      if (seen.has(id)) continue;
      seen.add(id);
      highest = Math.max(highest, id);
      addRunReport(totals, report);
    }
    // Ids below the look-back window are never read again: forget them, so the set stays small.
    for (const id of seen) if (id <= Math.max(0, highest - ID_LOOKBACK)) seen.delete(id);
  };

  const readStore = async () => {
    await addNewReports();
    const [lastAt, byStatus, readers, webhookBounces] = await Promise.all([
      lastSuccessfulRunAt(db),
      countRunsByStatus(db),
      countSubscribers(db),
      countWebhookBounces(db),
    ]);
    lastSuccess.set(lastAt ? Date.parse(lastAt) / 1000 : 0);
    runs.reset();
    for (const { status, count } of byStatus) runs.inc({ status }, count);
    mails.reset();
    for (const [transport, m] of totals.mails) {
      mails.inc({ transport, outcome: 'sent' }, m.sent);
      mails.inc({ transport, outcome: 'failed' }, m.failed);
      mails.inc({ transport, outcome: 'bounced' }, m.bounced + (transport === 'resend' ? webhookBounces : 0));
    }
    if (webhookBounces > 0 && !totals.mails.has('resend')) mails.inc({ transport: 'resend', outcome: 'bounced' }, webhookBounces);
    feedFailures.reset();
    feedFailures.inc(totals.feedFailures);
    translationRequests.reset();
    translationRequests.inc(totals.translationRequests);
    translationTokens.reset();
    translationTokens.inc({ direction: 'input' }, totals.tokensIn);
    translationTokens.inc({ direction: 'output' }, totals.tokensOut);
    for (const [status, count] of Object.entries(readers)) subscribers.set({ status }, count);
  };

  return {
    countSignup: (stage) => signups.inc({ stage }),
    countUnsubscribe: () => unsubscribes.inc(),
    async render() {
      await readStore();
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}

/**
 * Who may read `/metrics`: with a token (PAPERBOY_METRICS_TOKEN), whoever sends it as a bearer token; without one,
 * only a scraper on this machine talking to `serve` directly (not through the reverse proxy). The figures carry no
 * address, but they tell the size of the list and how mail is going, which is nobody else's business.
 */
export function metricsAccess(token: string | undefined): (c: Context) => boolean {
  if (token === undefined) return isDirectLoopback;
  const expected = digest(token);
  return (c) => {
    const sent = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    // Compared as digests: equal lengths for timingSafeEqual, and the time does not depend on the token.
    return sent !== undefined && timingSafeEqual(digest(sent), expected);
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest();
