import type { LocalizedText } from '../../types.ts';
import { biBlock, html, type Html } from '../html.ts';
import { renderPage, type SiteInfo } from './layout.ts';

/** A page that only says something: a heading, a paragraph, and optionally a link onward. */
export function messagePage(
  site: SiteInfo,
  message: { title: LocalizedText; text: LocalizedText; link?: { href: string; label: LocalizedText } | undefined; extra?: Html },
): string {
  const { link } = message;
  return renderPage(site, {
    title: message.title,
    body: html`<section class="card">
${biBlock(message.title, 'h1')}
${biBlock(message.text)}
${message.extra}
${link ? html`<p><a href="${link.href}">${link.label.en} · <span lang="zh-CN">${link.label.zh}</span></a></p>` : ''}
</section>`,
  });
}
