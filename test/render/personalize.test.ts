import { describe, expect, it } from 'vitest';
import { READER_PLACEHOLDERS as P } from '../../src/render/issue-copy.ts';
import { personalize } from '../../src/render/personalize.ts';
import { personalize as personalizeFromRenderer } from '../../src/render/render-issue.ts';

const MAIL = {
  subject: 's',
  preheader: 'p',
  html: `<a href="${P.unsubscribeUrl}">u</a> <a href="${P.preferencesUrl}">p</a> ${P.email} ${P.email}`,
  text: `${P.unsubscribeUrl}\n${P.preferencesUrl}\n${P.email}`,
};

describe('personalize', () => {
  it('is the one the renderer exports (sending does not load MJML to fill readers in)', () => {
    expect(personalizeFromRenderer).toBe(personalize);
  });

  it.each([
    { unsubscribeUrl: 'https://d.example.org/unsubscribe/u.1.abc', preferencesUrl: 'https://d.example.org/preferences/p.1.abc', email: 'a@example.org' },
    { unsubscribeUrl: 'https://d.example.org/u?a=1&b=2', preferencesUrl: 'https://d/"quoted"', email: "o'brien+$&@example.org" },
  ])('fills every placeholder of %j, escaped in HTML and as is in text', (fields) => {
    const mail = personalize(MAIL, fields);
    expect(mail.html).not.toContain('__PB_');
    expect(mail.text).toBe(`${fields.unsubscribeUrl}\n${fields.preferencesUrl}\n${fields.email}`);
    const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    expect(mail.html).toBe(
      `<a href="${esc(fields.unsubscribeUrl)}">u</a> <a href="${esc(fields.preferencesUrl)}">p</a> ${esc(fields.email)} ${esc(fields.email)}`,
    );
  });
});
