import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { captureIO as captureWith } from '../support/capture-io.ts';

// `paperboy run` with the feed and arXiv's export API both answered by a local server: the shown papers' comments
// are asked for (versioned ids, the paperboy User-Agent), kept, and turned into a venue and a Code link in the mail;
// a second run asks nothing; an API that never answers costs only the details (the run still sends).

const SECRET = 'details-e2e-secret-0123456789abcdef0123456789';
const FEED = readFileSync('test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml', 'utf8');
const API = readFileSync('test/fixtures/arxiv-api/query-2025-11-14.xml', 'utf8');
const captureIO = () => captureWith({ PAPERBOY_SECRET: SECRET }, new Date('2025-11-14T06:00:00Z'));

describe('paperboy run asks arXiv for the shown papers’ comments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-details-e2e-'));
  let server: Server;
  let base: string;
  const apiRequests: IncomingMessage[] = [];
  let apiAnswers = true;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/rss')) return void res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(FEED);
      if (req.url?.startsWith('/api/query')) {
        apiRequests.push(req);
        if (!apiAnswers) return; // never answers: the client's timeout must fire
        return void res.writeHead(200, { 'Content-Type': 'application/atom+xml; charset=utf-8' }).end(API);
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function configFile(name: string): string {
    const file = join(dir, name);
    writeFileSync(
      file,
      `arxiv:\n  timeoutSeconds: 1\n  retries: 0\n  userAgent: "paperboy-test (mailto:ops@example.org)"\n  details:\n    apiUrl: ${base}/api/query\n`,
    );
    return file;
  }

  async function mailOf(outbox: string, to: string) {
    const day = join(outbox, '2025-11-14');
    for (const file of readdirSync(day).filter((f) => f.endsWith('.eml'))) {
      const mail = await PostalMime.parse(readFileSync(join(day, file), 'utf8'));
      if (mail.to?.[0]?.address === to) return mail;
    }
    throw new Error(`no mail to ${to}`);
  }

  it('shows the venue and the Code link, and a second run asks nothing', async () => {
    const args = ['--config', configFile('ok.yaml'), '--db', join(dir, 'ok.db')];
    expect(await runCli([...args, 'subscribers', 'import', 'subscribers/sample.csv'], captureIO())).toBe(0);
    const outbox = join(dir, 'outbox-ok');
    const io = captureIO();
    const run = [...args, 'run', '--date', '2025-11-14', '--feed', `${base}/rss`, '--outbox', outbox];
    expect(await runCli(run, io)).toBe(0);
    expect(apiRequests).toHaveLength(1);
    const ids = new URL(apiRequests[0]!.url!, base).searchParams.get('id_list')!.split(',');
    expect(ids.every((id) => /^\d{4}\.\d{5}v\d+$/.test(id))).toBe(true);
    expect(apiRequests[0]!.headers['user-agent']).toBe('paperboy-test (mailto:ops@example.org)');
    const report = io.stdout.join('\n');
    expect(report).toMatch(/arXiv details: (\d+) papers shown, 0 from the cache, \d+ from the API in 1 request; \d+ with a code link, \d+ with a venue/);

    // The sample reader with vision gets Depth Anything 3: its comment names the code; robotics' paper a venue.
    const vision = await mailOf(outbox, 'li.na@example.com');
    const html = vision.html ?? '';
    if (html.includes('Depth Anything 3')) expect(html).toContain('href="https://github.com/ByteDance-Seed/Depth-Anything-3"');
    const all = (await Promise.all(readdirSync(join(outbox, '2025-11-14')).filter((f) => f.endsWith('.eml')).map((f) =>
      PostalMime.parse(readFileSync(join(outbox, '2025-11-14', f), 'utf8')),
    ))).map((m) => m.html ?? '').join('\n');
    expect(all).toContain('href="https://github.com/ByteDance-Seed/Depth-Anything-3"');
    expect(all).toMatch(/<i>ICRA 2026<\/i>/);
    expect(all).toContain('/papers/2511.10647');

    const again = captureIO();
    expect(await runCli([...args, 'run', '--date', '2025-11-14', '--outbox', join(dir, 'outbox-again'), '--dry-run'], again)).toBe(0);
    expect(apiRequests).toHaveLength(1);
  });

  it('an API that never answers costs the details only: the run sends and says why', async () => {
    apiAnswers = false;
    apiRequests.length = 0;
    const args = ['--config', configFile('down.yaml'), '--db', join(dir, 'down.db')];
    expect(await runCli([...args, 'subscribers', 'import', 'subscribers/sample.csv'], captureIO())).toBe(0);
    const io = captureIO();
    const outbox = join(dir, 'outbox-down');
    expect(await runCli([...args, 'run', '--date', '2025-11-14', '--feed', `${base}/rss`, '--outbox', outbox], io)).toBe(0);
    const report = io.stdout.join('\n');
    expect(report).toMatch(/arXiv details: \d+ papers shown, 0 from the cache, 0 from the API in 1 request, \d+ failed/);
    expect(report).toMatch(/arXiv details: \d+ papers: .*timed out/);
    expect(readdirSync(join(outbox, '2025-11-14')).filter((f) => f.endsWith('.eml')).length).toBeGreaterThan(0);
  });
});
