import { describe, expect, it } from 'vitest';
import { planReaderPage, planSegmentIssues, segmentIdOf, segmentKeyOf, selectPapers } from '../../src/select/index.ts';
import type { SegmentIssue } from '../../src/types.ts';
import { domain, paper } from '../support/builders.ts';

// A reader's own interests: followed authors and keywords get sections of their own ahead of the topics, from the
// whole batch; exclusions keep a paper out of every section; readers who follow the same things share a segment.

const BATCH = '2025-11-14';
const llm = domain('llm', { include: ['LLM'], cap: 2, announceTypes: ['new', 'cross', 'replace', 'replace-cross'] });
const vision = domain('vision', { categories: ['cs.CV'], cap: 2 });
const ORDER = ['llm', 'vision'];
const papers = [
  paper('2511.00001', { title: 'LLM one', authors: [{ name: 'Ana Müller', affiliations: [] }] }),
  paper('2511.00002', { title: 'LLM two for medical notes' }),
  paper('2511.00003', { title: 'LLM three' }),
  paper('2511.00004', { title: 'Cats', categories: ['cs.CV'] }),
  paper('2511.00005', { title: 'Graph neural networks for molecules' }),
  paper('2511.00006', { title: 'Dogs and graph neural networks', categories: ['cs.CV'] }),
];
const selections = selectPapers(papers, [llm, vision]);
const interests = { keywords: ['graph neural network'], exclude: ['medical'], authors: ['Muller, Ana'] };

function shown(issue: SegmentIssue): Record<string, string[]> {
  return Object.fromEntries(issue.sections.map((s) => [s.domain.id, s.entries.map((e) => e.paper.id)]));
}

describe('a segment with its own interests', () => {
  const key = segmentKeyOf(['llm'], 'en', ORDER, interests);
  const segmentId = segmentIdOf(key);
  const plan = planSegmentIssues(selections, [{ segmentId, key }], new Map(), { batchDate: BATCH, showUpdatedVersions: false, papers });
  const issue = plan.issueOf(segmentId, key, () => null);

  it('shows followed authors, then keywords (even outside the topics), then the topics without the excluded paper', () => {
    expect(issue.segmentId).toBe(segmentId);
    expect(issue.key).toBe(key);
    expect(shown(issue)).toEqual({
      '~authors': ['2511.00001'],
      '~keywords': ['2511.00005', '2511.00006'],
      llm: ['2511.00003'],
    });
    // The followed author's paper is also an LLM paper: it sits under the author, tagged with the topic.
    expect(issue.sections[0]?.entries[0]?.alsoIn).toEqual(['llm']);
    expect(issue.sections[0]?.domain.name).toEqual({ en: 'Authors you follow', zh: '关注的作者' });
    expect(plan.shown.map((p) => p.id).sort()).toEqual(['2511.00001', '2511.00003', '2511.00005', '2511.00006']);
  });

  it('never shows a paper the reader already got on another day', () => {
    const mailed = new Map([[segmentId, new Map([['2511.00005', 1]])]]);
    const again = planSegmentIssues(selections, [{ segmentId, key }], mailed, { batchDate: BATCH, showUpdatedVersions: false, papers });
    expect(shown(again.issueOf(segmentId, key, () => null))['~keywords']).toEqual(['2511.00006']);
  });

  it('leaves out a section with nothing today', () => {
    const quiet = segmentKeyOf(['vision'], 'en', ORDER, { keywords: [], exclude: [], authors: ['Nobody Here'] });
    const id = segmentIdOf(quiet);
    const p = planSegmentIssues(selections, [{ segmentId: id, key: quiet }], new Map(), { batchDate: BATCH, showUpdatedVersions: false, papers });
    expect(Object.keys(shown(p.issueOf(id, quiet, () => null)))).toEqual(['vision']);
  });
});

describe('segments and interests', () => {
  it('puts readers who follow the same things (any order, case or spelling of a name) in one segment', () => {
    const same = { keywords: ['Graph Neural Network'], exclude: ['MEDICAL'], authors: ['Ana Muller'] };
    const other = { keywords: ['diffusion'], exclude: [], authors: [] };
    const planned = planReaderPage(
      [
        { id: 1, email: 'a@x.org', topics: ['llm'], language: 'en' as const, interests },
        { id: 2, email: 'b@x.org', topics: ['llm'], language: 'en' as const, interests: same },
        { id: 3, email: 'c@x.org', topics: ['llm'], language: 'en' as const, interests: other },
        { id: 4, email: 'd@x.org', topics: ['llm'], language: 'en' as const },
        { id: 5, email: 'e@x.org', topics: ['llm'], language: 'en' as const, interests: { keywords: [], exclude: [], authors: [] } },
      ],
      ORDER,
    );
    const bySegment = Object.fromEntries(planned.segments.map((s) => [s.segmentId, planned.rows.filter((r) => r.segmentId === s.segmentId).map((r) => r.subscriberId)]));
    expect(Object.values(bySegment).sort()).toEqual([[1, 2], [3], [4, 5]]);
    expect(bySegment['en.llm']).toEqual([4, 5]);
    expect(Object.keys(bySegment).filter((id) => id !== 'en.llm').every((id) => /^en\.llm\.i[0-9a-f]{12}$/.test(id))).toBe(true);
  });
});
