import { describe, expect, it } from 'vitest';
import { withoutMailedPapers } from '../../src/select/drop-mailed-papers.ts';
import type { AnnounceType, DomainSelection } from '../../src/types.ts';
import { domain, paper } from '../support/builders.ts';

function selections(): DomainSelection[] {
  const p = (id: string, version: number, announceType: AnnounceType) => paper(id, { version, announceType });
  const match = (pp: ReturnType<typeof p>, domainId: string) => ({ paper: pp, domainId, score: 1, matchedIn: 'title' as const, keywords: [] });
  const a = p('2511.00001', 1, 'new');
  const b = p('2511.00002', 2, 'replace');
  const c = p('2511.00003', 2, 'cross');
  return [
    { domain: domain('llm'), matches: [match(a, 'llm'), match(b, 'llm'), match(c, 'llm')] },
    { domain: domain('agents'), matches: [match(c, 'agents')] },
  ];
}

const ids = (s: DomainSelection[]) => s.map((d) => d.matches.map((m) => `${m.paper.id}:${m.paper.announceType}`));

describe('withoutMailedPapers', () => {
  it.each([
    ['nothing mailed', new Map<string, number>(), false, [['2511.00001:new', '2511.00002:replace', '2511.00003:cross'], ['2511.00003:cross']], [], []],
    ['any version mailed drops it', new Map([['2511.00002', 1], ['2511.00003', 1]]), false, [['2511.00001:new'], []], ['2511.00002', '2511.00003'], []],
    [
      'a newer version is kept and labelled updated when allowed',
      new Map([['2511.00002', 1], ['2511.00003', 1]]),
      true,
      [['2511.00001:new', '2511.00002:replace', '2511.00003:replace-cross'], ['2511.00003:replace-cross']],
      [],
      ['2511.00002', '2511.00003'],
    ],
    ['the same version is dropped even when updates are allowed', new Map([['2511.00001', 1]]), true, [['2511.00002:replace', '2511.00003:cross'], ['2511.00003:cross']], ['2511.00001'], []],
  ] as const)('%s', (_name, mailed, showUpdatedVersions, kept, dropped, updated) => {
    const input = selections();
    const result = withoutMailedPapers(input, mailed, { showUpdatedVersions });
    expect(ids(result.selections)).toEqual(kept);
    expect(result.dropped).toEqual(dropped);
    expect(result.updated).toEqual(updated);
    // The input is left as it was.
    expect(ids(input)).toEqual([['2511.00001:new', '2511.00002:replace', '2511.00003:cross'], ['2511.00003:cross']]);
  });
});
