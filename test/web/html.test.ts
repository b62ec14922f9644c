import { describe, expect, it } from 'vitest';
import { biBlock, escapeHtml, html, raw } from '../../src/web/html.ts';

describe('html', () => {
  it.each([
    ['<script>', '&lt;script&gt;'],
    [`"quoted" & 'single'`, '&quot;quoted&quot; &amp; &#39;single&#39;'],
    ['中文 text', '中文 text'],
  ])('escapes %j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
    expect(html`<p title="${input}">${input}</p>`.value).toBe(`<p title="${expected}">${expected}</p>`);
  });

  it('keeps nested Html, joins lists and drops null, undefined and false', () => {
    const items = ['a<', 'b'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe('<ul><li>a&lt;</li><li>b</li></ul>0');
    expect(html`${raw('<br>')}`.value).toBe('<br>');
  });

  it('marks the Chinese half of a bilingual block as zh-CN', () => {
    expect(biBlock({ en: 'Hi <you>', zh: '你好' }, 'h1').value).toBe(
      '<h1 class="bi"><span class="en" lang="en">Hi &lt;you&gt;</span><span class="zh" lang="zh-CN">你好</span></h1>',
    );
  });
});
