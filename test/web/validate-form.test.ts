import { describe, expect, it } from 'vitest';
import { emailError, isHoneypotFilled, parseSubscribeForm, parseTopicChoice } from '../../src/web/validate-form.ts';
import { COPY } from '../../src/web/web-copy.ts';
import { checkAddress } from '../../src/subscribers/validate-address.ts';

const known = ['llm', 'agents', 'vision'];

describe('emailError', () => {
  // Which addresses pass is one rule for the form and the CSV import: test/subscribers/validate-address.test.ts.
  it.each([
    ['wei@example.org', null],
    ['', COPY.errEmail],
    ['wei@example', COPY.errEmail],
    [`a@${'b'.repeat(250)}.org`, COPY.errEmailLong],
    ['张伟@example.org', COPY.errEmailAscii],
    [
      'a\u200bb@example.org',
      {
        en: 'The email address contains an invisible or control character (U+200B, character 2). Please type it in instead of pasting it.',
        zh: '邮箱地址中含有不可见字符或控制字符（U+200B，第 2 个字符）。请手动输入，不要粘贴。',
      },
    ],
  ])('%j → %j', (email, expected) => {
    expect(emailError(checkAddress(email))).toEqual(expected);
  });
});

describe('parseTopicChoice', () => {
  it.each([
    ['known topics, config order', { topics: ['vision', 'llm'], language: 'zh' }, { topics: ['llm', 'vision'], language: 'zh' }, []],
    ['one topic as a plain string', { topics: 'agents', language: 'en' }, { topics: ['agents'], language: 'en' }, []],
    ['duplicates', { topics: ['llm', 'llm'], language: 'bilingual' }, { topics: ['llm'], language: 'bilingual' }, []],
    ['an unknown topic', { topics: ['llm', 'crypto'], language: 'en' }, { topics: ['llm'], language: 'en' }, [COPY.errUnknownTopic]],
    ['no topic', { language: 'en' }, { topics: [], language: 'en' }, [COPY.errNoTopic]],
    ['no language', { topics: ['llm'] }, { topics: ['llm'], language: 'bilingual' }, [COPY.errLanguage]],
    ['a file instead of text', { topics: [new Blob(['llm'])], language: 'en' }, { topics: [], language: 'en' }, [COPY.errNoTopic]],
  ])('%s', (_name, body, choice, errors) => {
    expect(parseTopicChoice(body, known)).toEqual({ choice, errors });
  });
});

describe('parseSubscribeForm', () => {
  it('trims, keeps a name with markup as text, and caps what it echoes', () => {
    const { form, errors } = parseSubscribeForm(
      { email: '  wei@example.org ', name: ' <b>Wei</b>\u0007  Zhang ', topics: ['llm'], language: 'en' },
      known,
    );
    expect(errors).toEqual([]);
    expect(form).toEqual({ email: 'wei@example.org', name: '<b>Wei</b> Zhang', topics: ['llm'], language: 'en', frequency: 'daily' });
    const huge = parseSubscribeForm({ email: 'x'.repeat(5000), name: 'y'.repeat(5000) }, known);
    expect(huge.form.email).toHaveLength(254);
    expect(huge.form.name).toHaveLength(100);
    expect(huge.errors).toEqual([COPY.errEmailLong, COPY.errName, COPY.errNoTopic, COPY.errLanguage]);
  });

  it.each([
    ['weekly', { frequency: 'weekly' }, 'weekly', []],
    ['daily', { frequency: 'daily' }, 'daily', []],
    // A page from before the choice existed: the old default.
    ['no frequency field', {}, 'daily', []],
    ['a forged value', { frequency: 'hourly' }, 'daily', [COPY.errFrequency]],
    ['an empty value', { frequency: '' }, 'daily', [COPY.errFrequency]],
  ])('frequency: %s', (_name, extra, frequency, errors) => {
    const result = parseSubscribeForm({ email: 'wei@example.org', topics: ['llm'], language: 'en', ...extra }, known);
    expect(result.form.frequency).toBe(frequency);
    expect(result.errors).toEqual(errors);
  });

  it.each([
    [{ website: '' }, false],
    [{ website: '   ' }, false],
    [{}, false],
    [{ website: 'http://spam.example' }, true],
  ])('honeypot %j → %s', (body, filled) => {
    expect(isHoneypotFilled(body)).toBe(filled);
  });
});
