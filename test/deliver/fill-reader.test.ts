import { describe, expect, it } from 'vitest';
import { fillReader } from '../../src/deliver/fill-reader.ts';
import { personalize, READER_PLACEHOLDERS as P } from '../../src/render/render-issue.ts';

// The sender fills readers in without loading the renderer; it must fill exactly as the renderer's own function.

const MAIL = {
  subject: 's',
  preheader: 'p',
  html: `<a href="${P.unsubscribeUrl}">u</a> <a href="${P.preferencesUrl}">p</a> ${P.email} ${P.email}`,
  text: `${P.unsubscribeUrl}\n${P.preferencesUrl}\n${P.email}`,
};

describe('fillReader', () => {
  it.each([
    { unsubscribeUrl: 'https://d.example.org/unsubscribe/u.1.abc', preferencesUrl: 'https://d.example.org/preferences/p.1.abc', email: 'a@example.org' },
    { unsubscribeUrl: 'https://d.example.org/u?a=1&b=2', preferencesUrl: 'https://d/"quoted"', email: "o'brien+$&@example.org" },
  ])('fills %j exactly like personalize', (fields) => {
    expect(fillReader(MAIL, fields)).toEqual(personalize(MAIL, fields));
    expect(fillReader(MAIL, fields).html).not.toContain('__PB_');
  });
});
