import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import mjml2html from 'mjml';
import { describe, expect, it } from 'vitest';
import { Newsletter } from '../../emails/newsletter.tsx';
import { RenderError } from '../../src/errors.ts';
import { MISSING_ZH_MARKER } from '../../src/render/issue-copy.ts';
import { READER_PLACEHOLDERS, personalize, renderIssue } from '../../src/render/render-issue.ts';
import type {
  ChineseText,
  Domain,
  IssueEntry,
  Language,
  NewsletterSite,
  Paper,
  SegmentIssue,
} from '../../src/types.ts';

// ---- Builders: a synthetic but realistic day (long abstracts, real Chinese translations from the fixture). ----

const ZH_ABSTRACTS: string[] = Object.values(
  JSON.parse(readFileSync(new URL('../fixtures/zh-2025-11-14.json', import.meta.url), 'utf8')) as Record<
    string,
    { abstract_zh: string }
  >,
).map((v) => v.abstract_zh);

const EN_ABSTRACT =
  'Weight-only post-training quantization (PTQ) compresses the weights of Large Language Models (LLMs) into ' +
  'low-precision representations to reduce memory footprint and accelerate inference. However, the presence of ' +
  'outliers in weights and activations often leads to large quantization errors and severe accuracy degradation, ' +
  'especially in recent reasoning LLMs where errors accumulate across long chains of thought. Existing PTQ ' +
  'methods either fail to sufficiently suppress outliers or introduce significant overhead during inference. In ' +
  'this paper, we propose Pairwise Rotation Quantization (ParoQuant), a weight-only PTQ method that combines ' +
  'hardware-efficient and optimizable independent Givens rotations with channel-wise scaling to even out the ' +
  'magnitude across channels and narrow the dynamic range within each quantization group. We further co-design ' +
  'the inference kernel to fully exploit GPU parallelism and keep the rotations and scaling lightweight at ' +
  'runtime. ParoQuant achieves an average 2.4% accuracy improvement over AWQ on reasoning tasks with less than ' +
  '10% overhead, and $O(n \\log n)$ extra work. This paves the way for more efficient and accurate deployment of ' +
  'reasoning LLMs across a wide range of hardware targets and serving stacks.';

const HAN = /\p{Script=Han}/u;
const HAN_G = /\p{Script=Han}/gu;

const SITE: NewsletterSite = {
  name: 'paperboy',
  publicBaseUrl: 'https://paperboy.example.org/',
  postalAddress: 'paperboy, 1 Example Street, 10115 Berlin, Germany',
  fromAddress: 'paperboy <digest@paperboy.example.org>',
};

const DOMAIN_NAMES: Array<[string, string, string]> = [
  ['llm', 'Large language models', '大语言模型'],
  ['agents', 'Agents', '智能体'],
  ['multimodal', 'Multimodal & VLM', '多模态'],
  ['reasoning', 'Reasoning', '推理'],
  ['evaluation', 'Evaluation & benchmarks', '评测与基准'],
  ['vision', 'Computer vision', '计算机视觉'],
  ['robotics', 'Robotics', '机器人'],
];

function makeDomain([id, en, zh]: [string, string, string], cap: number): Domain {
  return {
    id,
    name: { en, zh },
    description: { en: `${en} papers.`, zh: `${zh}论文。` },
    categories: ['cs.AI', 'cs.CL', 'cs.LG'],
    include: [],
    exclude: [],
    announceTypes: ['new', 'cross'],
    cap,
  };
}

function makePaper(id: string, n: number, overrides: Partial<Paper> = {}): Paper {
  return {
    id,
    version: 1,
    title: `Paper ${n}: Scaling Sparse Mixture-of-Experts Language Models with Pairwise Rotation Quantization`,
    abstract: `${EN_ABSTRACT} (Variant ${n}.)`,
    authors: Array.from({ length: 3 + (n % 9) }, (_, i) => ({
      name: `Author${i} Surname${n}`,
      affiliations: ['Tsinghua University (Beijing, China)'],
    })),
    categories: n % 3 === 0 ? ['cs.CL', 'cs.AI', 'cs.LG'] : ['cs.LG', 'stat.ML'],
    announceType: n % 4 === 0 ? 'cross' : 'new',
    links: {
      abs: `https://arxiv.org/abs/${id}`,
      pdf: `https://arxiv.org/pdf/${id}v1`,
      html: `https://arxiv.org/html/${id}v1`,
      papersCool: `https://papers.cool/arxiv/${id}`,
    },
    ...overrides,
  };
}

function makeChinese(n: number): ChineseText {
  const base = ZH_ABSTRACTS[n % ZH_ABSTRACTS.length] ?? '';
  // ~450 Han: the fixture's translations are 275–690 characters long.
  const abstractZh = base.length >= 450 ? base : `${base}${base}`.slice(0, 520);
  return {
    titleZh: `第 ${n} 篇：基于成对旋转量化的稀疏混合专家大语言模型高效推理与扩展方法研究`,
    abstractZh,
    tldrEn: n % 5 === 0 ? 'Rotations plus scaling make 4-bit weights work for reasoning models.' : null,
    tldrZh: n % 5 === 0 ? '旋转加缩放让推理模型的 4 比特权重量化可用。' : null,
  };
}

/** `perDomain` papers in every domain, `cap` of them shown; ids are unique across domains (de-duplicated). */
function makeIssue(opts: { domains: number; perDomain: number; cap: number; language: Language }): {
  issue: SegmentIssue;
  domains: Domain[];
} {
  const domains = DOMAIN_NAMES.slice(0, opts.domains).map((d) => makeDomain(d, opts.cap));
  let n = 0;
  const sections = domains.map((domain, di) => {
    const entries: IssueEntry[] = Array.from({ length: Math.min(opts.cap, opts.perDomain) }, () => {
      n += 1;
      const id = `2511.${String(10000 + n).padStart(5, '0')}`;
      const other = domains[(di + 1) % domains.length];
      return {
        paper: makePaper(id, n),
        chinese: makeChinese(n),
        alsoIn: n % 3 === 0 && other && other.id !== domain.id ? [other.id] : [],
      };
    });
    return { domain, entries, more: opts.perDomain - entries.length, total: opts.perDomain };
  });
  return {
    domains,
    issue: {
      segmentId: `${opts.language}.${domains.map((d) => d.id).join('+')}`,
      key: { topics: domains.map((d) => d.id), language: opts.language },
      batchDate: '2025-11-14',
      sections,
    },
  };
}

function smallIssue(language: Language, chinese: ChineseText | null = makeChinese(1)): SegmentIssue {
  const domain = makeDomain(DOMAIN_NAMES[0] ?? ['llm', 'LLM', '大语言模型'], 6);
  return {
    segmentId: `${language}.llm`,
    key: { topics: ['llm'], language },
    batchDate: '2025-11-14',
    sections: [{ domain, entries: [{ paper: makePaper('2511.10645', 1), chinese, alsoIn: [] }], more: 0, total: 1 }],
  };
}

/** The HTML of one paper's mj-text. */
/** One entry's markup: from its title link to its link row's last link (entries share their topic's mj-text). */
function blockOf(html: string, id: string): string {
  const start = html.indexOf(`arxiv.org/abs/${id}"`);
  const end = html.indexOf(`papers.cool/arxiv/${id}"`, start);
  return start < 0 || end < 0 ? '' : html.slice(start, end);
}

const domainsOf = (issue: SegmentIssue): Domain[] => issue.sections.map((s) => s.domain);
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
/** Visible text of the HTML (tags, head and the hidden preheader removed, entities decoded enough for checks). */
function bodyText(html: string): string {
  return html
    .replace(/<head>[\s\S]*?<\/head>/u, '')
    .replace(/<div style="display:none[^>]*>[\s\S]*?<\/div>/u, '')
    .replace(/<!--[\s\S]*?-->/gu, '')
    .replace(/<[^>]+>/gu, '')
    .replace(/&amp;/gu, '&')
    .replace(/\s+/gu, ' ');
}

// ---- Tests ----

describe('MJML validity', () => {
  it('Newsletter.PreviewProps passes strict validation with no errors', async () => {
    const mjml = renderToStaticMarkup(createElement(Newsletter, Newsletter.PreviewProps));
    const result = await mjml2html(mjml, { validationLevel: 'strict', fonts: {} });
    expect(result.errors).toEqual([]);
    expect(result.html).toContain('ParoQuant');
  });

  it.each<Language>(['bilingual', 'zh', 'en'])('a synthetic %s issue passes strict validation', async (language) => {
    const { issue, domains } = makeIssue({ domains: 3, perDomain: 8, cap: 3, language });
    const domainNames = Object.fromEntries(domains.map((d) => [d.id, d.name]));
    const mjml = renderToStaticMarkup(
      createElement(Newsletter, { issue, site: SITE, domainNames, titleOnly: ['2511.10002'] }),
    );
    const result = await mjml2html(mjml, { validationLevel: 'strict', fonts: {} });
    expect(result.errors).toEqual([]);
  });

  it('sets lang on <html> and on Chinese blocks, never on mj-text', async () => {
    const mjml = renderToStaticMarkup(createElement(Newsletter, Newsletter.PreviewProps));
    expect(mjml).toMatch(/^<mjml lang="en">/u);
    expect(mjml).not.toMatch(/<mj-text[^>]*\slang=/u);
    const { html } = await renderIssue(
      Newsletter.PreviewProps.issue,
      Newsletter.PreviewProps.site,
      { domains: domainsOf(Newsletter.PreviewProps.issue) },
    );
    expect(html).toMatch(/<html lang="en"/u);
    expect(html).toMatch(/<div lang="zh-CN"[^>]*>ParoQuant：/u);
  });

  it('has dark-mode hooks and our own font stack, and no web-font imports', async () => {
    const { html } = await renderIssue(smallIssue('bilingual'), SITE, { domains: domainsOf(smallIssue('bilingual')) });
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).toContain('<meta name="supported-color-schemes" content="light dark">');
    expect(html).toContain('@media (prefers-color-scheme: dark)');
    expect(html).toContain('class="pb-t"');
    expect(html).toMatch(/font-family:Arial,(&#x27;|')Microsoft YaHei/u);
    expect(html).not.toMatch(/fonts\.googleapis|@import|Ubuntu/u);
  });

  it('wraps an MJML failure in RenderError', async () => {
    const issue = smallIssue('en');
    // An invalid date cannot be formatted: the template throws before MJML runs.
    await expect(renderIssue({ ...issue, batchDate: '2025-13-40' }, SITE, { domains: [] })).rejects.toBeInstanceOf(
      RenderError,
    );
  });
});

describe('size budget', () => {
  /** A shown paper that kept its summary in the reader's language. */
  function hasSummary(html: string, entry: IssueEntry, language: Language): boolean {
    const block = blockOf(html, entry.paper.id);
    if (language === 'zh') return block.includes((entry.chinese?.abstractZh ?? '-').slice(0, 20));
    return block.includes('Weight-only post-training');
  }

  // Bilingual: two full summaries per paper do not fit 42 times (~2 KB each plus ~20 KB of frame), so the
  // lower-ranked papers go title-only; en and zh readers carry one summary and fit (zh only just).
  it.each<[Language, number]>([
    ['bilingual', 21],
    ['zh', 21],
    ['en', 0],
  ])('7 topics × 40 papers, caps 6, %s reader, long abstracts: ≤ 90 000 bytes', async (language, maxDegraded) => {
    const { issue, domains } = makeIssue({ domains: 7, perDomain: 40, cap: 6, language });
    const started = performance.now();
    const mail = await renderIssue(issue, SITE, { domains });
    const ms = performance.now() - started;
    console.log(
      `render one segment, 7 topics × 6 shown (7×40 in batch), ${language}: ${ms.toFixed(0)} ms, ` +
        `${mail.bytes} bytes, degraded ${mail.degraded}`,
    );
    expect(mail.bytes).toBe(bytes(mail.html));
    expect(mail.bytes).toBeLessThanOrEqual(90_000);
    expect(mail.dropped).toBe(0);
    expect(mail.degraded).toBeLessThanOrEqual(maxDegraded);
    // Whatever degrades, every topic's top three keep their summaries.
    for (const section of issue.sections) {
      for (const entry of section.entries.slice(0, 3)) expect(hasSummary(mail.html, entry, language)).toBe(true);
    }
    // Every shown paper keeps its four links.
    for (const entry of issue.sections.flatMap((s) => s.entries)) {
      for (const url of Object.values(entry.paper.links)) expect(mail.html).toContain(`href="${url}"`);
    }
  });

  it('caps raised to 40: the degrade path keeps it ≤ 90 000 bytes and reports it', async () => {
    const { issue, domains } = makeIssue({ domains: 7, perDomain: 40, cap: 40, language: 'bilingual' });
    const started = performance.now();
    const mail = await renderIssue(issue, SITE, { domains });
    const ms = performance.now() - started;
    console.log(
      `render 7×40 shown with degrade: ${ms.toFixed(0)} ms, ${mail.bytes} bytes, degraded ${mail.degraded}, dropped ${mail.dropped}`,
    );
    expect(mail.bytes).toBeLessThanOrEqual(90_000);
    expect(mail.degraded).toBeGreaterThan(0);
    // Papers that stay in the mail keep all links; dropped ones are counted in "and N more".
    const shownIds = [...new Set([...mail.html.matchAll(/href="https:\/\/arxiv\.org\/abs\/([\d.]+)"/gu)].map((m) => m[1]))];
    expect(shownIds.length).toBe(280 - mail.dropped);
    for (const id of shownIds) {
      expect(mail.html).toContain(`href="https://arxiv.org/pdf/${id}v1"`);
      expect(mail.html).toContain(`href="https://arxiv.org/html/${id}v1"`);
      expect(mail.html).toContain(`href="https://papers.cool/arxiv/${id}"`);
    }
    // Every topic keeps its top papers with summaries: lower-ranked entries give way first.
    for (const section of issue.sections) {
      const top = section.entries[0];
      expect(top && hasSummary(mail.html, top, 'bilingual')).toBe(true);
    }
  });

  it('degrades deterministically', async () => {
    const { issue, domains } = makeIssue({ domains: 2, perDomain: 12, cap: 12, language: 'bilingual' });
    const a = await renderIssue(issue, SITE, { domains, maxHtmlBytes: 40_000 });
    const b = await renderIssue(issue, SITE, { domains, maxHtmlBytes: 40_000 });
    expect(a.bytes).toBeLessThanOrEqual(40_000);
    expect(a.degraded).toBeGreaterThan(0);
    expect(a.html).toBe(b.html);
    // The top paper of the first topic keeps its summary; its last one lost it (or left the mail).
    expect(blockOf(a.html, '2511.10001')).toContain('Weight-only post-training');
    expect(blockOf(a.html, '2511.10012')).not.toContain('Weight-only post-training');
  });

  it('throws RenderError when even the skeleton does not fit', async () => {
    const issue = smallIssue('bilingual');
    await expect(renderIssue(issue, SITE, { domains: domainsOf(issue), maxHtmlBytes: 2_000 })).rejects.toBeInstanceOf(
      RenderError,
    );
  });
});

describe('escaping', () => {
  const hostileTitle = '<script>alert(1)</script> & co';
  const hostileAuthor = '<img src=x onerror=alert(2)>';
  const hostileAbstract = 'We show </div><script>alert(3)</script> that "quotes" & <b>tags</b> stay text.';

  it.each<Language>(['bilingual', 'zh', 'en'])('escapes paper data in HTML, keeps it literal in text (%s)', async (language) => {
    const base = smallIssue(language);
    const section = base.sections[0];
    if (!section) throw new Error('no section');
    const paper = makePaper('2511.10645', 1, {
      title: hostileTitle,
      abstract: hostileAbstract,
      authors: [{ name: hostileAuthor, affiliations: [] }],
    });
    const chinese: ChineseText = { titleZh: '<script>alert(4)</script> 标题', abstractZh: '摘要 <script>alert(5)</script>' };
    const issue = { ...base, sections: [{ ...section, entries: [{ paper, chinese, alsoIn: [] }] }] };
    const mail = await renderIssue(issue, SITE, { domains: domainsOf(issue) });
    expect(mail.html).not.toMatch(/<script/iu);
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    if (language !== 'zh') expect(mail.text).toContain(hostileTitle);
    expect(mail.text).toContain(hostileAuthor);
    // The text part wraps English at 78 columns.
    if (language !== 'zh') expect(mail.text.replace(/\s+/gu, ' ')).toContain(hostileAbstract);
    if (language !== 'en') expect(mail.text).toContain('<script>alert(4)</script> 标题');
  });
});

describe('languages', () => {
  it('en: no Han characters anywhere, no marker', async () => {
    const issue = smallIssue('en', null);
    const mail = await renderIssue(issue, SITE, { domains: domainsOf(issue) });
    const withZh = await renderIssue(smallIssue('en'), SITE, { domains: domainsOf(issue) });
    for (const m of [mail, withZh]) {
      expect(m.html).not.toMatch(HAN);
      expect(m.text).not.toMatch(HAN);
      expect(m.subject).not.toMatch(HAN);
      expect(m.preheader).not.toMatch(HAN);
      expect(m.html).not.toContain('Chinese translation pending');
    }
  });

  it('zh: Chinese UI, Chinese title before the English one, no English summary', async () => {
    const issue = smallIssue('zh');
    const mail = await renderIssue(issue, SITE, { domains: domainsOf(issue) });
    const body = bodyText(mail.html);
    for (const ui of ['匹配您的主题 1 篇，本邮件展示 1 篇', '在浏览器中查看', '本期目录', '退订', '修改主题或语言', '2025年11月14日 星期五']) {
      expect(body).toContain(ui);
    }
    expect(body).not.toContain('View in browser');
    expect(body).not.toContain('Unsubscribe');
    expect(body.indexOf('第 1 篇：')).toBeLessThan(body.indexOf('Paper 1: Scaling'));
    expect(body).not.toContain('Weight-only post-training');
    expect(mail.subject).toMatch(/^arXiv 日报 2025年11月14日/u);
  });

  it('bilingual: both titles and both summaries, UI in both languages', async () => {
    const issue = smallIssue('bilingual');
    const mail = await renderIssue(issue, SITE, { domains: domainsOf(issue) });
    const body = bodyText(mail.html);
    expect(body).toContain('Paper 1: Scaling');
    expect(body).toContain('第 1 篇：');
    expect(body).toContain('Weight-only post-training');
    expect((body.match(HAN_G) ?? []).length).toBeGreaterThan(100);
    expect(body).toContain('1 matching your topics, 1 shown in this mail');
    expect(body).toContain('匹配您的主题 1 篇，本邮件展示 1 篇');
  });

  it.each<Language>(['bilingual', 'zh'])(
    '%s: a missing translation shows the marker, never English in the Chinese slot',
    async (language) => {
      const issue = smallIssue(language, { titleZh: null, abstractZh: null });
      const mail = await renderIssue(issue, SITE, { domains: domainsOf(issue) });
      expect(mail.html).toContain(MISSING_ZH_MARKER);
      expect(mail.text).toContain(MISSING_ZH_MARKER);
      // The Chinese slot is a zh-CN block: it must never hold the English title.
      const zhBlocks = [...mail.html.matchAll(/<div lang="zh-CN"[^>]*>([\s\S]*?)<\/div>/gu)].map((m) => m[1]);
      for (const block of zhBlocks) expect(block).not.toContain('Paper 1: Scaling');
      // Exactly one marker per paper.
      expect(mail.html.split(MISSING_ZH_MARKER).length - 1).toBe(1);
    },
  );

  it('bilingual: a translated title with a missing abstract shows the marker for the abstract', async () => {
    const issue = smallIssue('bilingual', { titleZh: '只有标题', abstractZh: null });
    const mail = await renderIssue(issue, SITE, { domains: domainsOf(issue) });
    expect(mail.html).toContain('只有标题');
    expect(mail.html).toContain(MISSING_ZH_MARKER);
  });
});

describe('content', () => {
  it('header, contents anchors, "and N more", empty topic, also-in, badge, authors', async () => {
    const { issue, domains } = makeIssue({ domains: 3, perDomain: 5, cap: 3, language: 'bilingual' });
    const empty = makeDomain(['robotics', 'Robotics', '机器人'], 6);
    const withEmpty: SegmentIssue = {
      ...issue,
      sections: [...issue.sections, { domain: empty, entries: [], more: 0, total: 0 }],
    };
    const mail = await renderIssue(withEmpty, SITE, { domains: [...domains, empty] });
    const body = bodyText(mail.html);
    expect(body).toContain('Friday, 14 November 2025');
    expect(body).toContain('2025年11月14日 星期五');
    expect(body).toContain('15 matching your topics, 9 shown in this mail');
    expect(mail.html).toContain('href="https://paperboy.example.org/issues/2025-11-14"');
    for (const d of domains) {
      expect(mail.html).toContain(`href="#d-${d.id}"`);
      expect(mail.html).toContain(`<a name="d-${d.id}"></a>`);
      expect(mail.html).toContain(`href="https://paperboy.example.org/issues/2025-11-14/${d.id}"`);
    }
    expect(body).toContain('大语言模型 Large language models (5 matching / 匹配 5 篇)');
    expect(body).toContain('and 2 more in Agents → / 另有 2 篇 →');
    expect(body).toContain('No new papers in this topic today / 今日该主题暂无新论文');
    expect(body).toContain('also in: 智能体 Agents');
    expect(body).toContain('cross-list');
    // Paper 3 has 6 authors: four names, affiliations dropped, then the count.
    expect(body).toContain('Author0 Surname3, Author1 Surname3, Author2 Surname3, Author3 Surname3 et al. (6 authors)');
    expect(body).not.toContain('Tsinghua');
    // One mj-text per paper: no button tables.
    expect(mail.html).not.toContain('mj-button');
  });

  it('zh authors line says 等 N 位作者', async () => {
    const { issue, domains } = makeIssue({ domains: 1, perDomain: 3, cap: 3, language: 'zh' });
    const mail = await renderIssue(issue, SITE, { domains });
    expect(bodyText(mail.html)).toContain('Author3 Surname3 等 6 位作者');
  });

  it('footer: reason, preferences, unsubscribe, postal address and reader address placeholders', async () => {
    const { issue, domains } = makeIssue({ domains: 2, perDomain: 1, cap: 1, language: 'bilingual' });
    const mail = await renderIssue(issue, SITE, { domains });
    const body = bodyText(mail.html);
    expect(body).toContain('You receive this because you subscribed to: Large language models, Agents.');
    expect(body).toContain(SITE.postalAddress);
    expect(mail.html).toContain(`href="${READER_PLACEHOLDERS.preferencesUrl}"`);
    expect(mail.html).toContain(`href="${READER_PLACEHOLDERS.unsubscribeUrl}"`);
    expect(body).toContain(READER_PLACEHOLDERS.email);
    for (const token of Object.values(READER_PLACEHOLDERS)) expect(mail.text).toContain(token);
  });
});

describe('subject and preheader', () => {
  it.each<[Language, RegExp]>([
    ['bilingual', /^arXiv 日报 2025年11月14日 · 1 篇 \| arXiv digest Fri 14 Nov 2025 · 1 paper$/u],
    ['zh', /^arXiv 日报 2025年11月14日 · 1 篇$/u],
    ['en', /^arXiv digest Fri 14 Nov 2025 · 1 paper$/u],
  ])('%s subject', async (language, expected) => {
    const issue = smallIssue(language);
    const mail = await renderIssue(issue, SITE, { domains: domainsOf(issue) });
    expect(mail.subject).toMatch(expected);
    expect(mail.subject.length).toBeLessThanOrEqual(78);
  });

  it('preheader leads with date, count and top title; filler stays small and out of the text part', async () => {
    const { issue, domains } = makeIssue({ domains: 2, perDomain: 4, cap: 2, language: 'bilingual' });
    const mail = await renderIssue(issue, SITE, { domains });
    expect(mail.preheader.startsWith('11月14日 · 8 篇新论文 · 第 1 篇：')).toBe(true);
    const hidden = mail.html.match(/<div style="display:none[^>]*>([\s\S]*?)<\/div>/u)?.[1] ?? '';
    expect(hidden.startsWith(mail.preheader.replace(/&/gu, '&amp;'))).toBe(true);
    expect(hidden).toContain('\u034f\u200c\u00a0');
    expect(bytes(hidden)).toBeLessThanOrEqual(1_100);
    expect(bytes(hidden) - bytes(mail.preheader)).toBeLessThanOrEqual(600);
    expect(mail.text).not.toMatch(/[\u034f\u200c\u200b]/u);
    expect(mail.text).not.toContain(mail.preheader);
  });
});

describe('personalize', () => {
  it('replaces every placeholder, escaping & in HTML but not in text', async () => {
    const { issue, domains } = makeIssue({ domains: 2, perDomain: 2, cap: 2, language: 'bilingual' });
    const mail = await renderIssue(issue, SITE, { domains });
    const reader = {
      unsubscribeUrl: 'https://paperboy.example.org/u?id=abc&sig=d$&f',
      preferencesUrl: 'https://paperboy.example.org/p?id=abc&sig=e',
      email: 'li.hua+arxiv@example.com',
    };
    const out = personalize(mail, reader);
    for (const token of Object.values(READER_PLACEHOLDERS)) {
      expect(out.html).not.toContain(token);
      expect(out.text).not.toContain(token);
    }
    expect(out.html).toContain('href="https://paperboy.example.org/u?id=abc&amp;sig=d$&amp;f"');
    expect(out.html).toContain('href="https://paperboy.example.org/p?id=abc&amp;sig=e"');
    expect(out.html).toContain('li.hua+arxiv@example.com');
    expect(out.text).toContain(reader.unsubscribeUrl);
    expect(out.text).toContain(reader.preferencesUrl);
    expect(out.subject).toBe(mail.subject);
    // The segment mail is left untouched for the next reader.
    expect(mail.html).toContain(READER_PLACEHOLDERS.unsubscribeUrl);
  });
});
