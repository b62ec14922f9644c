import { describe, expect, it } from 'vitest';
import { emptyReport, type RunReport } from '../../src/run-report.ts';
import { recordRun } from '../../src/store/runs.ts';
import { findSubscriber, setSubscriberStatus, upsertSubscribers } from '../../src/store/subscribers.ts';
import { recordWebhookEvent } from '../../src/store/webhook-events.ts';
import { readerLinks } from '../../src/links/link-tokens.ts';
import { startServer } from '../../src/web/start-server.ts';
import { addRunReport, emptyRunTotals } from '../../src/web/web-metrics.ts';
import { SECRET, START, confirmPathOf, createHarness, pathOf, submit, type Harness } from './web-harness.ts';

// /metrics in Prometheus' text format, read line by line by a strict parser, against a seeded store.

const TOKEN = 'metrics-token-0123456789abcdef';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of the text exposition format (version 0.0.4): every line is a HELP or TYPE comment, or
 * `name{label="value",…} value`; every sample belongs to a family announced with HELP and TYPE before it.
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const help = new Set<string>();
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
  const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?\\})? (-?(?:\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?|Inf|NaN|\\+Inf))$`);
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) \\S.*$`).exec(line))) {
      help.add(m[1]!);
      continue;
    }
    if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      expect(help.has(m[1]!), `TYPE before HELP for ${m[1]}`).toBe(true);
      types.set(m[1]!, m[2]!);
      continue;
    }
    m = SAMPLE.exec(line);
    expect(m, `not a sample line: ${JSON.stringify(line)}`).not.toBeNull();
    const [, name, labelText, value] = m!;
    expect(types.has(name!), `no TYPE for ${name}`).toBe(true);
    const labels = Object.fromEntries([...(labelText ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    samples.push({ name: name!, labels, value: Number(value) });
  }
  return { samples, types };
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

function report(parts: Partial<RunReport>): RunReport {
  return { ...emptyReport('2025-11-14'), ...parts };
}

const transport = (name: string, sent: number, failed = 0, bounced = 0) => ({
  name,
  sent,
  failed,
  bounced,
  unknown: 0,
  skipped: 0,
  durationMs: 1000,
  mailsPerSecond: sent,
});

async function seed(h: Harness) {
  await recordRun(h.db, {
    trigger: 'schedule',
    startedAt: new Date('2025-11-13T05:30:00Z'),
    finishedAt: new Date('2025-11-13T09:30:00Z'),
    report: report({
      status: 'failed',
      exitCode: 1,
      schedule: { tickAt: '', feedDueAt: null, polls: 17, failedFetches: 17, waitedMs: 0, lastProbe: null, listing: [] },
    }),
  });
  await recordRun(h.db, {
    trigger: 'run',
    startedAt: new Date('2025-11-14T05:30:00Z'),
    finishedAt: new Date('2025-11-14T05:31:40Z'),
    report: report({
      status: 'sent',
      exitCode: 0,
      feeds: [
        { source: 'https://rss.arxiv.org/rss/cs.AI', papers: 20, batchDate: '2025-11-14' },
        { source: 'https://rss.arxiv.org/rss/cs.CV', papers: 0, batchDate: null, error: 'HTTP 503' },
      ],
      transports: [transport('smtp', 8, 1, 1)],
      translation: { requests: 3, tokensIn: 1200, tokensOut: 3400 } as RunReport['translation'],
    }),
  });
  await upsertSubscribers(
    h.db,
    ['ada', 'wei', 'lin'].map((n) => ({ email: `${n}@example.org`, name: null, topics: ['llm'], language: 'en' as const })),
    START,
  );
  await setSubscriberStatus(h.db, (await findSubscriber(h.db, { email: 'lin@example.org' }))!.id, 'bounced', START);
  await recordWebhookEvent(h.db, { id: 'msg_1', type: 'email.bounced', outcome: 'suppressed:bounced' }, START);
  await recordWebhookEvent(h.db, { id: 'msg_2', type: 'email.bounced', outcome: 'ignored:transient-bounce' }, START);
}

async function scrape(h: Harness, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  const res = await h.app.request('/metrics', { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, ...parseExposition(text) };
}

describe('/metrics', () => {
  it('gives the run history, mails, feeds, translation, readers and web events in Prometheus text', async () => {
    const h = await createHarness({}, { metricsToken: TOKEN });
    await seed(h);

    // A sign-up, its confirmation and a one-click unsubscribe, through the pages.
    expect((await submit(h, '/', { email: 'new@example.org', topics: ['llm'], language: 'en' })).status).toBe(200);
    expect((await submit(h, confirmPathOf(h.mails.at(-1)!), {})).status).toBe(200);
    const reader = await findSubscriber(h.db, { email: 'new@example.org' });
    const oneClick = await h.app.request(pathOf(readerLinks('https://digest.test', reader!.id, SECRET).unsubscribeUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);

    const { text, samples, types } = await scrape(h);
    for (const s of samples) expect(s.name).toMatch(/^paperboy_/);
    expect(text).not.toMatch(/@/);
    expect(Object.fromEntries(types)).toEqual({
      paperboy_last_successful_run_timestamp_seconds: 'gauge',
      paperboy_runs_total: 'counter',
      paperboy_mails_total: 'counter',
      paperboy_feed_failures_total: 'counter',
      paperboy_translation_requests_total: 'counter',
      paperboy_translation_tokens_total: 'counter',
      paperboy_signups_total: 'counter',
      paperboy_unsubscribes_total: 'counter',
      paperboy_subscribers: 'gauge',
    });
    expect(value(samples, 'paperboy_last_successful_run_timestamp_seconds')).toBe(Date.parse('2025-11-14T05:31:40Z') / 1000);
    expect(value(samples, 'paperboy_runs_total', { status: 'sent' })).toBe(1);
    expect(value(samples, 'paperboy_runs_total', { status: 'failed' })).toBe(1);
    expect(value(samples, 'paperboy_mails_total', { transport: 'smtp', outcome: 'sent' })).toBe(8);
    expect(value(samples, 'paperboy_mails_total', { transport: 'smtp', outcome: 'failed' })).toBe(1);
    expect(value(samples, 'paperboy_mails_total', { transport: 'smtp', outcome: 'bounced' })).toBe(1);
    // The permanent bounce Resend reported later; the transient one is not a bounce.
    expect(value(samples, 'paperboy_mails_total', { transport: 'resend', outcome: 'bounced' })).toBe(1);
    expect(value(samples, 'paperboy_feed_failures_total')).toBe(18);
    expect(value(samples, 'paperboy_translation_requests_total')).toBe(3);
    expect(value(samples, 'paperboy_translation_tokens_total', { direction: 'input' })).toBe(1200);
    expect(value(samples, 'paperboy_translation_tokens_total', { direction: 'output' })).toBe(3400);
    expect(value(samples, 'paperboy_signups_total', { stage: 'requested' })).toBe(1);
    expect(value(samples, 'paperboy_signups_total', { stage: 'confirmed' })).toBe(1);
    expect(value(samples, 'paperboy_unsubscribes_total')).toBe(1);
    expect(value(samples, 'paperboy_subscribers', { status: 'active' })).toBe(2);
    expect(value(samples, 'paperboy_subscribers', { status: 'bounced' })).toBe(1);
    expect(value(samples, 'paperboy_subscribers', { status: 'unsubscribed' })).toBe(1);
  });

  it('adds each new run once, scrape after scrape', async () => {
    const h = await createHarness({}, { metricsToken: TOKEN });
    await seed(h);
    await scrape(h);
    await recordRun(h.db, {
      trigger: 'run',
      startedAt: new Date('2025-11-17T05:30:00Z'),
      finishedAt: new Date('2025-11-17T05:31:00Z'),
      report: report({ status: 'sent', exitCode: 0, transports: [transport('resend', 5)] }),
    });
    const [first, second] = await Promise.all([scrape(h), scrape(h)]);
    for (const { samples } of [first!, second!]) {
      expect(value(samples, 'paperboy_mails_total', { transport: 'smtp', outcome: 'sent' })).toBe(8);
      expect(value(samples, 'paperboy_mails_total', { transport: 'resend', outcome: 'sent' })).toBe(5);
      expect(value(samples, 'paperboy_runs_total', { status: 'sent' })).toBe(2);
      expect(value(samples, 'paperboy_last_successful_run_timestamp_seconds')).toBe(Date.parse('2025-11-17T05:31:00Z') / 1000);
    }
  });

  it('says 0 for the last success before any run', async () => {
    const h = await createHarness({}, { metricsToken: TOKEN });
    const { samples } = await scrape(h);
    expect(value(samples, 'paperboy_last_successful_run_timestamp_seconds')).toBe(0);
    expect(value(samples, 'paperboy_signups_total', { stage: 'requested' })).toBe(0);
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token-at-all-000' }],
    ['the token as a query-less basic credential', { authorization: `Basic ${TOKEN}` }],
  ])('is not found with %s', async (_name, headers) => {
    const h = await createHarness({}, { metricsToken: TOKEN });
    expect((await h.app.request('/metrics', { headers })).status).toBe(404);
  });

  it('without a token answers direct requests from this machine only, not those through a proxy', async () => {
    const h = await createHarness();
    expect((await h.app.request('/metrics')).status).toBe(404);
    const server = await startServer(h.app, { host: '127.0.0.1', port: 0 });
    try {
      const direct = await fetch(`${server.url}/metrics`);
      expect(direct.status).toBe(200);
      parseExposition(await direct.text());
      const proxied = await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(proxied.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('addRunReport', () => {
  it('reads reports stored before some parts existed', () => {
    const totals = emptyRunTotals();
    const old = { ...emptyReport('2025-01-02'), transports: undefined, feeds: undefined } as unknown as RunReport;
    addRunReport(totals, old);
    addRunReport(totals, report({ transports: [transport('outbox', 3)], schedule: { tickAt: '', feedDueAt: null, polls: 2, waitedMs: 0, lastProbe: null, listing: [] } }));
    expect(totals).toEqual({ mails: new Map([['outbox', { sent: 3, failed: 0, bounced: 0 }]]), feedFailures: 0, translationRequests: 0, tokensIn: 0, tokensOut: 0 });
  });
});
