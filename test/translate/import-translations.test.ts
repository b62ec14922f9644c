import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GLOSSARY } from '../../src/config/default-glossary.ts';
import { openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import { findTranslations } from '../../src/store/translations.ts';
import { chineseForPapers } from '../../src/translate/chinese-for-papers.ts';
import { importTranslations, parseRecordedTranslations } from '../../src/translate/import-translations.ts';
import { checkChinese } from '../../src/translate/clean-translation.ts';
import { sampleDayPapers } from '../support/builders.ts';
import { makePaper } from './fixture-papers.ts';

// `paperboy translations import` with TL;DRs, key points and analyses (issue 11, item 7): partial entries are
// used, and every item passes the same cleaning and checks as a live reply.

const NOW = new Date('2025-11-14T06:00:00Z');
const paper = makePaper(
  '2511.10648',
  'Enhancing the Outcome Reward-based RL Training of MLLMs with Self-Consistency Sampling',
  'We propose Self-Consistency Sampling (SCS). Based on Qwen2.5-VL-7B-Instruct, plugging SCS into RLOO and GRPO improves accuracy by up to 7.7 percentage points on six multimodal benchmarks. Large language model agents gain too.',
);
const papers = new Map([[paper.id, { title: paper.title, abstract: paper.abstract }]]);

let db: Kysely<Database>;
beforeEach(async () => {
  db = await openDatabase({ file: ':memory:' });
});
afterEach(async () => {
  await db.destroy();
});

describe('parseRecordedTranslations with summaries', () => {
  it('accepts an entry with only tldr_zh and points_zh', () => {
    const { rows, report } = parseRecordedTranslations(
      { [paper.id]: { tldr_zh: 'SCS 让准确率最多提升 7.7 个百分点。', points_zh: ['SCS 对轨迹重采样。', '准确率最多提升 7.7 个百分点。'] } },
      { papers },
    );
    expect(report).toMatchObject({ imported: 1, titles: 0, abstracts: 0, summaries: 1, rejected: [], dropped: [] });
    expect(rows[0]).toMatchObject({
      titleZh: null,
      abstractZh: null,
      tldrEn: null,
      tldrZh: 'SCS 让准确率最多提升 7.7 个百分点。',
      pointsEn: null,
      pointsZh: ['SCS 对轨迹重采样。', '准确率最多提升 7.7 个百分点。'],
    });
  });

  it('drops bad items with the paper id and the reason, and keeps the rest', () => {
    const { rows, report } = parseRecordedTranslations(
      {
        [paper.id]: {
          tldr_en: 'SCS adds up to 7.7 points on six benchmarks.',
          points_en: ['SCS beats GPT-4o.', 'Gains 93.1% accuracy.', '**Simple**.'],
          points_zh: ['SCS is simple.', 'SCS 对轨迹重采样。'],
          analysis: {
            problem: { en: 'Outcome rewards pay for lucky guesses.', zh: '结果奖励会奖励碰巧猜对的答案。' },
            results: { en: 'Up to 7.7 points.', zh: '最多提升 77 个百分点。' },
          },
        },
      },
      { papers },
    );
    expect(report.dropped).toEqual([
      { paperId: paper.id, item: 'points_en[1]', reason: 'name: "GPT-4o" is not in the abstract' },
      { paperId: paper.id, item: 'points_en[2]', reason: 'number: 93.1 is not in the abstract' },
      { paperId: paper.id, item: 'points_en[3]', reason: 'markup: markdown or a list: **Simple**.' },
      { paperId: paper.id, item: 'points_zh[1]', reason: 'language: English in the Chinese slot: SCS is simple.' },
      { paperId: paper.id, item: 'analysis.results.zh', reason: 'number: 77 is not in the abstract' },
    ]);
    expect(rows[0]).toMatchObject({
      tldrEn: 'SCS adds up to 7.7 points on six benchmarks.',
      pointsEn: null,
      pointsZh: ['SCS 对轨迹重采样。'],
      analysis: {
        problem: { en: 'Outcome rewards pay for lucky guesses.', zh: '结果奖励会奖励碰巧猜对的答案。' },
        results: { en: 'Up to 7.7 points.', zh: null },
      },
    });
    expect(report).toMatchObject({ imported: 1, summaries: 1, analyses: 1 });
  });

  it('rejects an entry where nothing survives, saying why', () => {
    const { rows, report } = parseRecordedTranslations({ [paper.id]: { points_zh: ['Only English here.'] } }, { papers });
    expect(rows).toEqual([]);
    expect(report.rejected[0]?.reason).toMatch(/every TL;DR, point and analysis item failed its checks/);
  });

  it('puts the Chinese in the glossary wording where the English uses the term', () => {
    const { rows } = parseRecordedTranslations(
      { [paper.id]: { title_zh_raw: '大型语言模型代理的自一致性采样', points_zh: ['大型语言模型代理同样受益。'] } },
      { papers, glossary: DEFAULT_GLOSSARY },
    );
    expect(rows[0]).toMatchObject({ titleZh: '大语言模型智能体的自一致性采样', pointsZh: ['大语言模型智能体同样受益。'] });
  });

  it('keeps items of a paper not stored yet after the checks that need no abstract', () => {
    const { rows, report } = parseRecordedTranslations({ '2511.99999': { points_en: ['Beats GPT-4o by 93.1%.', 'Plain 中文 here.'] } });
    expect(rows[0]?.pointsEn).toEqual(['Beats GPT-4o by 93.1%.']);
    expect(report.dropped).toEqual([{ paperId: '2511.99999', item: 'points_en[2]', reason: 'language: Chinese in the English slot: Plain 中文 here.' }]);
  });
});

describe('importTranslations', () => {
  it('stores points and the analysis, checks against the stored paper, and the mail gets what passed', async () => {
    await db
      .insertInto('papers')
      .values({
        id: paper.id,
        version: 1,
        title: paper.title,
        abstract: paper.abstract,
        authors: '[]',
        categories: '["cs.CL"]',
        announce_type: 'new',
        license: null,
        doi: null,
        journal_ref: null,
        updated_at: NOW.toISOString(),
      })
      .execute();
    const report = await importTranslations(
      db,
      'points.json',
      {
        [paper.id]: {
          tldr_zh: 'SCS 让准确率最多提升 7.7 个百分点。',
          points_zh: ['SCS 对轨迹重采样。', '准确率提升 93.1%。'],
          analysis: { method: { en: 'Resamples trajectories.', zh: '对轨迹重采样。' } },
        },
      },
      NOW,
    );
    // The paper is stored, so the number check runs at import (and again at the moment of use).
    expect(report.dropped).toEqual([{ paperId: paper.id, item: 'points_zh[2]', reason: 'number: 93.1 is not in the abstract' }]);
    const row = (await findTranslations(db, [paper])).get(paper.id);
    expect(row?.analysis).toEqual({ method: { en: 'Resamples trajectories.', zh: '对轨迹重采样。' } });
    const chinese = (await chineseForPapers(db, [paper])).get(paper.id);
    expect(chinese).toMatchObject({ titleZh: null, tldrZh: 'SCS 让准确率最多提升 7.7 个百分点。', pointsZh: ['SCS 对轨迹重采样。'] });
  });

  it('imports the recorded summaries fixture (partial ForAug entry included) without dropping anything', async () => {
    const data: unknown = JSON.parse(readFileSync('test/fixtures/summaries-2025-11-14.json', 'utf8'));
    const report = await importTranslations(db, 'summaries-2025-11-14.json', data, NOW);
    expect(report).toMatchObject({ imported: 16, titles: 0, abstracts: 0, summaries: 16, rejected: [], dropped: [] });
  });

  it('the recorded data of the demo passes every check against the sample day’s own English', async () => {
    // The entries written by hand for the demo (test/fixtures/README.md) are held to what a model reply is held to:
    // numbers, names and $…$ from the abstract, Chinese only, no notes, length limits, glossary wording.
    const day = new Map((await sampleDayPapers()).map((p) => [p.id, p]));
    const sources = new Map([...day].map(([id, p]) => [id, { title: p.title, abstract: p.abstract }]));
    const summaries: unknown = JSON.parse(readFileSync('test/fixtures/summaries-2025-11-14.json', 'utf8'));
    const { rows, report } = parseRecordedTranslations(summaries, { papers: sources, glossary: DEFAULT_GLOSSARY });
    expect(report.dropped).toEqual([]);
    for (const row of rows.filter((r) => day.has(r.paperId) && r.paperId !== '2503.09399')) {
      expect(row, row.paperId).toMatchObject({ tldrEn: expect.any(String), tldrZh: expect.any(String) });
      expect([row.pointsEn?.length, row.pointsZh?.length], row.paperId).toEqual([3, 3]);
    }
    const zh = JSON.parse(readFileSync('test/fixtures/zh-2025-11-14.json', 'utf8')) as Record<string, { title_zh?: string }>;
    const handWritten = Object.entries(zh).filter(([, entry]) => entry.title_zh !== undefined);
    expect(handWritten.map(([id]) => id).sort()).toEqual(['2511.10593', '2511.10611', '2511.10615', '2511.10618']);
    for (const [id, entry] of handWritten) expect(checkChinese(entry.title_zh!, day.get(id)!.title), id).toEqual([]);
  });
});
