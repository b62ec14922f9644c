import { readFileSync } from 'node:fs';
import { parseFeed } from '../../src/arxiv/parse-feed.ts';
import type { Paper } from '../../src/types.ts';

// The sample day's 20 papers, parsed by the real collect stage: the English the recorded translations were made from.
export const SAMPLE_FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';

export async function samplePapers(): Promise<Paper[]> {
  const xml = readFileSync(new URL(`../../${SAMPLE_FEED}`, import.meta.url), 'utf8');
  return (await parseFeed(xml, SAMPLE_FEED)).papers;
}

/** A paper with only the fields translation looks at filled in. */
export function makePaper(id: string, title: string, abstract: string, version = 1): Paper {
  return {
    id,
    version,
    title,
    abstract,
    authors: [],
    categories: ['cs.CL'],
    announceType: 'new',
    links: {
      abs: `https://arxiv.org/abs/${id}`,
      pdf: `https://arxiv.org/pdf/${id}v${version}`,
      html: `https://arxiv.org/html/${id}v${version}`,
      papersCool: `https://papers.cool/arxiv/${id}`,
    },
  };
}
