import { escapeHtml } from '../render/index.ts';
import type { LocalizedText } from '../types.ts';

// Pages are built from strings with one rule: every interpolated value is escaped unless it is already `Html`
// (made by this tagged template). So a name like `<script>` can only ever reach a page as text.

const HTML = Symbol('html');

export interface Html {
  readonly [HTML]: true;
  readonly value: string;
}

// One escaping rule for mails and pages.
export { escapeHtml };

/** Marks trusted markup (a constant, never input). */
export function raw(markup: string): Html {
  return { [HTML]: true, value: markup };
}

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && HTML in value;
}

export type Interpolation = Html | string | number | null | undefined | false | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isHtml(value)) return value.value;
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\``: values escaped, nested `Html` kept, arrays joined, null/undefined/false dropped. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return raw(out);
}

/** English and Chinese on two lines of one block element. */
export function biBlock(text: LocalizedText, tag: 'p' | 'h1' | 'h2' | 'h3' = 'p', className?: string): Html {
  const cls = raw(` class="bi${className ? ` ${escapeHtml(className)}` : ''}"`);
  return html`${raw(`<${tag}`)}${cls}><span class="en" lang="en">${text.en}</span><span class="zh" lang="zh-CN">${text.zh}</span>${raw(`</${tag}>`)}`;
}
