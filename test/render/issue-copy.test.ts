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
  const [first, second] = Newsletter.PreviewProps.issue.sections;
  const entry = first!.entries[0]!;
  const domainOf = (id: string) => ({ ...first!.domain, id, name: { en: id, zh: id } });
  /** A mail of three topics a, b, c; `tagged` entries of a and c name b in "also in". */
  const mail = (above: number, below: number, total: number): SegmentIssue => {
    const tagged = (n: number) => Array.from({ length: n }, () => ({ ...entry, alsoIn: ['b'] }));
    return {
      ...Newsletter.PreviewProps.issue,
      sections: [
        { domain: domainOf('a'), entries: tagged(above), more: 0, total: above },
        { domain: domainOf('b'), entries: [], more: 0, total },
        { domain: domainOf('c'), entries: tagged(below), more: 0, total: below },
      ],
    };
  };
  it.each<[string, SegmentIssue, string, string]>([
    ['no paper', mail(0, 0, 0), 'No new papers in this topic today', '今日该主题暂无新论文'],
    [
      'all listed above',
      mail(4, 0, 4),
      "Today's 4 papers in this topic are listed above under your other topics",
      '本主题今日的 4 篇论文已列在上方其他主题中',
    ],
    [
      'one listed below',
      mail(0, 1, 1),
      "Today's 1 paper in this topic is listed below under your other topics",
      '本主题今日的 1 篇论文已列在下方其他主题中',
    ],
    // Before issue 12 this said "Today's 4 papers … are listed above" while none was.
    [
      'behind other topics’ "and N more"',
      mail(0, 0, 4),
      "Today's 4 papers in this topic: 4 not in this mail",
      '本主题今日的 4 篇论文：4 篇未列入本邮件',
    ],
    [
      'some above, some below, some not in the mail',
      mail(2, 1, 4),
      "Today's 4 papers in this topic: 2 listed above, 1 listed below (under your other topics), 1 not in this mail",
      '本主题今日的 4 篇论文：2 篇列在上方，1 篇列在下方（其他主题中），1 篇未列入本邮件',
    ],
  ])('%s', (_, issue, en, zh) => {
    expect(emptySectionLine(issue, 1)).toEqual({ en, zh });
  });
  it('falls back to "no new papers" for an index past the sections', () => {
    expect(emptySectionLine({ ...Newsletter.PreviewProps.issue, sections: [first!, second!] }, 5).en).toBe(
      'No new papers in this topic today',
    );
  });
});

describe('sectionCount', () => {
  const domain = Newsletter.PreviewProps.issue.sections[0]!.domain;
  // The topic's matching papers, the figure the archive gives for it; before issue 12 a topic whose papers sat
  // elsewhere said "4 ↑" where the archive said "(0)".
  it.each([
    [{ entries: 0, more: 0, total: 0 }, '0 matching', '匹配 0 篇'],
    [{ entries: 0, more: 0, total: 4 }, '4 matching', '匹配 4 篇'],
    [{ entries: 0, more: 3, total: 9 }, '9 matching', '匹配 9 篇'],
    [{ entries: 2, more: 3, total: 6 }, '6 matching', '匹配 6 篇'],
  ])('%j → %s', ({ entries, more, total }, en, zh) => {
    const section = { domain, entries: Newsletter.PreviewProps.issue.sections[0]!.entries.slice(0, entries), more, total };
    expect(sectionCount(section)).toEqual({ en, zh });
  });
});
