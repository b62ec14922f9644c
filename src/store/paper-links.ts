import type { PaperLinks } from '../types.ts';

// Links are derived from (id, version) rather than stored, so a change of mirror or format is one edit here.
// The abstract page is unversioned (it always shows the latest); PDF and HTML pin the version the issue announced.
export function paperLinks(id: string, version: number): PaperLinks {
  return {
    abs: `https://arxiv.org/abs/${id}`,
    pdf: `https://arxiv.org/pdf/${id}v${version}`,
    html: `https://arxiv.org/html/${id}v${version}`,
    papersCool: `https://papers.cool/arxiv/${id}`,
  };
}
