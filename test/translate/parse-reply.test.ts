import { describe, expect, it } from 'vitest';
import { matchReply, normalizeId, parseReply, stripWrapping } from '../../src/translate/parse-reply.ts';

const A = { id: '2511.00001', title_zh: '标题甲', abstract_zh: '摘要甲。' };
const B = { id: '2511.00002', title_zh: '标题乙', abstract_zh: '摘要乙。' };
const json = (value: unknown) => JSON.stringify(value);

describe('normalizeId', () => {
  it.each([
    ['2511.10593', '2511.10593'],
    [' 2511.10593v2 ', '2511.10593'],
    ['arXiv:2511.10593', '2511.10593'],
    ['ARXIV: 2511.10593v11', '2511.10593'],
    ['hep-ex/0307015v1', 'hep-ex/0307015'],
  ])('%j → %s', (raw, expected) => {
    expect(normalizeId(raw)).toBe(expected);
  });
});

describe('stripWrapping', () => {
  it.each([
    ['```json\n{"a":1}\n```', '{"a":1}'],
    ['<think>let me see {x}</think>\n{"a":1}', '{"a":1}'],
    ['reasoning without an opening tag</think>{"a":1}', '{"a":1}'],
    ['{"a":1}', '{"a":1}'],
  ])('%j', (raw, expected) => {
    expect(stripWrapping(raw)).toBe(expected);
  });
});

describe('parseReply', () => {
  it.each([
    ['the documented envelope', json({ papers: [A, B] })],
    ['another envelope key', json({ translations: [A, B] })],
    ['a bare array', json([A, B])],
    ['an object keyed by id', json({ [A.id]: { title_zh: A.title_zh, abstract_zh: A.abstract_zh }, [B.id]: { title_zh: B.title_zh, abstract_zh: B.abstract_zh } })],
    ['a code fence', `\`\`\`json\n${json({ papers: [A, B] })}\n\`\`\``],
    ['chatter around the JSON', `好的，以下是翻译：\n${json({ papers: [A, B] })}\n希望对您有帮助。`],
  ])('reads %s', (_shape, content) => {
    const reply = parseReply(content);
    expect(reply.items.map((i) => [i.id, i.titleZh, i.abstractZh])).toEqual([
      [A.id, A.title_zh, A.abstract_zh],
      [B.id, B.title_zh, B.abstract_zh],
    ]);
  });

  it('reads a single item, numeric ids and TL;DR fields', () => {
    const reply = parseReply(json({ id: 2511.1, title_zh: 't', abstract_zh: 'a', tldr_en: 'e', tldr_zh: 'z' }));
    expect(reply.items).toEqual([{ id: '2511.1', titleZh: 't', abstractZh: 'a', tldrEn: 'e', tldrZh: 'z' }]);
    expect(reply.salvaged).toBe(false);
  });

  it('salvages the complete items of an answer cut off at the token limit', () => {
    const full = json({ papers: [A, B, { id: '2511.00003', title_zh: '标题丙', abstract_zh: '摘要丙。' }] });
    const reply = parseReply(full.slice(0, full.indexOf('标题丙') + 2));
    expect(reply.salvaged).toBe(true);
    expect(reply.items.map((i) => i.id)).toEqual([A.id, B.id]);
    expect(reply.problems.join()).toMatch(/not valid JSON; 2 complete items recovered/);
  });

  it('salvages items from JSON with a syntax error elsewhere (braces inside strings do not confuse it)', () => {
    const tricky = { ...A, abstract_zh: '集合 {x | x > 0} 与 "引号"' };
    const reply = parseReply(`{"papers": [${json(tricky)}, ${json(B)},]`);
    expect(reply.items.map((i) => i.abstractZh)).toEqual([tricky.abstract_zh, B.abstract_zh]);
  });

  it('reports an answer with nothing usable', () => {
    const reply = parseReply('抱歉，我无法完成这个请求。');
    expect(reply.items).toEqual([]);
    expect(reply.problems).toEqual(['answer is not valid JSON and holds no complete item']);
  });

  it('keeps the id of a malformed item so that paper is asked again', () => {
    const reply = parseReply(json({ papers: [A, { id: B.id, title_zh: 42 }] }));
    expect(reply.items.map((i) => i.id)).toEqual([A.id]);
    expect(reply.brokenIds).toEqual([B.id]);
  });
});

describe('matchReply', () => {
  const ids = [A.id, B.id, '2511.00003'];

  it('pairs items with requested ids whatever the order', () => {
    const matched = matchReply(ids, parseReply(json({ papers: [B, A] })));
    expect(matched.byId.get(A.id)?.titleZh).toBe(A.title_zh);
    expect(matched.byId.get(B.id)?.titleZh).toBe(B.title_zh);
    expect([...matched.missing]).toEqual([['2511.00003', 'missing from the answer']]);
  });

  it('throws both copies of an id answered twice away', () => {
    const matched = matchReply(ids, parseReply(json({ papers: [A, { ...A, title_zh: '另一个' }, B] })));
    expect(matched.byId.has(A.id)).toBe(false);
    expect(matched.missing.get(A.id)).toBe('answered more than once');
    expect(matched.byId.has(B.id)).toBe(true);
  });

  it('ignores ids never asked for and names them', () => {
    const matched = matchReply([A.id], parseReply(json({ papers: [A, { ...B, id: '9999.99999' }] })));
    expect([...matched.byId.keys()]).toEqual([A.id]);
    expect(matched.stray).toEqual(['9999.99999']);
  });

  it('matches ids echoed with a version or prefix', () => {
    const matched = matchReply([A.id], parseReply(json({ papers: [{ ...A, id: `arXiv:${A.id}v3` }] })));
    expect(matched.byId.has(A.id)).toBe(true);
  });

  it('says why a malformed item is missing', () => {
    const matched = matchReply([A.id, B.id], parseReply(json({ papers: [A, { id: B.id }] })));
    expect(matched.missing.get(B.id)).toBe('answer item is malformed');
  });
});

describe('parseReply: summary fields', () => {
  it('carries TL;DR, points and analysis through as given, to be checked item by item later', () => {
    const analysis = { problem: { en: 'p', zh: '问题' } };
    const reply = parseReply(json({ papers: [{ ...A, tldr_en: 'One line.', tldr_zh: '一句话。', points_en: ['a', 'b', 'c'], points_zh: ['甲', '乙'], analysis }] }));
    expect(reply.items).toEqual([
      { id: A.id, titleZh: '标题甲', abstractZh: '摘要甲。', tldrEn: 'One line.', tldrZh: '一句话。', pointsEn: ['a', 'b', 'c'], pointsZh: ['甲', '乙'], analysis },
    ]);
  });

  it('keeps the translation when the summary fields have the wrong shape', () => {
    const reply = parseReply(json({ papers: [{ ...A, tldr_en: 42, points_en: 'one string', points_zh: [{ text: '甲' }] }] }));
    expect(reply.brokenIds).toEqual([]);
    expect(reply.items[0]).toMatchObject({ titleZh: '标题甲', tldrEn: 42, pointsEn: 'one string', pointsZh: [{ text: '甲' }] });
  });
});
