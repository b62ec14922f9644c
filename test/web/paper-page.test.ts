import { describe, expect, it } from 'vitest';
import type { Paper } from '../../src/types.ts';
import { createHarness, SAMPLE_DAY as DAY, storeSampleDay, textOf, type Harness } from './web-harness.ts';

// A paper's own page in the web archive: both titles, every author, venue and code from the arXiv API details,
// links with room to tap, the abstract in both languages; only for papers of sent issues.

/** The papers of the day stored last. */
let papers: Paper[];

async function storedDay(sent: boolean): Promise<Harness> {
  const h = await createHarness();
  papers = await storeSampleDay(h, { sent, details: true });
  return h;
}

describe('/papers/<id>', () => {
  it('shows the paper with both titles, all authors, venue, code and the abstract in both languages', async () => {
    const h = await storedDay(true);
    const res = await h.app.request('/papers/2511.10647');
    expect(res.status).toBe(200);
    const page = await res.text();
    const text = textOf(page);
    const paper = papers.find((p) => p.id === '2511.10647')!;
    expect(text).toContain('Depth Anything 3');
    for (const author of paper.authors) expect(text).toContain(author.name);
    expect(page).toContain('href="https://github.com/ByteDance-Seed/Depth-Anything-3"');
    expect(page).toContain('href="https://depth-anything-3.github.io/"');
    expect(page).toContain(`href="${paper.links.pdf}"`);
    expect(page).toContain(`href="${paper.links.papersCool}"`);
    expect(page).toContain('<p lang="zh-CN">');
    expect(page).toContain(`href="/issues/${DAY}#p-2511.10647"`);
  });

  it('names the venue the comment gives', async () => {
    const h = await storedDay(true);
    const page = await (await h.app.request('/papers/2511.10635')).text();
    expect(page).toContain('<p class="venue">ICRA 2026</p>');
  });

  it('answers 404 for a paper of a day never sent, an unknown id and a malformed one', async () => {
    const unsent = await storedDay(false);
    expect((await unsent.app.request('/papers/2511.10647')).status).toBe(404);
    const h = await storedDay(true);
    expect((await h.app.request('/papers/2511.99999')).status).toBe(404);
    expect((await h.app.request('/papers/2511.10647v1')).status).toBe(404);
    expect((await h.app.request('/papers/%3Cscript%3E')).status).toBe(404);
  });
});
