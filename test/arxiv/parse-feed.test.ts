import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ParsedFeed, parseFeed } from '../../src/arxiv/parse-feed.ts';
import { FeedError } from '../../src/errors.ts';
import type { Paper } from '../../src/types.ts';
import { TRUNCATED_NAME, truncatedAtomFeed } from '../support/truncated-feed.ts';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '..', 'fixtures', name), 'utf8');
const ATOM = 'atom-cs.AI-2025-08-20.xml';
const RSS = 'rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const TRUNCATED = TRUNCATED_NAME;

const byId = (feed: ParsedFeed, id: string): Paper => {
  const paper = feed.papers.find((p) => p.id === id);
  if (!paper) throw new Error(`no paper ${id}`);
  return paper;
};
const countBy = (papers: Paper[]) =>
  papers.reduce<Record<string, number>>((n, p) => ({ ...n, [p.announceType]: (n[p.announceType] ?? 0) + 1 }), {});

/** A minimal RSS 2.0 document in arXiv's shape. */
function rss(items: string[], channel = '<title>cs.AI updates on arXiv.org</title><pubDate>Thu, 18 Sep 2025 00:00:00 -0400</pubDate>'): string {
  return `<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel>${channel}${items.join('\n')}</channel></rss>`;
}
function item(id: string, version: number, type = 'new', extra = ''): string {
  return `<item><title>Paper ${id}</title><link>https://arxiv.org/abs/${id}</link>
<description>arXiv:${id}v${version} Announce Type: ${type} \nAbstract: Abstract of ${id} v${version}.</description>
<guid isPermaLink="false">oai:arXiv.org:${id}v${version}</guid><category>cs.AI</category>
<arxiv:announce_type>${type}</arxiv:announce_type><dc:creator>A B</dc:creator>${extra}</item>`;
}

describe('parseFeed on the real Atom feed (cs.AI, 2025-08-20)', () => {
  let feed: ParsedFeed;
  beforeAll(async () => {
    feed = await parseFeed(fixture(ATOM), ATOM);
  });

  it('reads all 86 entries with nothing skipped', () => {
    expect(feed.source).toBe(ATOM);
    expect(feed.title).toBe('cs.AI updates on arXiv.org');
    expect(feed.papers).toHaveLength(86);
    expect(feed.problems).toEqual([]);
    expect(feed.duplicates).toBe(0);
  });

  it('dates the batch by the entries’ published ET date', () => {
    expect(feed.batchDate).toBe('2025-08-20');
  });

  it('counts 41 new and 45 cross', () => {
    expect(countBy(feed.papers)).toEqual({ new: 41, cross: 45 });
  });

  it('normalises the first entry', () => {
    const first = feed.papers[0]!;
    expect(first).toMatchObject({
      id: '2508.13167',
      version: 1,
      title: 'Chain-of-Agents: End-to-End Agent Foundation Models via Multi-Agent Distillation and Agentic RL',
      categories: ['cs.AI', 'cs.CL'],
      announceType: 'new',
      license: 'http://creativecommons.org/licenses/by-nc-sa/4.0/',
      links: {
        abs: 'https://arxiv.org/abs/2508.13167',
        pdf: 'https://arxiv.org/pdf/2508.13167v1',
        html: 'https://arxiv.org/html/2508.13167v1',
        papersCool: 'https://papers.cool/arxiv/2508.13167',
      },
    });
    expect(first.abstract.startsWith('Recent advances in large language models (LLMs)')).toBe(true);
    expect(first.authors[0]).toEqual({ name: 'Weizhen Li', affiliations: [] });
    expect(first.doi).toBeUndefined();
  });

  it('keeps the primary category first for cross-lists', () => {
    expect(byId(feed, '2508.13303').categories).toEqual(['cs.RO', 'cs.AI']);
    expect(byId(feed, '2508.13303').announceType).toBe('cross');
    expect(byId(feed, '2508.00875').categories[0]).toBe('cs.CY');
  });

  it('reads DOI and journal reference', () => {
    expect(byId(feed, '2508.00875').doi).toBe('10.7249/PEA3971-1');
    expect(byId(feed, '2508.13303').journalRef).toBe(
      '2025 IEEE/RSJ international conference on intelligent robots and systems (IROS)',
    );
  });

  it.each([
    ['2508.13177', 'Nikola Pižurica'],
    ['2508.13675', 'Jörg Deigmöller'],
    ['2508.13197', 'Hendrik Kraß'],
    ['2508.13429', 'Paulo André Lima de Castro'],
  ])('turns TeX accents in %s into %s', (id, name) => {
    expect(byId(feed, id).authors.map((a) => a.name)).toContain(name);
  });

  it('leaves no TeX in any author name', () => {
    const names = feed.papers.flatMap((p) => p.authors.map((a) => a.name));
    expect(names.filter((n) => /[\\{}]/.test(n))).toEqual([]);
  });

  it('strips the Announce Type prefix from every abstract', () => {
    expect(feed.papers.filter((p) => /Announce Type|^arXiv:|Abstract:/.test(p.abstract))).toEqual([]);
    expect(feed.papers.every((p) => p.abstract.length > 100)).toBe(true);
  });

  it('keeps $ math in abstracts as written', () => {
    expect(byId(feed, '2508.13176').abstract).toContain('$\\mathcal{E\\mkern-2mu L}$');
    expect(feed.papers.at(-1)!.abstract).toContain('$1.13\\times$ faster training');
  });

  it('keeps paragraph breaks of multi-paragraph abstracts', () => {
    const abstract = byId(feed, '2508.13156').abstract;
    expect(abstract).toMatch(/hardware design\.\n\nHowever, existing approaches/);
    expect(abstract).not.toMatch(/\n {2}/);
  });
});

describe('parseFeed on the real RSS feed (cs.AI+cs.CL+cs.CV+cs.LG, 2025-11-14)', () => {
  let feed: ParsedFeed;
  beforeAll(async () => {
    feed = await parseFeed(fixture(RSS), RSS);
  });

  it('reads 20 papers dated by the channel pubDate', () => {
    expect(feed.papers).toHaveLength(20);
    expect(feed.batchDate).toBe('2025-11-14');
    expect(feed.title).toBe('cs.AI+cs.CL+cs.CV+cs.LG updates on arXiv.org');
    expect(feed.problems).toEqual([]);
  });

  it('counts every announce type', () => {
    expect(countBy(feed.papers)).toEqual({ new: 12, cross: 3, replace: 2, 'replace-cross': 3 });
  });

  it('takes the version from the guid', () => {
    expect(byId(feed, '2510.12787')).toMatchObject({
      version: 3,
      announceType: 'replace',
      categories: ['cs.AI', 'cs.MA'],
      links: { pdf: 'https://arxiv.org/pdf/2510.12787v3', abs: 'https://arxiv.org/abs/2510.12787' },
    });
    expect(byId(feed, '2508.01341')).toMatchObject({ version: 2, announceType: 'replace-cross' });
    expect(byId(feed, '2508.01341').categories).toEqual(['stat.ML', 'cs.LG']);
  });

  it('keeps Unicode titles and names', () => {
    expect(byId(feed, '2511.10593').title).toBe('Regular Games — an Automata-Based General Game Playing Language');
    expect(byId(feed, '2511.10593').authors.map((a) => a.name)).toEqual([
      'Radosław Miernik',
      'Marek Szykuła',
      'Jakub Kowalski',
      'Jakub Cieśluk',
      'Łukasz Galas',
      'Wojciech Pawlik',
    ]);
  });
});

describe('parseFeed failures', () => {
  it('reports a truncated download as malformed XML, naming the source and the parser’s reason', async () => {
    const err = await parseFeed(truncatedAtomFeed(), TRUNCATED).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    const feedError = err as FeedError;
    expect(feedError.feed).toBe(TRUNCATED);
    expect(feedError.message).toContain(TRUNCATED);
    expect(feedError.message).toMatch(/malformed or truncated/);
    expect(feedError.message).toMatch(/Unclosed root tag at line 1233/);
    expect(feedError.cause).toBeInstanceOf(Error);
  });

  it('reports arXiv’s “Feed error for query” as a category problem', async () => {
    const xml = rss([], '<title>Feed error for query: cs.XX</title><description>Invalid category cs.XX</description>');
    await expect(parseFeed(xml, 'https://rss.arxiv.org/rss/cs.XX')).rejects.toThrow(
      /^https:\/\/rss\.arxiv\.org\/rss\/cs\.XX: arXiv rejected the category list \("Feed error for query: cs\.XX"\); check the categories/,
    );
  });

  it('recognises the error in the Atom flavour too', async () => {
    const xml = '<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>Feed error for query: cs.XX</title></feed>';
    await expect(parseFeed(xml, 'https://rss.arxiv.org/atom/cs.XX')).rejects.toThrow(/arXiv rejected the category list/);
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><head><title>503</title></head><body>busy</body></html>', /root element <html>/],
    ['JSON', '{"error": "nope"}', /no XML element at the start/],
    ['the old RSS 1.0 format', '<?xml version="1.0"?><rdf:RDF xmlns:rdf="x"><channel/></rdf:RDF>', /root element <rdf:RDF>/],
    ['an empty body', '  \n', /empty/],
  ])('rejects %s as not a feed', async (_what, xml, reason) => {
    const err = await parseFeed(xml, 'feed.xml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).message).toMatch(/^feed\.xml: /);
    expect((err as FeedError).message).toMatch(reason);
  });

  it('rejects an RSS document that is not well-formed', async () => {
    await expect(parseFeed('<rss version="2.0"><channel><title>x</channel></rss>', 'bad.xml')).rejects.toThrow(
      /bad\.xml: the feed XML is malformed or truncated \(Unexpected close tag/,
    );
  });
});

describe('parseFeed edge cases', () => {
  it('returns an empty RSS channel as zero papers with its date', async () => {
    const feed = await parseFeed(rss([]), 'empty.xml');
    expect(feed).toEqual({
      source: 'empty.xml',
      title: 'cs.AI updates on arXiv.org',
      batchDate: '2025-09-18',
      papers: [],
      problems: [],
      duplicates: 0,
    });
  });

  it('returns an empty Atom feed with no batch date', async () => {
    const xml = '<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>cs.AI updates on arXiv.org</title></feed>';
    const feed = await parseFeed(xml, 'empty.atom');
    expect(feed.papers).toEqual([]);
    expect(feed.batchDate).toBeNull();
  });

  it('counts duplicate items once and keeps the higher version in the first position', async () => {
    const feed = await parseFeed(
      rss([item('2509.00001', 1), item('2509.00002', 1), item('2509.00001', 2, 'replace'), item('2509.00002', 1)]),
      'dup.xml',
    );
    expect(feed.papers.map((p) => [p.id, p.version])).toEqual([
      ['2509.00001', 2],
      ['2509.00002', 1],
    ]);
    expect(feed.papers[0]!.abstract).toBe('Abstract of 2509.00001 v2.');
    expect(feed.duplicates).toBe(2);
  });

  it('skips an item without any id, reports it, and keeps the rest', async () => {
    const noId = '<item><title>Mystery</title><description>No id here</description><arxiv:announce_type>new</arxiv:announce_type></item>';
    const feed = await parseFeed(rss([item('2509.00001', 1), noId, item('2509.00003', 1)]), 'noid.xml');
    expect(feed.papers.map((p) => p.id)).toEqual(['2509.00001', '2509.00003']);
    expect(feed.problems).toEqual([{ index: 1, reason: expect.stringMatching(/no arXiv id/) }]);
  });

  it('skips items with no title or an unknown announce type', async () => {
    const untitled = item('2509.00004', 1).replace('<title>Paper 2509.00004</title>', '<title>  </title>');
    const feed = await parseFeed(rss([untitled, item('2509.00005', 1, 'absonly')]), 'odd.xml');
    expect(feed.papers).toEqual([]);
    expect(feed.problems).toEqual([
      { index: 0, reason: '2509.00004: no title' },
      { index: 1, reason: '2509.00005: unknown announce type "absonly"' },
    ]);
  });

  it('falls back to the description for id, version and announce type', async () => {
    const bare = `<item><title>Bare</title><description>arXiv:2509.00006v4 Announce Type: replace-cross \nAbstract: Text.</description></item>`;
    const feed = await parseFeed(rss([bare]), 'bare.xml');
    expect(feed.papers[0]).toMatchObject({ id: '2509.00006', version: 4, announceType: 'replace-cross', abstract: 'Text.' });
  });

  it('falls back to the link for the id', async () => {
    const linkOnly = `<item><title>Link only</title><link>https://arxiv.org/abs/2509.00007</link><description>Plain abstract.</description><arxiv:announce_type>new</arxiv:announce_type></item>`;
    const feed = await parseFeed(rss([linkOnly]), 'link.xml');
    expect(feed.papers[0]).toMatchObject({ id: '2509.00007', version: 1, abstract: 'Plain abstract.' });
  });

  it('accepts old-style ids', async () => {
    const feed = await parseFeed(rss([item('hep-ex/0307015', 2), item('math.AG/0601001', 1)]), 'old.xml');
    expect(feed.papers.map((p) => [p.id, p.version])).toEqual([
      ['hep-ex/0307015', 2],
      ['math.AG/0601001', 1],
    ]);
    expect(feed.papers[0]!.links.pdf).toBe('https://arxiv.org/pdf/hep-ex/0307015v2');
  });

  it('detexifies titles outside math, journal references and affiliations; leaves abstract TeX alone', async () => {
    const tex = `<item><title>Caf\\'e   of $\\alpha$-models\n  for Erd\\H{o}s</title>
<description>arXiv:2509.00008v1 Announce Type: new \nAbstract: We bound $\\ddot{x}$ by \\"o.</description>
<guid>oai:arXiv.org:2509.00008v1</guid><arxiv:announce_type>new</arxiv:announce_type>
<arxiv:journal_reference>Journal de l'\\'Ecole polytechnique 12 (2025) 1--20</arxiv:journal_reference>
<dc:creator>Jos\\'e Garc\\'ia (Universidad de M\\'exico, Facultad de Ciencias), Li Wei</dc:creator></item>`;
    const [paper] = (await parseFeed(rss([tex]), 'tex.xml')).papers;
    expect(paper!.title).toBe('Café of $\\alpha$-models for Erdős');
    expect(paper!.journalRef).toBe("Journal de l'École polytechnique 12 (2025) 1–20");
    expect(paper!.abstract).toBe('We bound $\\ddot{x}$ by \\"o.');
    expect(paper!.authors).toEqual([
      { name: 'José García', affiliations: ['Universidad de México, Facultad de Ciencias'] },
      { name: 'Li Wei', affiliations: [] },
    ]);
  });

  it('copes with dc:creator parsed as an object (rbren/rss-parser#208)', async () => {
    const withAttr = item('2509.00009', 1).replace(
      '<dc:creator>A B</dc:creator>',
      '<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Ann Lee (Lab)</dc:creator>',
    );
    const empty = item('2509.00010', 1).replace('<dc:creator>A B</dc:creator>', '<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/"/>');
    const feed = await parseFeed(rss([withAttr, empty]), 'creator.xml');
    expect(feed.papers[0]!.authors).toEqual([{ name: 'Ann Lee', affiliations: ['Lab'] }]);
    expect(feed.papers[1]!.authors).toEqual([]);
  });

  it('falls back to item pubDates when the RSS channel has none', async () => {
    const dated = item('2509.00011', 1, 'new', '<pubDate>Mon, 10 Mar 2025 00:00:00 -0400</pubDate>');
    const feed = await parseFeed(rss([dated], '<title>t</title>'), 'nodate.xml');
    expect(feed.batchDate).toBe('2025-03-10');
  });
});
