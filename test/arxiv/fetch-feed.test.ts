import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildFeedUrl, fetchFeedText, readFeedSource, type FetchFeedOptions } from '../../src/arxiv/fetch-feed.ts';
import { ConfigError, FeedError } from '../../src/errors.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>cs.AI updates on arXiv.org</title></channel></rss>';
const FEED_ERROR =
  '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed error for query: cs.XX</title><description>Invalid category</description></channel></rss>';
const UA = 'paperboy/0.1 (+https://example.org/paperboy; mailto:ops@example.org)';

const ok: Handler = (_req, res) => res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8' }).end(FEED);
const status =
  (code: number, headers: Record<string, string> = {}, body = 'nope'): Handler =>
  (_req, res) =>
    res.writeHead(code, headers).end(body);
const hang: Handler = () => {
  /* never answers: the client's timeout must fire */
};

let server: Server;
let baseUrl: string;
let handlers: Handler[];
let requests: IncomingMessage[];
let waits: number[];

function options(extra: Partial<FetchFeedOptions> = {}): FetchFeedOptions {
  return {
    timeoutMs: 2_000,
    retries: 3,
    userAgent: UA,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...extra,
  };
}

beforeEach(async () => {
  handlers = [];
  requests = [];
  waits = [];
  server = createServer((req, res) => {
    requests.push(req);
    const handler = handlers.shift() ?? status(599, {}, 'no handler left');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('fetchFeedText', () => {
  it('returns the body and sends the User-Agent', async () => {
    handlers = [ok];
    await expect(fetchFeedText(`${baseUrl}/rss/cs.AI`, options())).resolves.toBe(FEED);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers['user-agent']).toBe(UA);
    expect(requests[0]!.url).toBe('/rss/cs.AI');
    expect(waits).toEqual([]);
  });

  it('retries a 500 and then succeeds', async () => {
    handlers = [status(500), ok];
    await expect(fetchFeedText(`${baseUrl}/rss/cs.AI`, options())).resolves.toBe(FEED);
    expect(requests).toHaveLength(2);
    expect(waits).toEqual([500]); // full jitter: 0.5 × 1 s
  });

  it('backs off exponentially with jitter, then gives up naming the last status', async () => {
    handlers = [status(503), status(502), status(500), status(504)];
    const err = await fetchFeedText(`${baseUrl}/rss/cs.AI`, options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).message).toBe(`${baseUrl}/rss/cs.AI: HTTP 504 Gateway Timeout (gave up after 4 attempts)`);
    expect(requests).toHaveLength(4);
    expect(waits).toEqual([500, 1000, 2000]);
  });

  it('caps the backoff', async () => {
    handlers = [status(500), status(500), status(500), ok];
    await fetchFeedText(`${baseUrl}/x`, options({ random: () => 0.999, baseDelayMs: 50_000 }));
    expect(waits).toEqual([49_950, 59_940, 59_940]); // 0.999 × min(60 s, 50 s · 2^n)
  });

  it('honours Retry-After in seconds on a 429', async () => {
    handlers = [status(429, { 'Retry-After': '1' }), ok];
    await expect(fetchFeedText(`${baseUrl}/rss/cs.AI`, options())).resolves.toBe(FEED);
    expect(waits).toEqual([1000]);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const now = Date.parse('2025-11-14T05:00:00Z');
    handlers = [status(503, { 'Retry-After': 'Fri, 14 Nov 2025 05:00:07 GMT' }), ok];
    await fetchFeedText(`${baseUrl}/x`, options({ now: () => now }));
    expect(waits).toEqual([7000]);
  });

  it('caps a long Retry-After at 60 s', async () => {
    handlers = [status(429, { 'Retry-After': '3600' }), ok];
    await fetchFeedText(`${baseUrl}/x`, options());
    expect(waits).toEqual([60_000]);
  });

  it('does not retry a 400 “Feed error for query” and blames the categories', async () => {
    handlers = [status(400, { 'Content-Type': 'application/rss+xml' }, FEED_ERROR), ok];
    const err = await fetchFeedText(`${baseUrl}/rss/cs.XX`, options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).message).toMatch(
      /rss\/cs\.XX: arXiv rejected the category list \(HTTP 400 Bad Request, "Feed error for query: cs\.XX"\); check the categories/,
    );
    expect(requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it.each([400, 403, 404, 410])('does not retry another %i', async (code) => {
    handlers = [status(code), ok];
    const err = await fetchFeedText(`${baseUrl}/x`, options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).message).toMatch(new RegExp(`HTTP ${code} .*; not retried$`));
    expect(requests).toHaveLength(1);
  });

  it('retries a timeout and then reports it', async () => {
    handlers = [hang, hang, hang];
    const err = await fetchFeedText(`${baseUrl}/slow`, options({ timeoutMs: 100, retries: 2 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).message).toBe(`${baseUrl}/slow: timed out after 100 ms (gave up after 3 attempts)`);
    expect((err as FeedError).cause).toBeDefined();
    expect(requests).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it('retries a timeout that happens while the body is streaming', async () => {
    const stall: Handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
      res.write('<?xml version="1.0"?><rss');
    };
    handlers = [stall, ok];
    await expect(fetchFeedText(`${baseUrl}/x`, options({ timeoutMs: 150 }))).resolves.toBe(FEED);
    expect(requests).toHaveLength(2);
  });

  it('retries a refused connection and names the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await fetchFeedText(`http://127.0.0.1:${port}/x`, options({ retries: 1 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).message).toMatch(/fetch failed: .*ECONNREFUSED.*\(gave up after 2 attempts\)$/);
    expect(waits).toHaveLength(1);
  });

  it('with retries 0 makes a single attempt', async () => {
    handlers = [status(500), ok];
    await expect(fetchFeedText(`${baseUrl}/x`, options({ retries: 0 }))).rejects.toThrow(/gave up after 1 attempt\)$/);
    expect(requests).toHaveLength(1);
  });
});

describe('readFeedSource', () => {
  it('downloads http(s) sources', async () => {
    handlers = [ok];
    await expect(readFeedSource(`${baseUrl}/rss/cs.AI`, options())).resolves.toBe(FEED);
  });

  it('reads anything else as a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paperboy-feed-'));
    const path = join(dir, 'feed.xml');
    await writeFile(path, FEED);
    await expect(readFeedSource(path, options())).resolves.toBe(FEED);
    expect(requests).toHaveLength(0);
  });

  it('names a missing file', async () => {
    const path = join(tmpdir(), 'paperboy-no-such-dir', 'missing.xml');
    const err = await readFeedSource(path, options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).feed).toBe(path);
    expect((err as FeedError).message).toBe(`${path}: no such feed file: ${path}`);
  });

  it('says when the path is a directory', async () => {
    await expect(readFeedSource(tmpdir(), options())).rejects.toThrow(/is a directory, not a feed file/);
  });
});

describe('buildFeedUrl', () => {
  it.each<[string[], 'rss' | 'atom', string | undefined, string]>([
    [['cs.AI'], 'rss', undefined, 'https://rss.arxiv.org/rss/cs.AI'],
    [['cs.CL', 'cs.AI', 'cs.CL'], 'rss', undefined, 'https://rss.arxiv.org/rss/cs.AI+cs.CL'],
    [['cs.LG', 'cs.CV', 'cs.AI', 'cs.CL'], 'atom', undefined, 'https://rss.arxiv.org/atom/cs.AI+cs.CL+cs.CV+cs.LG'],
    [['hep-th', 'astro-ph.CO', 'physics.optics'], 'rss', undefined, 'https://rss.arxiv.org/rss/astro-ph.CO+hep-th+physics.optics'],
    [['cs.AI'], 'rss', 'http://127.0.0.1:8080/', 'http://127.0.0.1:8080/rss/cs.AI'],
  ])('%j %s %s → %s', (categories, format, base, expected) => {
    expect(buildFeedUrl(categories, format, base)).toBe(expected);
  });

  it('refuses an empty category list', () => {
    expect(() => buildFeedUrl([], 'rss')).toThrow(ConfigError);
  });

  it('refuses something that is not a category', () => {
    expect(() => buildFeedUrl(['cs.AI', 'cs AI', 'cs.AI+cs.CL'], 'rss')).toThrow(/not an arXiv category: "cs AI", "cs.AI\+cs.CL"/);
  });
});
