import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApiUrl, fetchPaperDetails, type FetchDetailsOptions } from '../../src/arxiv/fetch-paper-details.ts';
import { cleanUrl, extrasOf, findLinks, findVenue } from '../../src/arxiv/paper-details.ts';
import { parseApiResponse } from '../../src/arxiv/parse-api-response.ts';
import { parseFeed } from '../../src/arxiv/parse-feed.ts';
import { FeedError } from '../../src/errors.ts';

const fixture = (name: string) => readFile(new URL(`../fixtures/arxiv-api/${name}`, import.meta.url), 'utf8');

describe('cleanUrl', () => {
  it.each([
    ['https://github.com/tobna/ForAug.', 'https://github.com/tobna/ForAug'],
    ['https://github.com/mdialameh/EMA-SAM}.', 'https://github.com/mdialameh/EMA-SAM'],
    ['\\url{https://github.com/facebookresearch/ReasonIR}', 'https://github.com/facebookresearch/ReasonIR'],
    ['https://en.wikipedia.org/wiki/Foo_(bar)', 'https://en.wikipedia.org/wiki/Foo_(bar)'],
    ['(https://github.com/a/b)', null],
    ['github.com/AIandGlobalDevelopmentLab/OneMapManyTrials', 'https://github.com/AIandGlobalDevelopmentLab/OneMapManyTrials'],
    ['https://localhost/x', null],
    ['javascript:alert(1)', null],
  ])('%s → %s', (raw, expected) => {
    expect(cleanUrl(raw)).toBe(expected);
  });
});

describe('findLinks', () => {
  it('takes a repository named in the abstract as the code link', () => {
    const abstract = 'We propose SSR. Code is available at https://github.com/SalesforceAIResearch/socratic-self-refine-reasoning.';
    expect(findLinks(abstract, null)).toEqual({
      codeUrl: 'https://github.com/SalesforceAIResearch/socratic-self-refine-reasoning',
      projectUrl: null,
    });
  });

  it('prefers the comment, and tells a project page from code', () => {
    const comment = 'Project page: https://depth-anything-3.github.io/ ; code at \\url{https://github.com/ByteDance-Seed/Depth-Anything-3}';
    expect(findLinks('Abstract with https://github.com/other/repo.', comment)).toEqual({
      codeUrl: 'https://github.com/ByteDance-Seed/Depth-Anything-3',
      projectUrl: 'https://depth-anything-3.github.io/',
    });
  });

  it('counts another site only when the words before it say code or project page', () => {
    expect(findLinks('Our implementation is at https://example.org/tool.', null).codeUrl).toBe('https://example.org/tool');
    expect(findLinks('Our website: https://example.org/site', null).projectUrl).toBe('https://example.org/site');
    expect(findLinks('Data from https://example.org/data was used.', null)).toEqual({ codeUrl: null, projectUrl: null });
    expect(findLinks('See https://arxiv.org/abs/2401.00001 and https://doi.org/10.1/x.', null)).toEqual({
      codeUrl: null,
      projectUrl: null,
    });
  });

  it('finds the code links of a real day whose abstracts name them', async () => {
    const xml = await readFile(new URL('../fixtures/full-days/rss-2025-10-22.xml', import.meta.url), 'utf8');
    const feed = await parseFeed(xml, 'rss-2025-10-22.xml');
    const withGithub = feed.papers.filter((p) => /github\.com\//i.test(p.abstract));
    expect(withGithub.length).toBeGreaterThan(10);
    for (const paper of withGithub) {
      const { codeUrl } = findLinks(paper.abstract, null);
      expect(codeUrl, paper.id).toMatch(/^https?:\/\/github\.com\/[\w.-]+\/[\w.-]+[\w/-]*$/);
      expect(codeUrl, paper.id).not.toMatch(/[.}]$/);
    }
  });
});

describe('findVenue', () => {
  it.each([
    ['Accepted at NeurIPS 2025; 14 pages, 6 figures', 'NeurIPS 2025'],
    ['AISTATS 2025, code available at https://github.com/x/y', 'AISTATS 2025'],
    ['Accepted to Findings of EMNLP 2025', 'Findings of EMNLP 2025'],
    ['To appear in ICLR 2026 (Oral)', 'ICLR 2026'],
    ['Accepted at IEEE International Conference on Robotics and Automation\n  (ICRA 2026); 8 pages', 'ICRA 2026'],
    ['NeurIPS 2025 Workshop on Efficient Reasoning', 'NeurIPS 2025 Workshop'],
    ['10 pages, 6 figures, Submitted to ACM MM 2025', null],
    ['Under review at ICLR 2026', null],
    ['Submitted to ICLR 2026; a short version appeared at NeurIPS 2025 Workshop', 'NeurIPS 2025 Workshop'],
    ['68 pages, 18 figures, 9 tables', null],
    ['Preprint', null],
    ['We use the RSS feed of arXiv', null],
  ])('%s → %s', (comment, expected) => {
    expect(findVenue(comment, null)).toBe(expected);
  });

  it('takes the journal reference over the comment, shortened', () => {
    expect(findVenue('Accepted at ICML 2025', 'Journal of Causal Inference 13 (2025) 101-128')).toBe(
      'Journal of Causal Inference 13 (2025) 101-128',
    );
    const long = `Proceedings of the ${'Very '.repeat(20)}Long Workshop 2025`;
    const venue = findVenue(null, long)!;
    expect(venue.length).toBeLessThanOrEqual(80);
    expect(venue.endsWith('…')).toBe(true);
  });
});

describe('parseApiResponse', () => {
  it('reads comment, journal reference and DOI by id, whatever the order and wrapping', async () => {
    const { details, problems } = await parseApiResponse(await fixture('query-2025-11-14.xml'), 'fixture');
    expect(problems).toEqual([]);
    expect(details.map((d) => `${d.id}v${d.version}`)).toEqual([
      '2503.09399v2',
      '2511.10621v1',
      '2511.10647v1',
      '2511.10635v1',
      '2508.01341v2',
      '2511.10593v1',
    ]);
    const byId = new Map(details.map((d) => [d.id, d]));
    expect(byId.get('2503.09399')!.comment).toBe(
      'v2: added ImageNet-21k results; 19 pages, 9 figures. Project page: https://tobna.github.io/foraug/',
    );
    expect(byId.get('2511.10635')!.comment).toContain('Automation (ICRA 2026); 8 pages');
    expect(byId.get('2508.01341')).toMatchObject({
      journalRef: 'Journal of Causal Inference 13 (2025) 101-128',
      doi: '10.1000/example.2025.0142',
    });
    expect(byId.get('2511.10593')).toMatchObject({ comment: null, journalRef: null, doi: null });
  });

  it('reports the API error entry instead of a paper', async () => {
    const { details, problems } = await parseApiResponse(await fixture('error-bad-id.xml'), 'fixture');
    expect(details).toEqual([]);
    expect(problems).toEqual(['API error: incorrect id format for 2511.1062x']);
  });

  it('throws a FeedError naming the source for something that is not XML', async () => {
    await expect(parseApiResponse('<html><body>Rate exceeded', 'https://export.arxiv.org/api/query?id_list=x')).rejects.toThrow(
      FeedError,
    );
  });
});

describe('extrasOf', () => {
  it('joins the feed paper and its details into code, project and venue', async () => {
    const { details } = await parseApiResponse(await fixture('query-2025-11-14.xml'), 'fixture');
    const byId = new Map(details.map((d) => [d.id, d]));
    const paper = (id: string, abstract: string) =>
      ({ id, version: 1, abstract, title: 't', authors: [], categories: ['cs.CV'], announceType: 'new', links: {} }) as never;
    expect(extrasOf(paper('2511.10647', 'We present DA3.'), byId.get('2511.10647'))).toEqual({
      codeUrl: 'https://github.com/ByteDance-Seed/Depth-Anything-3',
      projectUrl: 'https://depth-anything-3.github.io/',
      venue: null,
    });
    expect(extrasOf(paper('2511.10635', 'Falling robots.'), byId.get('2511.10635'))).toEqual({
      codeUrl: null,
      projectUrl: null,
      venue: 'ICRA 2026',
    });
    expect(extrasOf(paper('2508.01341', 'Causal.'), byId.get('2508.01341'))).toEqual({
      codeUrl: 'https://github.com/AIandGlobalDevelopmentLab/OneMapManyTrials',
      projectUrl: null,
      venue: 'Journal of Causal Inference 13 (2025) 101-128',
    });
    expect(extrasOf(paper('2511.10593', 'No links.'), undefined)).toEqual({ codeUrl: null, projectUrl: null, venue: null });
  });
});

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('fetchPaperDetails against a local API', () => {
  let server: Server;
  let apiUrl: string;
  let handlers: Handler[];
  let requests: IncomingMessage[];
  let clock: number;
  let waits: number[];
  let startedAt: number[];

  beforeEach(async () => {
    handlers = [];
    requests = [];
    startedAt = [];
    waits = [];
    clock = 0;
    server = createServer((req, res) => {
      requests.push(req);
      startedAt.push(clock);
      (handlers.shift() ?? ((_q, r) => r.writeHead(599).end('no handler left')))(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/query`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const options = (extra: Partial<FetchDetailsOptions> = {}): FetchDetailsOptions => ({
    apiUrl,
    timeoutMs: 500,
    retries: 1,
    userAgent: 'paperboy/test (mailto:ops@example.org)',
    random: () => 0.5,
    // A fake monotonic clock: a wait moves it on, a request takes 100 ms.
    elapsed: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    ...extra,
  });

  const answer =
    (body: string, code = 200): Handler =>
    (_req, res) => {
      clock += 100;
      res.writeHead(code, { 'Content-Type': 'application/atom+xml; charset=utf-8' }).end(body);
    };

  it('asks for versioned ids, 100 a request, 3 s apart, with the User-Agent', async () => {
    const xml = await fixture('query-2025-11-14.xml');
    handlers.push(answer(xml), answer(xml), answer(xml));
    const papers = Array.from({ length: 205 }, (_, i) => ({ id: `2511.${String(10000 + i)}`, version: 1 }));
    papers[0] = { id: '2511.10621', version: 1 };
    papers[150] = { id: '2503.09399', version: 2 };
    papers[204] = { id: '2511.10647', version: 2 }; // the response has v1: not this version's comment
    const result = await fetchPaperDetails(papers, options());
    expect(result.requests).toBe(3);
    const lists = requests.map((r) => new URL(r.url!, 'http://x').searchParams.get('id_list')!.split(','));
    expect(lists.map((l) => l.length)).toEqual([100, 100, 5]);
    expect(lists[0]![0]).toBe('2511.10621v1');
    expect(requests.every((r) => r.headers['user-agent'] === 'paperboy/test (mailto:ops@example.org)')).toBe(true);
    expect(waits).toEqual([2_900, 2_900]);
    expect(result.details.map((d) => d.id).sort()).toEqual(['2503.09399', '2511.10621']);
    expect(result.missing).toHaveLength(203);
    expect(result.failures).toEqual([]);
  });

  it('keeps the gap for retries too, and fails soft when a request stays broken', async () => {
    const xml = await fixture('query-2025-11-14.xml');
    handlers.push(answer('busy', 503), answer('busy', 503), answer(xml));
    const papers = [
      ...Array.from({ length: 100 }, (_, i) => ({ id: `2511.${String(20000 + i)}`, version: 1 })),
      { id: '2511.10621', version: 1 },
    ];
    const result = await fetchPaperDetails(papers, options());
    expect(result.requests).toBe(3);
    // Each retry starts 3 s or more after the request before it, whatever backoff fetchFeedText chose.
    expect(startedAt.slice(1).map((t, i) => t - startedAt[i]!)).toEqual([3_000, 3_000]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.ids).toHaveLength(100);
    expect(result.failures[0]!.reason).toMatch(/503/);
    expect(result.details.map((d) => d.id)).toEqual(['2511.10621']);
  });

  it('a request that times out loses only its papers', async () => {
    handlers.push(() => {}, () => {});
    const result = await fetchPaperDetails([{ id: '2511.10621', version: 1 }], options({ timeoutMs: 100 }));
    expect(result.details).toEqual([]);
    expect(result.failures).toEqual([{ ids: ['2511.10621'], reason: expect.stringMatching(/timed out/) }]);
  });

  it('builds the query URL arXiv documents', () => {
    expect(buildApiUrl('https://export.arxiv.org/api/query', [{ id: '2511.10621', version: 1 }, { id: 'hep-ex/0307015', version: 2 }])).toBe(
      'https://export.arxiv.org/api/query?id_list=2511.10621v1%2Chep-ex%2F0307015v2&max_results=2',
    );
  });
});
