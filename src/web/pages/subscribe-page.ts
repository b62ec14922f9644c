import type { Domain, Frequency, Language, LocalizedText } from '../../types.ts';
import { biBlock, html } from '../html.ts';
import { COPY } from '../web-copy.ts';
import { buttonLabel, csrfField, errorBox, frequencyFields, languageFields, topicFields } from './choice-fields.ts';
import { renderPage, type SiteInfo } from './layout.ts';

export interface SubscribeForm {
  email: string;
  name: string;
  topics: string[];
  language: Language;
  frequency: Frequency;
}

export const EMPTY_SUBSCRIBE_FORM: SubscribeForm = { email: '', name: '', topics: [], language: 'bilingual', frequency: 'daily' };

/** The sign-up form; after a rejected submit it shows the errors and keeps what the reader typed. */
export function subscribePage(
  site: SiteInfo,
  input: {
    domains: readonly Domain[];
    csrf: string;
    /** When weekly digests go out, e.g. "on Fridays · 每周五" (`digest.weeklyOn`). */
    weeklyOn: LocalizedText;
    form?: SubscribeForm;
    errors?: readonly LocalizedText[];
  },
): string {
  const form = input.form ?? EMPTY_SUBSCRIBE_FORM;
  const errors = input.errors ?? [];
  const invalid = errors.length > 0 ? html` aria-describedby="form-errors"` : '';
  return renderPage(site, {
    title: COPY.subscribeTitle,
    body: html`<section class="card">
${biBlock(COPY.subscribeTitle, 'h1')}
${biBlock(COPY.subscribeIntro)}
${errorBox(errors)}
<form method="post" action="/">
${csrfField(input.csrf)}
<label class="field" for="email">${COPY.emailLabel.en}<span class="zh" lang="zh-CN">${COPY.emailLabel.zh}</span></label>
<input id="email" name="email" type="email" required maxlength="254" autocomplete="email" inputmode="email" value="${form.email}"${invalid}>
<label class="field" for="name">${COPY.nameLabel.en}<span class="zh" lang="zh-CN">${COPY.nameLabel.zh}</span></label>
<input id="name" name="name" type="text" maxlength="100" autocomplete="name" value="${form.name}">
<div class="hp" aria-hidden="true"><label for="website">${COPY.honeypotLabel.en}</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
${topicFields(input.domains, new Set(form.topics))}
${languageFields(form.language)}
${frequencyFields(form.frequency, input.weeklyOn)}
<div class="actions"><button type="submit">${buttonLabel(COPY.subscribeButton)}</button></div>
</form>
${biBlock(COPY.subscribeNote, 'p', 'muted')}
</section>`,
  });
}
