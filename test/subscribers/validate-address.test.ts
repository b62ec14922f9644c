import { describe, expect, it } from 'vitest';
import { parseSubscriberCsv } from '../../src/subscribers/parse-subscriber-csv.ts';
import { type AddressCheck, checkAddress } from '../../src/subscribers/validate-address.ts';
import { parseSubscribeForm } from '../../src/web/validate-form.ts';

// One table, three doors: the rule itself, the web sign-up form and the CSV import must take the same addresses,
// spelt the same, and refuse the same ones.

type Expected = { address: string } | { problem: Exclude<AddressCheck, { ok: true }>['problem']; reason?: string };

const long = `a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(60)}.org`;

const CASES: Array<[string, Expected]> = [
  ['ada@example.org', { address: 'ada@example.org' }],
  ['  Ada@Example.ORG\t', { address: 'ada@example.org' }],
  ['first.last+tag@sub.example.co.uk', { address: 'first.last+tag@sub.example.co.uk' }],
  ["o'brien@example.ie", { address: "o'brien@example.ie" }],
  ['a@b.io', { address: 'a@b.io' }],
  ['x@xn--fiqs8s.example', { address: 'x@xn--fiqs8s.example' }],
  ['x@中国.example', { address: 'x@xn--fiqs8s.example' }],
  ['x@例え。JP', { address: 'x@xn--r8jz45g.jp' }],
  // NFC: a precomposed é and e + combining acute are one domain.
  ['x@café.example', { address: 'x@xn--caf-dma.example' }],
  ['x@cafe\u0301.example', { address: 'x@xn--caf-dma.example' }],

  ['', { problem: 'missing' }],
  ['ad\u202emin@example.org', { problem: 'hidden-character', reason: 'contains a bidirectional control character U+202E at position 3' }],
  ['ada@exa\u2066mple.org', { problem: 'hidden-character', reason: 'contains a bidirectional control character U+2066 at position 8' }],
  ['a\u200bb@example.org', { problem: 'hidden-character', reason: 'contains an invisible character U+200B at position 2' }],
  ['ada@example.org\u200b', { problem: 'hidden-character', reason: 'contains an invisible character U+200B at position 16' }],
  ['\ufeffada@example.org', { problem: 'hidden-character', reason: 'contains an invisible character U+FEFF at position 1' }],
  ['ada\u3164@example.org', { problem: 'hidden-character', reason: 'contains an invisible character U+3164 at position 4' }],
  ['ada\u00a0@example.org', { problem: 'hidden-character', reason: 'contains an unusual space or line break U+00A0 at position 4' }],
  ['ad\x1b]0;pwned\x07@example.org', { problem: 'hidden-character', reason: 'contains a control character U+001B at position 3' }],
  ['ada\u0085@example.org', { problem: 'hidden-character', reason: 'contains a control character U+0085 at position 4' }],
  ['wei\n@example.org', { problem: 'hidden-character', reason: 'contains a control character U+000A at position 4' }],
  ['张伟@example.org', { problem: 'non-ascii-mailbox' }],
  ['Ünïcode@example.com', { problem: 'non-ascii-mailbox' }],
  ['plain', { problem: 'invalid', reason: 'is not a valid email address' }],
  ['@example.org', { problem: 'invalid' }],
  ['wei@', { problem: 'invalid' }],
  ['a@localhost', { problem: 'invalid' }],
  ['a@example..org', { problem: 'invalid' }],
  ['a.@example.org', { problem: 'invalid' }],
  ['.a@example.org', { problem: 'invalid' }],
  ['a..b@example.org', { problem: 'invalid' }],
  ['a b@example.org', { problem: 'invalid' }],
  ['wei@exa mple.org', { problem: 'invalid' }],
  ['a@-example.org', { problem: 'invalid' }],
  ['a@1.2.3.4', { problem: 'invalid' }],
  ['a@0x7f.1', { problem: 'invalid' }],
  ['a@b@example.org', { problem: 'invalid' }],
  ['Ada <ada@example.org>', { problem: 'invalid' }],
  ['"wei"@example.org', { problem: 'invalid' }],
  [`${'a'.repeat(65)}@example.org`, { problem: 'invalid' }],
  [long, { problem: 'too-long', reason: 'is longer than 254 characters' }],
];

const TOPICS = ['llm'];
const csvField = (value: string) => `"${value.replace(/"/g, '""')}"`;

describe('one address rule for the web form and the CSV import', () => {
  it.each(CASES)('%j → %j', (input, expected) => {
    const check = checkAddress(input);
    if ('address' in expected) expect(check).toEqual({ ok: true, address: expected.address });
    else expect(check).toMatchObject({ ok: false, ...expected });

    const web = parseSubscribeForm({ email: input, topics: 'llm', language: 'en' }, TOPICS);
    const csv = parseSubscriberCsv(`email,topics\n${csvField(input)},llm\n`, TOPICS);
    if ('address' in expected) {
      expect(web.errors).toEqual([]);
      expect(web.form.email).toBe(expected.address);
      expect(csv).toEqual({ rows: [{ email: expected.address, name: null, topics: ['llm'], language: 'bilingual' }], problems: [] });
    } else {
      expect(web.errors).toHaveLength(1);
      expect(csv.rows).toEqual([]);
      expect(csv.problems).toHaveLength(1);
      if (check.ok === false && check.problem !== 'missing') expect(csv.problems[0]?.message).toContain(check.reason);
    }
  });
});
