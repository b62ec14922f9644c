import type { LocalizedText } from '../../types.ts';
import { html, type Html } from '../html.ts';
import { SITE_CSS_PATH } from '../site-css.ts';
import { COPY } from '../web-copy.ts';

// The frame of every page: bilingual title, the site name, a two-link navigation and the postal address. No
// script anywhere: every page works as a plain HTML form.

export interface SiteInfo {
  name: string;
  postalAddress: string;
}

export function renderPage(site: SiteInfo, page: { title: LocalizedText; body: Html }): string {
  const { title } = page;
  return `<!doctype html>\n${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title.en} · ${title.zh} · ${site.name}</title>
<link rel="stylesheet" href="${SITE_CSS_PATH}">
</head>
<body>
<a class="skip" href="#main">Skip to content · 跳到正文</a>
<header class="site">
<a class="name" href="/">${site.name}</a>
<nav aria-label="Site"><a href="/">${COPY.navSubscribe.en} <span lang="zh-CN">${COPY.navSubscribe.zh}</span></a><a href="/issues">${COPY.navIssues.en} <span lang="zh-CN">${COPY.navIssues.zh}</span></a></nav>
</header>
<main id="main">
${page.body}
</main>
<footer>${site.name} · ${site.postalAddress}</footer>
</body>
</html>`.value
  }\n`;
}
