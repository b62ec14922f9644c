import { readFileSync } from 'node:fs';
import { parseFeed } from '../../src/arxiv/parse-feed.ts';
import type { Domain, Paper } from '../../src/types.ts';

// In-memory builders for the pure stages, and the sample day read through the real parser.

export const SAMPLE_FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';

export function paper(id: string, overrides: Partial<Paper> = {}): Paper {
  return {
    id,
    version: 1,
    title: `Paper ${id}`,
    abstract: 'We study something unrelated to any topic.',
    authors: [{ name: 'Ada Lovelace', affiliations: [] }],
    categories: ['cs.AI'],
    announceType: 'new',
    links: {
      abs: `https://arxiv.org/abs/${id}`,
      pdf: `https://arxiv.org/pdf/${id}`,
      html: `https://arxiv.org/html/${id}`,
      papersCool: `https://papers.cool/arxiv/${id}`,
    },
    ...overrides,
  };
}

export function domain(id: string, overrides: Partial<Domain> = {}): Domain {
  return {
    id,
    name: { en: id, zh: id },
    description: { en: `${id} papers`, zh: `${id} 论文` },
    categories: [],
    include: [],
    exclude: [],
    announceTypes: ['new', 'cross'],
    cap: 10,
    ...overrides,
  };
}

/** The 20 papers of the sample day (Fri 2025-11-14), parsed by the real parser. */
export async function sampleDayPapers(): Promise<Paper[]> {
  return (await parseFeed(readFileSync(SAMPLE_FEED, 'utf8'), SAMPLE_FEED)).papers;
}
