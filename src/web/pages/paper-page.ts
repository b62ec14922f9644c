import { MISSING_ZH_MARKER, announceLabel, cleanText, formatIssueDate, formatWeekRange } from '../../render/index.ts';
import type { Author, ChineseText, DigestWeek, ISODate, LocalizedText, Paper } from '../../types.ts';
import { biBlock, html, type Html } from '../html.ts';
import { COPY } from '../web-copy.ts';
import { paperAnchor } from './issue-pages.ts';
import { renderPage, type SiteInfo } from './layout.ts';

// One paper's own page, where every entry of a mail and of the archive leads ("details · 详情"): both titles, every
// author, where it was published and where its code is, the summary and key points, the whole abstract and a short
// analysis, each in both languages. Built from what the store holds; nothing here asks the network.

/** The structured reading of a paper, in both languages; any part, or one language of it, may be missing. */
export type PaperAnalysis = Partial<Record<'problem' | 'method' | 'results' | 'limitations', { en: string | null; zh: string | null }>>;

export interface PaperPageInput {
  paper: Paper;
  chinese: ChineseText | null;
  /** What the arXiv API said, read into links and a venue; all null when the details step never ran. */
  extras: { codeUrl: string | null; projectUrl: string | null; venue: string | null; comment: string | null };
  analysis: PaperAnalysis | null;
  /** Feed dates that carried it, newest first: links back to those issues. */
  batchDates: readonly ISODate[];
  /** Weekly digests whose page lists it, newest first: links to those pages. */
  weeks: readonly DigestWeek[];
}

const ANALYSIS_PARTS: Array<[keyof PaperAnalysis, LocalizedText]> = [
  ['problem', { en: 'Problem', zh: '问题' }],
  ['method', { en: 'Method', zh: '方法' }],
  ['results', { en: 'Results', zh: '结果' }],
  ['limitations', { en: 'Limitations', zh: '局限' }],
];

/** Authors write links in comments as TeX (`\url{…}`); a reader wants the address. */
function untex(comment: string): string {
  return comment.replace(/\\(?:url|href)\{([^}]*)\}/g, '$1');
}

function authorLine(author: Author): Html {
  return html`<li>${author.name}${author.affiliations.length > 0 ? html` <span class="muted">(${author.affiliations.join('; ')})</span>` : ''}</li>`;
}

function linkRow(paper: Paper, extras: PaperPageInput['extras']): Html {
  const links: Array<[string, string]> = [
    [paper.links.abs, 'arXiv'],
    [paper.links.pdf, 'PDF'],
    [paper.links.html, 'HTML'],
  ];
  if (extras.codeUrl) links.push([extras.codeUrl, 'Code · 代码']);
  if (extras.projectUrl) links.push([extras.projectUrl, 'Project · 项目主页']);
  links.push([paper.links.papersCool, 'papers.cool']);
  return html`<p class="links tap">${links.map(([href, label]) => html`<a href="${href}">${label}</a>`)}</p>`;
}

function pointsList(points: readonly string[] | null | undefined, lang: 'en' | 'zh-CN'): Html | '' {
  if (!points || points.length === 0) return '';
  return html`<ul class="points" lang="${lang}">${points.map((p) => html`<li>${cleanText(p)}</li>`)}</ul>`;
}

function summaryBlock(chinese: ChineseText | null): Html | '' {
  const tldrEn = chinese?.tldrEn ? cleanText(chinese.tldrEn) : null;
  const tldrZh = chinese?.tldrZh ? cleanText(chinese.tldrZh) : null;
  const hasPoints = (chinese?.pointsEn?.length ?? 0) + (chinese?.pointsZh?.length ?? 0) > 0;
  if (!tldrEn && !tldrZh && !hasPoints) return '';
  return html`<section class="card">
${biBlock({ en: 'In short', zh: '速览' }, 'h2')}
${tldrEn ? html`<p class="tldr" lang="en">${tldrEn}</p>` : ''}
${pointsList(chinese?.pointsEn, 'en')}
${tldrZh ? html`<p class="tldr" lang="zh-CN">${tldrZh}</p>` : ''}
${pointsList(chinese?.pointsZh, 'zh-CN')}
</section>`;
}

function analysisBlock(analysis: PaperAnalysis | null): Html | '' {
  const parts = ANALYSIS_PARTS.filter(([key]) => analysis?.[key]?.en || analysis?.[key]?.zh);
  if (!analysis || parts.length === 0) return '';
  return html`<section class="card">
${biBlock({ en: 'Analysis', zh: '解读' }, 'h2')}
<dl class="analysis">${parts.map(([key, label]) => {
    const text = analysis[key]!;
    return html`<dt>${label.en} · <span lang="zh-CN">${label.zh}</span></dt><dd>${text.en ? html`<p lang="en">${cleanText(text.en)}</p>` : ''}${text.zh ? html`<p lang="zh-CN">${cleanText(text.zh)}</p>` : ''}</dd>`;
  })}</dl>
</section>`;
}

export function paperPage(site: SiteInfo, input: PaperPageInput): string {
  const { paper, chinese, extras } = input;
  const title = cleanText(paper.title);
  const titleZh = chinese?.titleZh ? cleanText(chinese.titleZh) : null;
  const abstractZh = chinese?.abstractZh ? cleanText(chinese.abstractZh) : null;
  const label = announceLabel(paper.announceType);
  return renderPage(site, {
    title: { en: title, zh: titleZh ?? title },
    body: html`<article class="paper-page">
<section class="card">
<p class="muted">arXiv:${paper.id}v${paper.version} · ${paper.categories.join(', ')}${label ? html` · ${label.en} · <span lang="zh-CN">${label.zh}</span>` : ''}</p>
<h1 lang="en">${title}</h1>
${titleZh ? html`<p class="title-zh" lang="zh-CN">${titleZh}</p>` : html`<p class="pending" lang="zh-CN">${MISSING_ZH_MARKER}</p>`}
${extras.venue ? html`<p class="venue">${extras.venue}</p>` : ''}
${linkRow(paper, extras)}
</section>
${summaryBlock(chinese)}
<section class="card">
${biBlock(COPY.abstract, 'h2')}
<p lang="en">${cleanText(paper.abstract)}</p>
${abstractZh ? html`<p lang="zh-CN">${abstractZh}</p>` : html`<p class="pending" lang="zh-CN">${MISSING_ZH_MARKER}</p>`}
</section>
${analysisBlock(input.analysis)}
<section class="card">
${biBlock({ en: 'Authors', zh: '作者' }, 'h2')}
<ul class="authors">${paper.authors.map(authorLine)}</ul>
${extras.comment ? html`<p class="muted"><span lang="en">Comment</span> · <span lang="zh-CN">备注</span>: ${untex(extras.comment)}</p>` : ''}
${paper.journalRef ? html`<p class="muted">Journal ref · <span lang="zh-CN">期刊</span>: ${paper.journalRef}</p>` : ''}
${
  input.batchDates.length > 0
    ? html`<p class="muted">${COPY.issueTitle.en} · <span lang="zh-CN">${COPY.issueTitle.zh}</span>: ${input.batchDates.map((d, i) => {
        const date = formatIssueDate(d);
        return html`${i > 0 ? ', ' : ''}<a href="/issues/${d}#${paperAnchor(paper.id)}">${date.en}</a>`;
      })}</p>`
    : ''
}
${
  input.weeks.length > 0
    ? html`<p class="muted">${COPY.weeklyTitle.en} · <span lang="zh-CN">${COPY.weeklyTitle.zh}</span>: ${input.weeks.map((week, i) => {
        const range = formatWeekRange(week.from, week.to);
        return html`${i > 0 ? ', ' : ''}<a href="/weeks/${week.from}#${paperAnchor(paper.id)}">${range.en}</a>`;
      })}</p>`
    : ''
}
</section>
</article>`,
  });
}
