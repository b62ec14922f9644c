import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareListing, listingUrl, parseListing } from '../../src/schedule/parse-listing.ts';
import { probeBatch } from '../../src/schedule/probe-batch.ts';
import { rssFor } from './fake-arxiv.ts';
import { testConfig } from './scheduler-world.ts';

const LISTING = readFileSync('test/fixtures/listing-cs.AI-new-2026-08-12.excerpt.html', 'utf8');

describe('parseListing (the real page of cs.AI, 12 August 2026)', () => {
  it('reads the date arXiv states and the ids of each section', () => {
    const listing = parseListing(LISTING);
    expect(listing.batchDate).toBe('2026-08-12');
    expect(listing.sections.new).toEqual({ ids: ['2608.09949', '2608.09967'], shown: 2, total: 2 });
    expect(listing.sections.cross).toEqual({ ids: ['2505.11635', '2607.28646'], shown: 2, total: 2 });
    expect(listing.sections.replace?.ids).toHaveLength(2);
  });

  it.each([
    ['<h3>Showing new listings for Thursday, 12 August 2026</h3>', null], // the weekday contradicts the date
    ['<h3>New submissions for Wed, 12 Aug 26</h3>', null], // the old header
    ['<h3>Showing new listings for Monday, 3 November 2025</h3>', '2025-11-03'],
  ])('date of %s → %s', (page, date) => {
    expect(parseListing(page).batchDate).toBe(date);
  });

  it('builds the URL that lists every entry', () => {
    expect(listingUrl('https://arxiv.org/', 'cs.AI')).toBe('https://arxiv.org/list/cs.AI/new?show=2000');
  });
});

describe('compareListing', () => {
  const listing = parseListing(LISTING);
  const all = new Set(['2608.09949', '2608.09967', '2505.11635', '2607.28646']);
  it.each([
    ['agrees', '2026-08-12', all, []],
    ['another date', '2026-08-13', all, ['cs.AI: the listing page shows the batch of 2026-08-12, not 2026-08-13']],
    [
      'papers missing from the feed',
      '2026-08-12',
      new Set(['2608.09949']),
      ['cs.AI: 3 of 4 new and cross-listed papers of the listing are not in the feed (2608.09967, 2505.11635, 2607.28646)'],
    ],
  ])('%s', (_name, expected, ids, problems) => {
    expect(compareListing('cs.AI', listing, expected, ids)).toEqual(problems);
  });

  it('a page cut short or read short is a problem, not a quiet day', () => {
    const cut = LISTING.replace('New submissions (showing 2 of 2 entries)', 'New submissions (showing 2 of 79 entries)');
    expect(compareListing('cs.AI', parseListing(cut), '2026-08-12', all)).toEqual(['cs.AI: the listing shows 2 of 79 new entries (cut short)']);
    const lost = LISTING.replace('New submissions (showing 2 of 2 entries)', 'New submissions (showing 3 of 3 entries)');
    expect(compareListing('cs.AI', parseListing(lost), '2026-08-12', all)).toEqual(['cs.AI: read 2 new ids where the listing says it shows 3']);
  });
});

describe('probeBatch with schedule.listingCheck', () => {
  const config = testConfig({
    schedule: { listingCheck: true },
    domains: [{ id: 'ai', name: { en: 'AI', zh: '人工智能' }, description: { en: 'AI.', zh: '人工智能。' }, categories: ['cs.AI'] }],
  });
  const feedOf = (date: string, ids: string[]) => rssFor(date, ids.map((id) => ({ id, version: 1, type: 'new' as const, title: `Paper ${id}` })));
  const ALL = ['2608.09949', '2608.09967', '2505.11635', '2607.28646'];

  it('takes a feed the listing agrees with', async () => {
    const probe = await probeBatch({ config, readFeed: async () => feedOf('2026-08-12', ALL), readPage: async () => LISTING }, '2026-08-12');
    expect(probe).toMatchObject({ verdict: 'current', listing: [] });
    expect(probe.summary).toBe('the feed carries the batch of 2026-08-12 (4 papers); the listing pages agree');
  });

  it('waits when the feed lacks papers the listing announced', async () => {
    const probe = await probeBatch({ config, readFeed: async () => feedOf('2026-08-12', ALL.slice(0, 1)), readPage: async () => LISTING }, '2026-08-12');
    expect(probe.verdict).toBe('not-yet');
    expect(probe.summary).toMatch(/the listing pages disagree: cs\.AI: 3 of 4 new and cross-listed papers/);
  });

  it('tells a stale feed (arXiv announced, the feed lags) from a day arXiv skipped', async () => {
    const stale = await probeBatch({ config, readFeed: async () => feedOf('2026-08-11', ALL), readPage: async () => LISTING }, '2026-08-12');
    expect(stale.summary).toBe(
      'the feed still carries the batch of 2026-08-11, not 2026-08-12 (stale); the listing pages show 2026-08-12: arXiv announced it, the feed lags',
    );
    const skipped = await probeBatch({ config, readFeed: async () => feedOf('2026-08-12', ALL), readPage: async () => LISTING }, '2026-08-13');
    expect(skipped.verdict).toBe('not-yet');
    expect(skipped.summary).toMatch(/the listing pages show 2026-08-12 too: arXiv may have skipped this announcement/);
  });

  it('a listing page that cannot be read is noted, not fatal', async () => {
    const probe = await probeBatch(
      { config, readFeed: async () => feedOf('2026-08-12', ALL), readPage: async () => Promise.reject(new Error('HTTP 503')) },
      '2026-08-12',
    );
    expect(probe).toMatchObject({ verdict: 'current', listing: ['cs.AI: listing page not checked (HTTP 503)'] });
  });
});
