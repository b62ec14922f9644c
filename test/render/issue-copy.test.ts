import { describe, expect, it } from 'vitest';
import { Newsletter, type NewsletterProps } from '../../emails/newsletter.tsx';
import {
  sectionCount,
  emptySectionLine,
  alsoInLine,
  announceLabel,
  buildPreheader,
  buildSubject,
  cleanText,
  formatAuthors,
  sectionUrl,
} from '../../src/render/issue-copy.ts';
import type { Author, IssueEntry, Language, SegmentIssue } from '../../src/types.ts';

const sample: NewsletterProps = Newsletter.PreviewProps;
const authors = (n: number): Author[] =>
  Array.from({ length: n }, (_, i) => ({ name: `A${i}`, affiliations: [`Lab ${i} (City, Country)`] }));

describe('formatAuthors', () => {
  it.each<[number, number, 'en' | 'zh', string]>([
    [0, 4, 'en', ''],
    [1, 4, 'en', 'A0'],
    [4, 4, 'en', 'A0, A1, A2, A3'],
    [5, 4, 'en', 'A0, A1, A2, A3 et al. (5 authors)'],
    [12, 4, 'zh', 'A0, A1, A2, A3 等 12 位作者'],
    [3, 1, 'en', 'A0 et al. (3 authors)'],
  ])('%i authors, max %i, %s', (n, max, ui, expected) => {
    expect(formatAuthors(authors(n), max, ui)).toBe(expected);
  });
});

describe('small copy helpers', () => {
  it.each([
    ['new', undefined],
    ['cross', { en: 'cross-list', zh: '交叉列表' }],
    ['replace', { en: 'updated', zh: '新版本' }],
  ] as const)('announce label for %s', (type, label) => {
    expect(announceLabel(type)).toEqual(label);
  });

  it('cleanText collapses arXiv line breaks', () => {
    expect(cleanText('  We propose\n  a method.\tIt works.  ')).toBe('We propose a method. It works.');
  });

  it('section URLs drop a trailing slash of the base and encode the id', () => {
    const site = { ...sample.site, publicBaseUrl: 'https://x.example/' };
    expect(sectionUrl(site, sample.issue, 'a b')).toBe('https://x.example/issues/2025-11-14/a%20b');
  });

  it.each<[Language, string | null]>([
    ['bilingual', 'also in: 智能体 Agents, unknown-id'],
    ['en', 'also in: Agents, unknown-id'],
    ['zh', '另见：智能体、unknown-id'],
  ])('also-in line, %s', (language, expected) => {
    const entry = { alsoIn: ['agents', 'unknown-id'] } as IssueEntry;
    expect(alsoInLine(entry, language, sample.domainNames)).toBe(expected);
    expect(alsoInLine({ alsoIn: [] } as unknown as IssueEntry, language, sample.domainNames)).toBeNull();
  });
});

describe('subject and preheader', () => {
  const emptyDay: SegmentIssue = {
    ...sample.issue,
    sections: sample.issue.sections.map((s) => ({ ...s, entries: [], more: 0 })),
  };

  it('counts shown and "more" papers, singular and plural', () => {
    expect(buildSubject(sample.issue)).toBe(
      'arXiv 日报 2025年11月14日 · 7 篇 | arXiv digest Fri 14 Nov 2025 · 7 papers',
    );
    expect(buildSubject({ ...emptyDay, key: { ...emptyDay.key, language: 'en' } })).toBe(
      'arXiv digest Fri 14 Nov 2025 · 0 papers',
    );
  });

  it('preheader: date, count, top title; fits ~40 Han in the Chinese part', () => {
    const pre = buildPreheader(sample.issue);
    expect(pre).toMatch(/^11月14日 · 7 篇新论文 · ParoQuant：面向高效推理大语言模型的成对旋转量化 \| 14 Nov · 7 new papers · ParoQuant/u);
    expect(buildPreheader(emptyDay)).toBe('11月14日 · 今日暂无新论文 | 14 Nov · No new papers today');
  });
});

describe('emptySectionLine', () => {
  const domain = Newsletter.PreviewProps.issue.sections[0]!.domain;
  it('says "no new papers" only when the topic had none', () => {
    expect(emptySectionLine({ domain, entries: [], more: 0, total: 0 }).en).toBe('No new papers in this topic today');
  });
  it('points to the other topics when its papers are shown there', () => {
    const line = emptySectionLine({ domain, entries: [], more: 0, total: 4 });
    expect(line.en).toBe("Today's 4 papers in this topic are listed above under your other topics");
    expect(line.zh).toBe('本主题今日的 4 篇论文已列在上方其他主题中');
  });
});

describe('sectionCount', () => {
  const domain = Newsletter.PreviewProps.issue.sections[0]!.domain;
  it.each([
    [{ entries: 0, more: 0, total: 0 }, '0'],
    [{ entries: 0, more: 0, total: 4 }, '4 ↑'],
    [{ entries: 0, more: 3, total: 9 }, '3'],
  ])('%j → %s', ({ entries, more, total }, expected) => {
    const section = { domain, entries: Newsletter.PreviewProps.issue.sections[0]!.entries.slice(0, entries), more, total };
    expect(sectionCount(section)).toBe(expected);
  });
});
