import { describe, expect, it } from 'vitest';
import type { LogFields } from '../../src/log/logger.ts';
import { readerLinks } from '../../src/links/link-tokens.ts';
import { redactPath } from '../../src/web/log-requests.ts';
import { recordLog } from '../support/record-log.ts';
import { createHarness, SECRET } from './web-harness.ts';

// One record per request, with an id that is echoed in X-Request-Id, and never a reader's token.

const TOKEN = 'MTIzNDU2Nzg5MA.c2VjcmV0LXNpZ25hdHVyZS1vZi10aGUtcmVhZGVy';

async function logged() {
  const lines: string[] = [];
  const fields: LogFields[] = [];
  const h = await createHarness({}, { log: recordLog(lines, () => '', fields) });
  return { h, lines, fields };
}

describe('request log', () => {
  it('logs method, path, status, time and an id, and sends the id back', async () => {
    const { h, lines, fields } = await logged();
    const res = await h.app.request('/issues');
    expect(res.status).toBe(200);
    expect(lines).toEqual(['info: GET /issues']);
    expect(fields[0]).toEqual({ status: 200, ms: expect.any(Number), requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(res.headers.get('x-request-id')).toBe(fields[0]!.requestId);
  });

  it.each([
    ['a plain token', 'edge-7f3a_9c', 'edge-7f3a_9c'],
    ['spaces', 'a b', null],
    ['other characters', 'id:with/slash<script>', null],
    ['65 characters', 'a'.repeat(65), null],
  ])('keeps an incoming X-Request-Id only when it is a short plain token: %s', async (_name, incoming, kept) => {
    const { h, fields } = await logged();
    const res = await h.app.request('/robots.txt', { headers: { 'x-request-id': incoming } });
    const id = res.headers.get('x-request-id');
    expect(fields[0]!.requestId).toBe(id);
    if (kept) expect(id).toBe(kept);
    else expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each(['confirm', 'preferences', 'unsubscribe'])('never logs the token of a /%s link', async (kind) => {
    const { h, lines } = await logged();
    const res = await h.app.request(`/${kind}/${TOKEN}`);
    expect(res.status).toBe(400);
    expect(lines).toEqual([`info: GET /${kind}/…`]);
  });

  it('logs a failing request as an error, with its id, the stack and no token', async () => {
    const { h, lines, fields } = await logged();
    const path = readerLinks('', 7, SECRET).preferencesUrl;
    const token = path.split('/').at(-1)!;
    await h.db.destroy();
    const res = await h.app.request(path, { headers: { 'x-request-id': 'trace-42' } });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toBe('trace-42');
    expect(lines).toEqual([expect.stringMatching(/^error: web: GET \/preferences\/…: /), 'error: GET /preferences/…']);
    expect(fields[0]).toMatchObject({ requestId: 'trace-42', stack: expect.stringContaining('\n') });
    expect(fields[1]).toMatchObject({ status: 500, requestId: 'trace-42' });
    expect(JSON.stringify({ lines, fields })).not.toContain(token);
  });

  it('logs health checks and scrapes at debug only', async () => {
    const { h, lines } = await logged();
    await h.app.request('/healthz');
    await h.app.request('/metrics');
    expect(lines).toEqual(['debug: GET /healthz', 'debug: GET /metrics']);
  });
});

describe('redactPath', () => {
  it.each([
    ['/', '/'],
    ['/issues/2025-11-14/llm', '/issues/2025-11-14/llm'],
    [`/confirm/${TOKEN}`, '/confirm/…'],
    [`/unsubscribe/${TOKEN}/extra`, '/unsubscribe/…/extra'],
    [`/preferences/${TOKEN}`, '/preferences/…'],
    [`/x/${'a'.repeat(300)}`, `/x/${'a'.repeat(197)}…`],
  ])('%s → %s', (path, logged) => {
    expect(redactPath(path)).toBe(logged);
  });
});
