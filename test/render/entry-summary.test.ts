import { describe, expect, it } from 'vitest';
import { MISSING_ZH_MARKER, entrySummary } from '../../src/render/issue-copy.ts';
import { renderIssue } from '../../src/render/render-issue.ts';
import type { ChineseText, IssueEntry, Language, NewsletterSite, SegmentIssue } from '../../src/types.ts';
import { domain, paper } from '../support/builders.ts';

// What an entry shows under its title (issue 11, item 3): the TL;DR and key points when there are any, a
// whole-sentence excerpt of the abstract otherwise, per language part.

const ABSTRACT_EN =
  'Reasoning models waste tokens on easy questions. We propose StopEarly, a probe that predicts when an answer is ' +
  'settled. It cuts reasoning length by 41% on MATH-500. Accuracy stays within 0.3 points of the full model. ' +
  'The probe adds 2 ms per step.';
const ABSTRACT_ZH =
  '推理模型在简单问题上浪费词元。我们提出 StopEarly，一种预测答案何时已确定的探针。它在 MATH-500 上将推理长度减少 41%。' +
  '准确率与完整模型相差不超过 0.3 个百分点。该探针每步仅增加 2 毫秒。';

const TLDR_EN = 'A small probe stops reasoning once the answer is settled: 41% shorter traces, same accuracy.';
const TLDR_ZH = '一个小型探针在答案确定后即停止推理：推理链缩短 41%，准确率不变。';
const POINTS_EN = [
  'Method: a linear probe on hidden states predicts whether the answer is settled.',
  'Result: 41% shorter reasoning on MATH-500, accuracy within 0.3 points.',
  'New: costs only 2 ms per step.',
];
const POINTS_ZH = ['方法：基于隐藏状态的线性探针判断答案是否已确定。', '结果：在 MATH-500 上推理长度缩短 41%。', '新意：每步仅增加 2 毫秒。'];

const SITE: NewsletterSite = {
  name: 'paperboy',
  publicBaseUrl: 'https://paperboy.example.org',
  postalAddress: 'paperboy, 1 Example Street, Berlin',
  fromAddress: 'paperboy <digest@paperboy.example.org>',
};
const LLM = domain('llm', { name: { en: 'Large language models', zh: '大语言模型' } });

function entry(chinese: ChineseText | null): IssueEntry {
  return { paper: paper('2511.00001', { title: 'StopEarly: Knowing When to Stop Thinking', abstract: ABSTRACT_EN }), chinese, alsoIn: [] };
}

function issueOf(e: IssueEntry, language: Language): SegmentIssue {
  return {
    segmentId: `${language}.llm`,
    key: { topics: ['llm'], language },
    batchDate: '2025-11-14',
    sections: [{ domain: LLM, entries: [e], more: 0, total: 1 }],
  };
}

const FULL: ChineseText = {
  titleZh: 'StopEarly：知道何时停止思考',
  abstractZh: ABSTRACT_ZH,
  tldrEn: TLDR_EN,
  tldrZh: TLDR_ZH,
  pointsEn: POINTS_EN,
  pointsZh: POINTS_ZH,
};

/** The visible text of the mail's body, tags stripped, for "shows X, not Y" checks. */
function bodyText(html: string): string {
  return html
    .replace(/<head>[\s\S]*?<\/head>/u, '')
    .replace(/<[^>]+>/gu, ' ')
    .replace(/&#x27;/gu, "'")
    .replace(/&amp;/gu, '&')
    .replace(/\s+/gu, ' ');
}

const WIDTH = { en: 120, zh: 100 };

describe('mail entry with TL;DR and key points', () => {
  it('bilingual: both TL;DRs lead, both point lists replace the abstracts (HTML and text)', async () => {
    const mail = await renderIssue(issueOf(entry(FULL), 'bilingual'), SITE, { domains: [LLM], summaryWidth: WIDTH });
    const html = bodyText(mail.html);
    // The text part wraps English at 78 columns.
    const text = mail.text.replace(/\s+/gu, ' ');
    for (const shown of [TLDR_EN, TLDR_ZH, ...POINTS_EN, ...POINTS_ZH]) {
      expect(html).toContain(shown);
      expect(text).toContain(shown);
    }
    expect(mail.html.match(/<li>/gu)).toHaveLength(6);
    // The TL;DR comes before the points; no abstract sentence is shown.
    expect(html.indexOf(TLDR_EN)).toBeLessThan(html.indexOf(POINTS_EN[0] as string));
    expect(html).not.toContain('Reasoning models waste tokens');
    expect(html).not.toContain('推理模型在简单问题上浪费词元');
    expect(mail.text).toContain("    - Method: a linear probe on hidden states predicts whether the answer is\n      settled.");
    expect(mail.text).not.toContain('Reasoning models waste tokens');
  });

  it('en and zh readers get only their language', async () => {
    const en = await renderIssue(issueOf(entry(FULL), 'en'), SITE, { domains: [LLM] });
    expect(bodyText(en.html)).toContain(POINTS_EN[1]);
    expect(en.html).not.toContain(POINTS_ZH[1]);
    const zh = await renderIssue(issueOf(entry(FULL), 'zh'), SITE, { domains: [LLM] });
    expect(bodyText(zh.html)).toContain(POINTS_ZH[1]);
    expect(bodyText(zh.html)).toContain(TLDR_ZH);
    expect(zh.html).not.toContain(POINTS_EN[1]);
    expect(zh.text).not.toContain(TLDR_EN);
  });
});

describe('mail entry with partial summaries', () => {
  it('points in English only: the English part shows points, the Chinese part a sentence excerpt', () => {
    const s = entrySummary(entry({ ...FULL, pointsZh: null }), 'bilingual', WIDTH);
    expect(s.points.en).toEqual(POINTS_EN);
    expect(s.excerpt.en).toBeNull();
    expect(s.points.zh).toEqual([]);
    expect(s.excerpt.zh).toBe('推理模型在简单问题上浪费词元。我们提出 StopEarly，一种预测答案何时已确定的探针。');
  });

  it('a TL;DR without points leads, with the excerpt below it', async () => {
    const chinese = { ...FULL, pointsEn: [], pointsZh: null };
    const mail = await renderIssue(issueOf(entry(chinese), 'bilingual'), SITE, { domains: [LLM], summaryWidth: WIDTH });
    const html = bodyText(mail.html);
    expect(html).toContain(TLDR_EN);
    expect(html).toContain(TLDR_ZH);
    expect(mail.html).not.toContain('<li>');
    // Same sentences in both languages: 5 sentences each, the Chinese budget allows 2, so both show 2.
    expect(html).toContain('Reasoning models waste tokens on easy questions. We propose StopEarly, a probe that predicts when an answer is settled.');
    expect(html).not.toContain('It cuts reasoning length');
    expect(html).toContain('推理模型在简单问题上浪费词元。我们提出 StopEarly，一种预测答案何时已确定的探针。');
    expect(html.indexOf(TLDR_EN)).toBeLessThan(html.indexOf('Reasoning models waste'));
  });

  it('blank and surplus points are dropped: at most 3, none empty', () => {
    const s = entrySummary(entry({ ...FULL, pointsEn: ['  ', ...POINTS_EN, 'A fourth point.'] }), 'en', WIDTH);
    expect(s.points.en).toEqual(POINTS_EN);
  });
});

describe('mail entry without summaries', () => {
  it('shows whole-sentence excerpts, the same sentences in both languages, no ellipsis anywhere', async () => {
    const chinese = { titleZh: FULL.titleZh, abstractZh: ABSTRACT_ZH };
    const mail = await renderIssue(issueOf(entry(chinese), 'bilingual'), SITE, { domains: [LLM], summaryWidth: WIDTH });
    const html = bodyText(mail.html);
    expect(html).toContain('Reasoning models waste tokens on easy questions. We propose StopEarly, a probe that predicts when an answer is settled.');
    expect(html).toContain('推理模型在简单问题上浪费词元。我们提出 StopEarly，一种预测答案何时已确定的探针。');
    expect(html).not.toContain('…');
    expect(mail.text).not.toContain('…');
    expect(mail.html).not.toContain('<li>');
  });

  it('an untranslated paper shows the English excerpt and the pending marker once', async () => {
    const mail = await renderIssue(issueOf(entry(null), 'bilingual'), SITE, { domains: [LLM], summaryWidth: WIDTH });
    expect(bodyText(mail.html)).toContain('Reasoning models waste tokens on easy questions.');
    expect(mail.html.split(MISSING_ZH_MARKER)).toHaveLength(2);
    expect(mail.text.split(MISSING_ZH_MARKER)).toHaveLength(2);
  });
});

describe('text part separators', () => {
  it('never leaves "·" at the start or end of a wrapped line', async () => {
    const authors = ['Alexandria Ocasio-Cortez', 'Bartholomew Featherstonehaugh', 'Cassandra Wilhelmina Smith', 'Dmitri Ivanovich Mendeleev', 'Eve'].map(
      (name) => ({ name, affiliations: [] }),
    );
    // Meta is "A, B, C, D et al. (5 authors) · cs.AI": 99 columns, so it wraps; try widths of the last author.
    for (const extra of ['', 'x', 'xx', 'xxxxxxx', 'xxxxxxxxxxxx']) {
      const e = entry(null);
      e.paper.authors = authors.map((a, i) => (i === 3 ? { ...a, name: a.name + extra } : a));
      const mail = await renderIssue(issueOf(e, 'en'), SITE, { domains: [LLM] });
      for (const line of mail.text.split('\n')) {
        expect(line.trim().startsWith('·'), line).toBe(false);
        expect(line.trim().endsWith('·'), line).toBe(false);
      }
    }
  });
});
