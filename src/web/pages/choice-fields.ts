import { FREQUENCIES, LANGUAGES, type Domain, type Frequency, type Language, type LocalizedText } from '../../types.ts';
import { html, type Html } from '../html.ts';
import { COPY, FREQUENCY_LABELS, LANGUAGE_LABELS } from '../web-copy.ts';

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

/** A frequency as the reader reads it, the weekly one with its weekday, e.g. "Weekly (on Fridays)". */
export function frequencyLabel(frequency: Frequency, weeklyOn: LocalizedText): LocalizedText {
  const label = FREQUENCY_LABELS[frequency];
  return frequency === 'weekly' ? { en: `${label.en} (${weeklyOn.en})`, zh: `${label.zh}（${weeklyOn.zh}）` } : label;
}

/** Daily mail or one weekly digest (issue 12, part 5); the weekday is the operator's (`digest.weeklyOn`). */
export function frequencyFields(selected: Frequency, weeklyOn: LocalizedText): Html {
  return html`<fieldset>
${legend(COPY.frequencyLegend)}
${FREQUENCIES.map((frequency) => {
  const label = frequencyLabel(frequency, weeklyOn);
  return html`<label class="choice"><input type="radio" name="frequency" value="${frequency}"${frequency === selected ? html` checked` : ''}><span class="label">${label.en}<span class="zh" lang="zh-CN">${label.zh}</span></span></label>
`;
})}</fieldset>`;
}

/** What a reader typed in the three interest boxes, one value per line. */
export interface InterestTexts {
  keywords: string;
  exclude: string;
  authors: string;
}

export function interestFields(texts: InterestTexts): Html {
  const box = (name: keyof InterestTexts, label: LocalizedText) =>
    html`<label class="field" for="interest-${name}"><span class="label">${label.en}<span class="zh" lang="zh-CN">${label.zh}</span></span></label>
<textarea id="interest-${name}" name="${name}" rows="3" maxlength="2000" autocomplete="off" spellcheck="false" aria-describedby="interests-hint">${texts[name]}</textarea>
`;
  return html`<fieldset>
${legend(COPY.interestsLegend)}
<p class="hint" id="interests-hint">${COPY.interestsHint.en} <span lang="zh-CN">${COPY.interestsHint.zh}</span></p>
${box('keywords', COPY.keywordsLabel)}${box('authors', COPY.authorsLabel)}${box('exclude', COPY.excludeLabel)}</fieldset>`;
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
