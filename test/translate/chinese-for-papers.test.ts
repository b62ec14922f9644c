import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import { findCachedIds } from '../../src/store/translation-cache.ts';
import { saveTranslation, type TranslationRecord } from '../../src/store/translations.ts';
import { chineseForPapers } from '../../src/translate/chinese-for-papers.ts';
import { makePaper } from './fixture-papers.ts';

const paper = makePaper(
  '2511.10645',
  'ParoQuant: Pairwise Rotation Quantization for Efficient Reasoning LLM Inference',
  'Post-training quantization of weights to $k$ bits keeps reasoning models accurate while making them fast and cheap to serve on small hardware.',
  2,
);
const TITLE = 'ParoQuant：面向高效推理大语言模型的双向旋转量化方法';
const ABSTRACT = '将权重训练后量化到 $k$ 比特，可在保持推理模型准确性的同时，使其在小型硬件上快速且低成本地部署。';
const LIVE = { model: 'deepseek-chat', promptVersion: 'zh1.aaaaaaaa' };

let db: Kysely<Database>;
beforeEach(async () => {
  db = await openDatabase({ file: ':memory:' });
});
afterEach(async () => {
  await db.destroy();
});

function record(over: Partial<TranslationRecord>): TranslationRecord {
  return {
    paperId: paper.id,
    version: 2,
    ...LIVE,
    titleZh: TITLE,
    abstractZh: ABSTRACT,
    tldrEn: null,
    tldrZh: null,
    problems: [],
    createdAt: '2025-11-14T06:00:00.000Z',
    ...over,
  };
}

describe('chineseForPapers', () => {
  it('takes each field from the best stored translation that passes the checks', async () => {
    // The live translation lost its abstract; an older import of the same paper still has one.
    await saveTranslation(db, record({ abstractZh: null, problems: ['abstract: math missing: $k$'] }));
    await saveTranslation(db, record({ model: 'import:zh.json', promptVersion: 'recorded', version: 0, titleZh: '旧标题：双向旋转量化方法', createdAt: '2025-11-01T00:00:00.000Z' }));
    const chinese = await chineseForPapers(db, [paper], { prefer: LIVE });
    expect(chinese.get(paper.id)).toMatchObject({ titleZh: TITLE, abstractZh: ABSTRACT });
  });

  it('prefers this run\'s model and prompt over a newer translation by another', async () => {
    await saveTranslation(db, record({}));
    await saveTranslation(db, record({ model: 'other', titleZh: '另一模型的译法：面向高效推理大语言模型的双向旋转量化', createdAt: '2025-11-15T00:00:00.000Z' }));
    expect((await chineseForPapers(db, [paper], { prefer: LIVE })).get(paper.id)?.titleZh).toBe(TITLE);
    expect((await chineseForPapers(db, [paper])).get(paper.id)?.titleZh).toBe('另一模型的译法：面向高效推理大语言模型的双向旋转量化');
  });

  it('never shows a stored field that fails the checks: the marker shows instead', async () => {
    await saveTranslation(db, record({ titleZh: paper.title, abstractZh: ABSTRACT.replace('$k$', 'k') }));
    expect((await chineseForPapers(db, [paper], { prefer: LIVE })).has(paper.id)).toBe(false);
  });

  it('ignores translations of another version of the paper', async () => {
    await saveTranslation(db, record({ version: 1 }));
    expect((await chineseForPapers(db, [paper])).size).toBe(0);
  });

  it.each([
    ['shown when on', { tldrEn: 'Rotations make $k$-bit reasoning models fast.', tldrZh: '旋转让 $k$ 比特推理模型更快。' }, true, '旋转让 $k$ 比特推理模型更快。'],
    ['hidden when off', { tldrEn: 'Rotations make $k$-bit reasoning models fast.', tldrZh: '旋转让 $k$ 比特推理模型更快。' }, false, null],
    // Checked again at the moment of use: "4" is not in this paper's abstract.
    ['hidden when it names a number the abstract lacks', { tldrEn: 'Rotations help.', tldrZh: '旋转让 4 比特推理模型更快。' }, true, null],
    ['hidden when the "Chinese" is English', { tldrEn: 'Rotations help.', tldrZh: 'Rotations help.' }, true, null],
  ])('TL;DR %s', async (_what, tldr, on, expected) => {
    await saveTranslation(db, record(tldr));
    const chinese = await chineseForPapers(db, [paper], { prefer: LIVE, tldr: on });
    expect(chinese.get(paper.id)?.tldrZh ?? null).toBe(expected);
  });
});

describe('chineseForPapers: key points and the glossary', () => {
  it('hands over the checked points, dropping those that fail against this abstract', async () => {
    await saveTranslation(
      db,
      record({
        pointsEn: ['Pairwise rotations before quantization to $k$ bits.', 'Beats GPT-4o by 12%.'],
        pointsZh: ['量化到 $k$ 比特之前先做成对旋转。', '在小型硬件上快速且低成本地部署。'],
      }),
    );
    const chinese = (await chineseForPapers(db, [paper], { prefer: LIVE })).get(paper.id);
    expect(chinese?.pointsEn).toEqual(['Pairwise rotations before quantization to $k$ bits.']);
    expect(chinese?.pointsZh).toEqual(['量化到 $k$ 比特之前先做成对旋转。', '在小型硬件上快速且低成本地部署。']);
    expect((await chineseForPapers(db, [paper], { prefer: LIVE, tldr: false })).get(paper.id)?.pointsZh).toBeNull();
  });

  it('shows a paper that has only imported points (no title or abstract)', async () => {
    await saveTranslation(db, record({ titleZh: null, abstractZh: null, pointsZh: ['量化到 $k$ 比特之前先做成对旋转。'] }));
    expect((await chineseForPapers(db, [paper])).get(paper.id)).toMatchObject({ titleZh: null, pointsZh: ['量化到 $k$ 比特之前先做成对旋转。'] });
  });

  it('puts stored text in the glossary\'s wording, only for terms the English uses', async () => {
    const llm = makePaper('2511.00002', 'Large language models as agents', 'Large language model agents plan with tools and memory over long horizons in open worlds.', 1);
    await saveTranslation(
      db,
      record({
        paperId: llm.id,
        version: 1,
        titleZh: '作为代理的大型语言模型',
        abstractZh: '大型语言模型代理借助工具与记忆，在开放世界中进行长程规划。',
        pointsZh: ['大型语言模型代理借助工具进行规划。'],
      }),
    );
    await saveTranslation(db, record({ abstractZh: `${ABSTRACT}代理指标见正文。` }));
    const chinese = await chineseForPapers(db, [llm, paper]);
    expect(chinese.get(llm.id)).toMatchObject({
      titleZh: '作为智能体的大语言模型',
      abstractZh: '大语言模型智能体借助工具与记忆，在开放世界中进行长程规划。',
      pointsZh: ['大语言模型智能体借助工具进行规划。'],
    });
    // "agent" is not in ParoQuant's English: 代理 (proxy) stays.
    expect(chinese.get(paper.id)?.abstractZh).toContain('代理指标');
  });
});

describe('findCachedIds', () => {
  it('finds only the exact paper version, model and prompt version', async () => {
    await saveTranslation(db, record({}));
    const other = makePaper('2511.00001', 't', 'a', 1);
    await saveTranslation(db, record({ paperId: other.id, version: 1, promptVersion: 'zh1.bbbbbbbb' }));
    expect(await findCachedIds(db, [paper, other], LIVE)).toEqual(new Set([paper.id]));
    expect(await findCachedIds(db, [{ ...paper, version: 3 }], LIVE)).toEqual(new Set());
    expect(await findCachedIds(db, [paper], { ...LIVE, model: 'qwen-plus' })).toEqual(new Set());
  });
});
