import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFeeds } from '../../src/arxiv/collect.ts';
import { FeedError } from '../../src/errors.ts';
import { TRUNCATED_NAME, truncatedAtomFeed } from '../support/truncated-feed.ts';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '..', 'fixtures', name), 'utf8');
const ATOM = 'atom-cs.AI-2025-08-20.xml';
const RSS = 'rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const TRUNCATED = TRUNCATED_NAME;

function rss(date: string, items: Array<[id: string, version: number, type: string, primary: string]>): string {
  const body = items
    .map(
      ([id, v, type, primary]) => `<item><title>Paper ${id}</title><link>https://arxiv.org/abs/${id}</link>
<description>arXiv:${id}v${v} Announce Type: ${type} \nAbstract: About ${id}.</description>
<guid isPermaLink="false">oai:arXiv.org:${id}v${v}</guid><category>${primary}</category><category>cs.AI</category>
<arxiv:announce_type>${type}</arxiv:announce_type><dc:creator>A B</dc:creator></item>`,
    )
    .join('\n');
  return `<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
<channel><title>t</title><pubDate>${new Date(`${date}T05:00:00Z`).toUTCString()}</pubDate>${body}</channel></rss>`;
}

const reader =
  (docs: Record<string, string>) =>
  async (source: string): Promise<string> => {
    const doc = docs[source];
    if (doc === undefined) throw new FeedError(source, 'no such feed file');
    return doc;
  };

describe('collectFeeds', () => {
  it('keeps the good feed when the other is truncated', async () => {
    const result = await collectFeeds([ATOM, TRUNCATED], reader({ [ATOM]: fixture(ATOM), [TRUNCATED]: truncatedAtomFeed() }));
    expect(result.feeds).toHaveLength(1);
    expect(result.feeds[0]).toMatchObject({ source: ATOM, batchDate: '2025-08-20', count: 86, duplicates: 0, problems: [] });
    expect(result.feeds[0]!.papers).toHaveLength(86);
    expect(result.papers).toHaveLength(86);
    expect(result.batchDate).toBe('2025-08-20');
    expect(result.dateConflicts).toEqual([]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.source).toBe(TRUNCATED);
    expect(result.failures[0]!.error).toBeInstanceOf(FeedError);
    expect(result.failures[0]!.error.message).toMatch(/atom-cs\.AI-2025-08-20\.truncated\.xml: the feed XML is malformed or truncated/);
  });

  it('reports a feed that cannot be read and wraps errors that are not FeedErrors', async () => {
    const read = async (source: string): Promise<string> => {
      if (source === 'boom') throw new TypeError('socket hang up');
      return reader({ [RSS]: fixture(RSS) })(source);
    };
    const result = await collectFeeds(['missing.xml', 'boom', RSS], read);
    expect(result.papers).toHaveLength(20);
    expect(result.failures.map((f) => [f.source, f.error.message])).toEqual([
      ['missing.xml', 'missing.xml: no such feed file'],
      ['boom', 'boom: could not be read: socket hang up'],
    ]);
    expect(result.failures[1]!.error).toBeInstanceOf(FeedError);
    expect(result.failures[1]!.error.cause).toBeInstanceOf(TypeError);
  });

  it('merges papers across feeds: each id once, the higher version, the best label, arXiv order', async () => {
    const ai = rss('2025-11-14', [
      ['2511.00001', 1, 'new', 'cs.AI'],
      ['2511.00002', 1, 'cross', 'cs.CL'], // cs.CL primary: cross in rss/cs.AI …
      ['2501.00003', 2, 'replace', 'cs.AI'],
    ]);
    const cl = rss('2025-11-14', [
      ['2511.00002', 1, 'new', 'cs.CL'], // … new in rss/cs.CL
      ['2501.00003', 3, 'replace', 'cs.AI'],
      ['2511.00004', 1, 'cross', 'cs.LG'],
    ]);
    const result = await collectFeeds(['ai', 'cl'], reader({ ai, cl }));
    expect(result.papers.map((p) => [p.id, p.version, p.announceType])).toEqual([
      ['2511.00001', 1, 'new'],
      ['2511.00002', 1, 'new'],
      ['2511.00004', 1, 'cross'],
      ['2501.00003', 3, 'replace'],
    ]);
    expect(result.papers.find((p) => p.id === '2501.00003')!.links.pdf).toBe('https://arxiv.org/pdf/2501.00003v3');
    expect(result.crossFeedDuplicates).toBe(2);
    expect(result.feeds.map((f) => f.count)).toEqual([3, 3]);
    expect(result.batchDate).toBe('2025-11-14');
  });

  it('keeps the higher version even when the lower one carries the better label', async () => {
    const a = rss('2025-11-14', [['2511.00005', 2, 'cross', 'cs.CL']]);
    const b = rss('2025-11-14', [['2511.00005', 1, 'new', 'cs.CL']]);
    const [paper] = (await collectFeeds(['a', 'b'], reader({ a, b }))).papers;
    expect(paper).toMatchObject({ id: '2511.00005', version: 2, announceType: 'new' });
  });

  it('reports feeds that carry different batches (a stale feed) instead of picking one', async () => {
    const current = rss('2026-08-12', [['2608.00001', 1, 'new', 'cs.CL']]);
    const stale = rss('2026-08-11', [['2608.00000', 1, 'new', 'cs.AI']]);
    const alsoCurrent = rss('2026-08-12', [['2608.00002', 1, 'new', 'cs.CV']]);
    const result = await collectFeeds(['cs.AI', 'cs.CL', 'cs.CV'], reader({ 'cs.AI': stale, 'cs.CL': current, 'cs.CV': alsoCurrent }));
    expect(result.batchDate).toBeNull();
    expect(result.dateConflicts).toEqual([
      { batchDate: '2026-08-12', sources: ['cs.CL', 'cs.CV'] },
      { batchDate: '2026-08-11', sources: ['cs.AI'] },
    ]);
    expect(result.feeds.map((f) => [f.source, f.batchDate])).toEqual([
      ['cs.AI', '2026-08-11'],
      ['cs.CL', '2026-08-12'],
      ['cs.CV', '2026-08-12'],
    ]);
  });

  it('ignores undated (empty Atom) feeds when finding the common date', async () => {
    const emptyAtom = '<feed xmlns="http://www.w3.org/2005/Atom"><title>cs.AI updates on arXiv.org</title></feed>';
    const result = await collectFeeds(['e', 'r'], reader({ e: emptyAtom, r: fixture(RSS) }));
    expect(result.batchDate).toBe('2025-11-14');
    expect(result.dateConflicts).toEqual([]);
    expect(result.feeds[0]).toMatchObject({ source: 'e', batchDate: null, count: 0 });
  });

  it('reads one source at a time, in order', async () => {
    const events: string[] = [];
    let open = 0;
    const read = async (source: string): Promise<string> => {
      open++;
      events.push(`start ${source} (${open} open)`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      open--;
      events.push(`end ${source}`);
      if (source === 'bad') throw new FeedError(source, 'down');
      return rss('2025-11-14', []);
    };
    const result = await collectFeeds(['a', 'bad', 'c'], read);
    expect(events).toEqual(['start a (1 open)', 'end a', 'start bad (1 open)', 'end bad', 'start c (1 open)', 'end c']);
    expect(result.feeds.map((f) => f.source)).toEqual(['a', 'c']);
    expect(result.failures.map((f) => f.source)).toEqual(['bad']);
  });

  it('returns an empty result for no sources', async () => {
    await expect(collectFeeds([], reader({}))).resolves.toEqual({
      feeds: [],
      failures: [],
      papers: [],
      batchDate: null,
      dateConflicts: [],
      crossFeedDuplicates: 0,
    });
  });
});
