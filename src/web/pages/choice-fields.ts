import { LANGUAGES, type Domain, type Language, type LocalizedText } from '../../types.ts';
import { html, type Html } from '../html.ts';
import { COPY, LANGUAGE_LABELS } from '../web-copy.ts';

// The two choices every reader makes, shared by the subscribe and the preferences form: real checkboxes and
// radios inside their labels, so the whole row is clickable and keyboard users tab through them in order.

export function legend(text: LocalizedText): Html {
  return html`<legend>${text.en}<span class="zh" lang="zh-CN">${text.zh}</span></legend>`;
}

export function topicFields(domains: readonly Domain[], selected: ReadonlySet<string>): Html {
  return html`<fieldset>
${legend(COPY.topicsLegend)}
<p class="hint" id="topics-hint">${COPY.topicsHint.en} <span lang="zh-CN">${COPY.topicsHint.zh}</span></p>
${domains.map(
  (d) => html`<label class="choice"><input type="checkbox" name="topics" value="${d.id}" aria-describedby="topics-hint"${selected.has(d.id) ? html` checked` : ''}><span><span class="label">${d.name.en}<span class="zh" lang="zh-CN">${d.name.zh}</span></span><span class="desc">${d.description.en}</span><span class="desc" lang="zh-CN">${d.description.zh}</span></span></label>
`,
)}</fieldset>`;
}

export function languageFields(selected: Language): Html {
  return html`<fieldset>
${legend(COPY.languageLegend)}
${LANGUAGES.map(
  (language) => html`<label class="choice"><input type="radio" name="language" value="${language}"${language === selected ? html` checked` : ''}><span class="label">${LANGUAGE_LABELS[language].en}<span class="zh" lang="zh-CN">${LANGUAGE_LABELS[language].zh}</span></span></label>
`,
)}</fieldset>`;
}

export function errorBox(errors: readonly LocalizedText[]): Html {
  if (errors.length === 0) return html``;
  return html`<div class="box error" role="alert" id="form-errors"><p><strong>${COPY.errorsHeading.en}</strong> <span lang="zh-CN">${COPY.errorsHeading.zh}</span></p><ul>${errors.map(
    (e) => html`<li>${e.en} <span lang="zh-CN">${e.zh}</span></li>`,
  )}</ul></div>`;
}

export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

export function buttonLabel(text: LocalizedText): Html {
  return html`${text.en} · <span lang="zh-CN">${text.zh}</span>`;
}
