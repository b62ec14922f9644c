import type { Domain, Frequency, Language, LocalizedText } from '../../types.ts';
import { biBlock, html } from '../html.ts';
import { COPY, LANGUAGE_LABELS } from '../web-copy.ts';
import { buttonLabel, csrfField, errorBox, frequencyFields, frequencyLabel, interestFields, languageFields, topicFields, type InterestTexts } from './choice-fields.ts';
import { renderPage, type SiteInfo } from './layout.ts';

// The pages a reader reaches from a mail: confirm, preferences, unsubscribe. Each GET only shows a form; the
// change happens on POST (link scanners open every GET).

export function confirmPage(
  site: SiteInfo,
  input: {
    action: string;
    csrf: string;
    topics: readonly LocalizedText[];
    language: Language;
    frequency: Frequency;
    /** When weekly digests go out, e.g. "on Fridays · 每周五". */
    weeklyOn: LocalizedText;
  },
): string {
  const language = LANGUAGE_LABELS[input.language];
  const frequency = frequencyLabel(input.frequency, input.weeklyOn);
  return renderPage(site, {
    title: COPY.confirmTitle,
    body: html`<section class="card">
${biBlock(COPY.confirmTitle, 'h1')}
${biBlock(COPY.confirmText)}
<ul class="topics">${input.topics.map((t) => html`<li>${t.en} · <span class="nb" lang="zh-CN">${t.zh}</span></li>`)}</ul>
<p class="muted">${COPY.languageLegend.en} · <span lang="zh-CN">${COPY.languageLegend.zh}</span>: ${language.en} · <span lang="zh-CN">${language.zh}</span></p>
<p class="muted">${COPY.frequencyLegend.en} · <span lang="zh-CN">${COPY.frequencyLegend.zh}</span>: ${frequency.en} · <span lang="zh-CN">${frequency.zh}</span></p>
<form method="post" action="${input.action}">
${csrfField(input.csrf)}
<div class="actions"><button type="submit">${buttonLabel(COPY.confirmButton)}</button></div>
</form>
</section>`,
  });
}

export function preferencesPage(
  site: SiteInfo,
  input: {
    action: string;
    csrf: string;
    domains: readonly Domain[];
    topics: readonly string[];
    language: Language;
    frequency: Frequency;
    /** When weekly digests go out, e.g. "on Fridays · 每周五". */
    weeklyOn: LocalizedText;
    interests: InterestTexts;
    unsubscribeAction: string;
    unsubscribeCsrf: string;
    saved?: boolean;
    errors?: readonly LocalizedText[];
  },
): string {
  return renderPage(site, {
    title: COPY.preferencesTitle,
    body: html`<section class="card">
${biBlock(COPY.preferencesTitle, 'h1')}
${input.saved ? html`<div class="box ok" role="status">${biBlock(COPY.savedNotice)}</div>` : ''}
${errorBox(input.errors ?? [])}
${biBlock(COPY.preferencesText, 'p', 'muted')}
<form method="post" action="${input.action}">
${csrfField(input.csrf)}
${topicFields(input.domains, new Set(input.topics))}
${languageFields(input.language)}
${frequencyFields(input.frequency, input.weeklyOn)}
${interestFields(input.interests)}
<div class="actions"><button type="submit">${buttonLabel(COPY.saveButton)}</button></div>
</form>
</section>
<section class="card">
${biBlock(COPY.leaveLegend, 'h2')}
${biBlock(COPY.leaveText)}
<form method="post" action="${input.unsubscribeAction}">
${csrfField(input.unsubscribeCsrf)}
<div class="actions"><button type="submit" class="danger">${buttonLabel(COPY.unsubscribeButton)}</button></div>
</form>
</section>`,
  });
}

export function unsubscribePage(site: SiteInfo, input: { action: string; csrf: string; preferencesHref: string }): string {
  return renderPage(site, {
    title: COPY.unsubscribeTitle,
    body: html`<section class="card">
${biBlock(COPY.unsubscribeTitle, 'h1')}
${biBlock(COPY.unsubscribeText)}
<form method="post" action="${input.action}">
${csrfField(input.csrf)}
<div class="actions"><button type="submit" class="danger">${buttonLabel(COPY.unsubscribeButton)}</button>
<a href="${input.preferencesHref}">${COPY.unsubscribeInstead.en} · <span lang="zh-CN">${COPY.unsubscribeInstead.zh}</span></a></div>
</form>
</section>`,
  });
}
