import { formatIssueDate, formatWeekRange } from '../../render/index.ts';
import { MISSING_ZH_MARKER, UI, announceLabel, cleanText, formatAuthors } from '../../render/index.ts';
import {
  COUNT_SCOPES,
  inBatchCount,
  inWeekCount,
  joinCounts,
  listedElsewhere,
  matchingCount,
  notListedHereLine,
} from '../../render/index.ts';
import type { SentIssue } from '../../store/sent-issues.ts';
import type { DigestWeek, IssueEntry, LocalizedText, SegmentIssue } from '../../types.ts';
import type { ArchiveDay } from '../issue-archive.ts';
import { biBlock, html, type Html } from '../html.ts';
import { COPY } from '../web-copy.ts';
import { renderPage, type SiteInfo } from './layout.ts';

// The web archive: a list of sent issues (and of weeks with a weekly digest), one page per issue (or week) with every
// selected paper, and one page per topic. Full abstracts sit in <details>, so a phone shows a scannable list of
// titles first.

/** Authors named on the web page before "et al.": more than the mail, which is short on room. */
const WEB_MAX_AUTHORS = 6;

/** The page of a day's issue, or of a week's digest (`issue.week`): where a topic's page and its links hang. */
export function archivePathOf(issue: SegmentIssue): string {
  return issue.week ? `/weeks/${issue.week.from}` : `/issues/${issue.batchDate}`;
}

export function issuesIndexPage(site: SiteInfo, issues: readonly SentIssue[], weeks: readonly DigestWeek[]): string {
  return renderPage(site, {
    title: COPY.issuesTitle,
    body: html`<section class="card">
${biBlock(COPY.issuesTitle, 'h1')}
${
  issues.length === 0
    ? biBlock(COPY.issuesEmpty)
    : html`<ul class="issues">${issues.map((issue) => {
        const date = formatIssueDate(issue.batchDate);
        // The index knows only the stored batch; the day's page adds how many match a topic.
        const count = inBatchCount(issue.paperCount);
        return html`<li><a href="/issues/${issue.batchDate}">${date.en}</a> <span class="nb" lang="zh-CN">${date.zh}</span><br><span class="muted">${count.en} · <span lang="zh-CN">${count.zh}</span></span></li>`;
      })}</ul>`
}
</section>${
      // Only once a digest went out: a newsletter without weekly readers keeps the page it had.
      weeks.length === 0
        ? ''
        : html`
<section class="card">
${biBlock(COPY.weeksTitle, 'h2')}
<ul class="issues">${weeks.map((week) => {
            const range = formatWeekRange(week.from, week.to);
            return html`<li><a href="/weeks/${week.from}">${range.en}</a> <span class="nb" lang="zh-CN">${range.zh}</span></li>`;
          })}</ul>
</section>`
    }`,
  });
}

function anchorOf(domainId: string): string {
  return `d-${domainId}`;
}

export function paperAnchor(paperId: string): string {
  return `p-${paperId.replace(/[^A-Za-z0-9.-]/gu, '-')}`;
}

function entryHtml(entry: IssueEntry, domainNames: ReadonlyMap<string, LocalizedText>): Html {
  const { paper, chinese } = entry;
  const label = announceLabel(paper.announceType);
  const titleZh = chinese?.titleZh ? cleanText(chinese.titleZh) : null;
  const abstractZh = chinese?.abstractZh ? cleanText(chinese.abstractZh) : null;
  const also = entry.alsoIn.map((id) => domainNames.get(id) ?? { en: id, zh: id });
  return html`<article class="paper" id="${paperAnchor(paper.id)}">
<h3><a href="${paper.links.abs}">${cleanText(paper.title)}</a>${label ? html`<span class="badge">${label.en} · <span lang="zh-CN">${label.zh}</span></span>` : ''}</h3>
${titleZh ? html`<p class="title-zh" lang="zh-CN">${titleZh}</p>` : html`<p class="pending" lang="zh-CN">${MISSING_ZH_MARKER}</p>`}
<p class="meta">${formatAuthors(paper.authors, WEB_MAX_AUTHORS, 'en')} · ${paper.categories.join(', ')} · arXiv:${paper.id}v${paper.version}</p>
${
  also.length > 0
    ? html`<p class="meta">also in · <span lang="zh-CN">另见</span>: ${also.map((n, i) => html`${i > 0 ? ', ' : ''}${n.en} <span lang="zh-CN">${n.zh}</span>`)}</p>`
    : ''
}
${chinese?.tldrEn ? html`<p><strong>TL;DR</strong> ${cleanText(chinese.tldrEn)}</p>` : ''}
${chinese?.tldrZh ? html`<p lang="zh-CN"><strong>一句话总结</strong> ${cleanText(chinese.tldrZh)}</p>` : ''}
<p class="links"><a href="/papers/${paper.id}">${UI.details.en} · <span lang="zh-CN">${UI.details.zh}</span></a><a href="${paper.links.abs}">arXiv</a><a href="${paper.links.pdf}">PDF</a><a href="${paper.links.html}">HTML</a><a href="${paper.links.papersCool}">papers.cool</a></p>
<details><summary>${COPY.abstract.en} · <span lang="zh-CN">${COPY.abstract.zh}</span></summary>
<p lang="en">${cleanText(paper.abstract)}</p>
${abstractZh ? html`<p lang="zh-CN">${abstractZh}</p>` : html`<p class="pending" lang="zh-CN">${MISSING_ZH_MARKER}</p>`}
</details>
</article>`;
}

function sectionHtml(
  issue: SegmentIssue,
  index: number,
  domainNames: ReadonlyMap<string, LocalizedText>,
  heading: 'h1' | 'h2',
): Html | '' {
  const section = issue.sections[index];
  if (!section) return '';
  const { domain } = section;
  const here = section.entries.length;
  const elsewhere = section.total - here;
  const count = matchingCount(section.total);
  const body =
    here > 0
      ? section.entries.map((entry) => entryHtml(entry, domainNames))
      : biBlock(
          notListedHereLine(section.total, listedElsewhere(issue, index), 'page', issue.week ? 'week' : 'today') ?? COPY.noPapers,
          'p',
          'muted',
        );
  // On the whole-issue page a paper sits under one topic only; the topic's own page lists all of its papers.
  const meta =
    heading === 'h2' && here > 0
      ? html`<p class="meta">${count.en} · <span lang="zh-CN">${count.zh}</span>${
          elsewhere > 0
            ? html` · <a href="${archivePathOf(issue)}/${domain.id}">${elsewhere} listed under other topics · <span lang="zh-CN">另有 ${elsewhere} 篇列在其他主题下</span></a>`
            : ''
        }</p>`
      : '';
  const title = biBlock(domain.name, heading, heading === 'h2' ? 'section-head' : undefined);
  return html`<section id="${anchorOf(domain.id)}">
${title}
<p class="desc-line"><span lang="en">${domain.description.en}</span><span lang="zh-CN">${domain.description.zh}</span></p>
${meta}
${body}
</section>`;
}

/**
 * The whole issue (every topic) or, when the issue has one section, that topic's page; a weekly digest's (`issue.week`)
 * the same way, titled with the week's days.
 */
export function issuePage(site: SiteInfo, day: ArchiveDay, domainNames: ReadonlyMap<string, LocalizedText>, scope: 'all' | 'domain'): string {
  const { issue } = day;
  const date = issue.week ? formatWeekRange(issue.week.from, issue.week.to) : formatIssueDate(issue.batchDate);
  const name = issue.week ? COPY.weeklyTitle : COPY.issueTitle;
  // Uncapped, every matching paper is listed once on the whole-issue page (see buildArchiveIssue).
  const matching = issue.sections.reduce((n, s) => n + s.entries.length, 0);
  const scoped = scope === 'all' ? COUNT_SCOPES.anyTopic : undefined;
  const count = joinCounts((issue.week ? inWeekCount : inBatchCount)(day.inBatch), matchingCount(matching, scoped));
  const title: LocalizedText = { en: `${name.en} · ${date.en}`, zh: `${name.zh} · ${date.zh}` };
  if (scope === 'domain') {
    const section = issue.sections[0];
    const domainTitle: LocalizedText = section
      ? { en: `${section.domain.name.en} · ${date.en}`, zh: `${section.domain.name.zh} · ${date.zh}` }
      : title;
    return renderPage(site, {
      title: domainTitle,
      body: html`<p><a href="${archivePathOf(issue)}">← ${COPY.allTopics.en} · <span lang="zh-CN">${COPY.allTopics.zh}</span></a></p>
<div class="card">
<p class="muted">${name.en} · ${date.en} · <span class="nb" lang="zh-CN">${date.zh}</span></p>
<p class="muted">${count.en} · <span lang="zh-CN">${count.zh}</span></p>
${sectionHtml(issue, 0, domainNames, 'h1')}
</div>
<p class="top"><a href="#main">${COPY.backToTop.en}</a> · <a href="#main" lang="zh-CN">${COPY.backToTop.zh}</a></p>`,
    });
  }
  return renderPage(site, {
    title,
    body: html`<section class="card">
${biBlock(title, 'h1')}
<p class="muted">${count.en} · <span lang="zh-CN">${count.zh}</span></p>
${biBlock(COPY.contents, 'h2')}
<ul class="toc">${issue.sections.map(
      (s) => {
        // The topic's matching papers, as the mail's contents give it: fewer may be listed under it below.
        const m = matchingCount(s.total);
        return html`<li><a href="#${anchorOf(s.domain.id)}">${s.domain.name.en} <span class="nb" lang="zh-CN">${s.domain.name.zh}</span></a> <span class="muted">(${m.en} · <span lang="zh-CN">${m.zh}</span>)</span></li>`;
      },
    )}</ul>
</section>
<section class="card">
${issue.sections.map((_, index) => sectionHtml(issue, index, domainNames, 'h2'))}
<p class="top"><a href="#main">${COPY.backToTop.en}</a> · <a href="#main" lang="zh-CN">${COPY.backToTop.zh}</a></p>
</section>`,
  });
}
