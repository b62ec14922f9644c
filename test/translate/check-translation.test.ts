import { beforeAll, describe, expect, it } from 'vitest';
import { checkTranslation, findSwaps, glossaryMisses, mergeFields } from '../../src/translate/check-translation.ts';
import type { ReplyItem } from '../../src/translate/parse-reply.ts';
import type { Paper } from '../../src/types.ts';
import { loadZhFixture } from '../support/openai-test-server.ts';
import { samplePapers } from './fixture-papers.ts';

const zh = loadZhFixture();
let papers: Paper[];
const paper = (id: string) => papers.find((p) => p.id === id) as Paper;
beforeAll(async () => {
  papers = await samplePapers();
});

const NO_GLOSSARY = { summaries: false, glossary: {} };
const itemFor = (id: string, over: Partial<ReplyItem> = {}): ReplyItem => ({
  id,
  titleZh: zh[id]?.title_zh_raw ?? '',
  abstractZh: zh[id]?.abstract_zh ?? '',
  ...over,
});

describe('checkTranslation on the recorded replies', () => {
  it.each([
    ['2511.10628', 'Instella：性能卓越的完全开放语言模型'],
    ['2511.10643', '大型语言模型的黑盒在线策略蒸馏'],
    ['2511.10647', '深度万物 3：从任意视角重建视觉空间'],
    ['2511.10621', 'SSR：面向大语言模型推理的苏格拉底式自我优化'],
  ])('cleans the notes off %s and accepts it', (id, title) => {
    const check = checkTranslation(paper(id), itemFor(id), NO_GLOSSARY);
    expect(check.problems).toEqual([]);
    expect(check.fields.titleZh).toBe(title);
    expect(check.fields.abstractZh).toMatch(/^\p{Script=Han}/u);
    // ASCII punctuation inside Chinese is made full-width.
    expect(check.fields.abstractZh).not.toMatch(/\p{Script=Han},/u);
  });

  it('keeps the math of 2511.10626 and rejects the abstract when a $…$ span is lost', () => {
    const id = '2511.10626';
    expect(checkTranslation(paper(id), itemFor(id), NO_GLOSSARY).problems).toEqual([]);
    const dropped = itemFor(id, { abstractZh: (zh[id]?.abstract_zh ?? '').replace('$\\widetilde{\\mathcal{O}}(\\varepsilon^{-1})$', '') });
    const check = checkTranslation(paper(id), dropped, NO_GLOSSARY);
    expect(check.fields.abstractZh).toBeNull();
    expect(check.fields.titleZh).not.toBeNull();
    expect(check.problems).toEqual(['abstract: math missing: $\\widetilde{\\mathcal{O}}(\\varepsilon^{-1})$']);
  });

  it.each([
    ['English left in the abstract', (id: string) => ({ abstractZh: `${zh[id]?.abstract_zh ?? ''} ${paper(id).abstract.split('. ')[1] ?? ''}.` }), /^abstract: untranslated English/],
    ['the English title returned as is', (id: string) => ({ titleZh: paper(id).title }), /^title: (no Chinese|too little Chinese)/],
    ['an empty abstract', () => ({ abstractZh: '  ' }), /^abstract: empty$/],
    ['a truncated abstract', () => ({ abstractZh: '本文提出了一种方法。' }), /^abstract: too short/],
    ['only a translator note as title', () => ({ titleZh: '（注：标题无需翻译）' }), /^title: no Chinese left after cleaning$/],
  ])('rejects %s', (_what, change, problem) => {
    const id = '2511.10645';
    const check = checkTranslation(paper(id), itemFor(id, change(id)), NO_GLOSSARY);
    expect(check.problems).toHaveLength(1);
    expect(check.problems[0]).toMatch(problem);
  });
});

describe('TL;DR and key points', () => {
  const id = '2511.10645';
  const on = { summaries: true, glossary: {} };
  it('keeps checked items and never sends the paper back for them', () => {
    const check = checkTranslation(
      paper(id),
      itemFor(id, {
        tldrEn: 'ParoQuant rotates weight pairs and beats AWQ by 2.4% on reasoning tasks.',
        tldrZh: 'ParoQuant 通过成对旋转，在推理任务上比 AWQ 平均提升 2.4 % 的准确率。',
        pointsEn: ['ParoQuant rotates pairs of weights before quantization.', 'A point with 99.9% that the abstract never gives.'],
        pointsZh: ['1. ParoQuant 在量化前对权重成对旋转。', 'Rotations keep models accurate.'],
      }),
      on,
    );
    expect(check.problems).toEqual([]);
    expect(check.fields.tldrEn).toMatch(/^ParoQuant rotates/);
    expect(check.fields.pointsEn).toEqual(['ParoQuant rotates pairs of weights before quantization.']);
    expect(check.fields.pointsZh).toEqual(['ParoQuant 在量化前对权重成对旋转。']);
    expect(check.summaryOffered).toBe(6);
    expect(check.summaryDrops.map((d) => `${d.item} ${d.check}`)).toEqual(['points_en[2] number', 'points_zh[2] language']);
  });

  it('asks nothing of the summary when summaries are off', () => {
    const check = checkTranslation(paper(id), itemFor(id, { tldrEn: 'Anything.', pointsZh: ['随便'] }), NO_GLOSSARY);
    expect(check.fields.tldrEn).toBeNull();
    expect(check.fields.pointsZh).toEqual([]);
    expect(check.summaryOffered).toBe(0);
  });
});

describe('glossaryMisses', () => {
  it('names a term rendered another way, without rejecting the paper', () => {
    const id = '2511.10643';
    const check = checkTranslation(paper(id), itemFor(id), { summaries: false, glossary: { 'large language model': '大语言模型', 'on-policy': '同策略' } });
    expect(check.problems).toEqual([]);
    expect(check.notes).toEqual(['glossary: "on-policy" not rendered as 同策略']);
  });

  it('says nothing when the term is absent from the English', () => {
    expect(glossaryMisses(paper('2511.10626'), '任意', { agent: '智能体' })).toEqual([]);
  });
});

describe('mergeFields', () => {
  it('keeps the first answer where it was good and fills the rest from the second', () => {
    expect(
      mergeFields(
        { titleZh: '甲', abstractZh: null, tldrEn: null, tldrZh: null, pointsEn: [], pointsZh: [], analysis: null },
        { titleZh: '乙', abstractZh: '摘要', tldrEn: 'e', tldrZh: '中', pointsEn: ['p'], pointsZh: ['点'], analysis: { problem: { en: 'p', zh: '问' } } },
      ),
    ).toEqual({ titleZh: '甲', abstractZh: '摘要', tldrEn: 'e', tldrZh: '中', pointsEn: ['p'], pointsZh: ['点'], analysis: { problem: { en: 'p', zh: '问' } } });
  });
});

describe('findSwaps', () => {
  const fieldsOf = (id: string) => {
    const check = checkTranslation(paper(id), itemFor(id), NO_GLOSSARY);
    return { titleZh: check.fields.titleZh, abstractZh: check.fields.abstractZh };
  };

  it('raises no false alarm on the 20 correct recorded translations in one request', () => {
    const chinese = new Map(papers.map((p) => [p.id, fieldsOf(p.id)]));
    expect(findSwaps(papers, chinese)).toEqual(new Map());
  });

  it.each([
    ['2511.10645', '2511.10628'],
    ['2503.09399', '2511.10621'],
    ['2511.10647', '2508.17311'],
  ])('catches %s and %s exchanged', (a, b) => {
    const chinese = new Map(papers.map((p) => [p.id, fieldsOf(p.id)]));
    chinese.set(a, fieldsOf(b));
    chinese.set(b, fieldsOf(a));
    expect([...findSwaps(papers, chinese).keys()].sort()).toEqual([a, b].sort());
  });

  it('cannot be fooled in a request of one paper', () => {
    const one = [paper('2511.10645')];
    expect(findSwaps(one, new Map([['2511.10645', fieldsOf('2511.10628')]]))).toEqual(new Map());
  });
});
