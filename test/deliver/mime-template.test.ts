import PostalMime, { type Email } from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { composeMail } from '../../src/deliver/compose-mail.ts';
import { buildMimeTemplate, composeRaw, dotStuff } from '../../src/deliver/mime-template.ts';
import { personalize, READER_PLACEHOLDERS as P } from '../../src/render/render-issue.ts';
import type { RenderedMail } from '../../src/types.ts';

// The per-segment MIME template must produce, for every reader, the mail nodemailer would build from scratch.

const ENVELOPE = { from: 'paperboy · arXiv daily <digest@example.org>', replyTo: 'lab@example.org', batchDate: '2025-11-14', segmentId: 'zh.llm' };
const READER = {
  subscriberId: 42,
  to: "o'brien+digest@example.org",
  fields: {
    unsubscribeUrl: `https://digest.example.org/unsubscribe/u.16.${'x'.repeat(70)}`,
    preferencesUrl: 'https://digest.example.org/preferences/p.16.abc',
    email: "o'brien+digest@example.org",
  },
  date: new Date('2025-11-14T05:30:00Z'),
};

const longChinese = '大语言模型的黑盒在线策略蒸馏，'.repeat(40);
const CASES: Array<[string, RenderedMail]> = [
  [
    'placeholders in attributes, text and at both ends',
    {
      subject: 'arXiv 日报 2025年11月14日 · 13 篇 | arXiv digest 14 Nov 2025',
      preheader: '',
      html: `${P.email}<p>${longChinese}</p><a href="${P.unsubscribeUrl}">退订</a> <a href="${P.preferencesUrl}">偏好</a>${P.email}`,
      text: `${P.unsubscribeUrl}\n${longChinese}\nfor ${P.email} \n\nprefs: ${P.preferencesUrl}`,
    },
  ],
  [
    'adjacent placeholders, trailing spaces and a dot at a line start',
    {
      subject: 'x',
      preheader: '',
      html: `<div>${P.email}${P.email}</div>   \n.dot\n${'a'.repeat(300)}`,
      text: `${P.email}${P.unsubscribeUrl}\t\n.dot line\nend with space `,
    },
  ],
  ['no placeholder at all', { subject: 'plain', preheader: '', html: '<p>hello</p>', text: 'hello' }],
];

const header = (mail: Email, name: string) => mail.headers.find((h) => h.key === name)?.value;

describe('buildMimeTemplate', () => {
  it.each(CASES)('%s: parses like the mail nodemailer builds', async (_name, mail) => {
    const raw = buildMimeTemplate(mail, ENVELOPE).fill(READER);
    expect(raw).not.toBeNull();
    const fromTemplate = await PostalMime.parse(raw!);
    const reference = composeMail(personalize(mail, READER.fields), {
      ...ENVELOPE,
      subscriberId: READER.subscriberId,
      to: READER.to,
      unsubscribeUrl: READER.fields.unsubscribeUrl,
    });
    const fromNodemailer = await PostalMime.parse(await composeRaw(reference, READER.date));
    expect(fromTemplate.subject).toBe(fromNodemailer.subject);
    expect(fromTemplate.html).toBe(fromNodemailer.html);
    expect(fromTemplate.text).toBe(fromNodemailer.text);
    expect(fromTemplate.from).toEqual(fromNodemailer.from);
    expect(fromTemplate.to).toEqual(fromNodemailer.to);
    expect(fromTemplate.replyTo).toEqual(fromNodemailer.replyTo);
    expect(fromTemplate.messageId).toBe('<paperboy.2025-11-14.42@example.org>');
    expect(fromTemplate.messageId).toBe(fromNodemailer.messageId);
    for (const name of ['date', 'list-unsubscribe', 'list-unsubscribe-post', 'list-id', 'x-paperboy-issue', 'x-paperboy-segment']) {
      expect(header(fromTemplate, name), name).toBe(header(fromNodemailer, name));
    }
  });

  it.each(CASES)('%s: CRLF only, body lines of at most 76 characters, no placeholder left', (_name, mail) => {
    const raw = buildMimeTemplate(mail, ENVELOPE).fill(READER)!.toString('utf8');
    expect(raw).not.toMatch(/[^\r]\n/);
    expect(raw).not.toContain('__PB_');
    expect(raw).not.toContain('placeholder.invalid');
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    const long = body.split('\r\n').filter((line) => line.length > 76);
    expect(long).toEqual([]);
  });

  it('fills each reader of a segment differently from one template', async () => {
    const template = buildMimeTemplate(CASES[0]![1], ENVELOPE);
    const a = await PostalMime.parse(template.fill({ ...READER, subscriberId: 1, to: 'a@example.org', fields: { ...READER.fields, email: 'a@example.org' } })!);
    const b = await PostalMime.parse(template.fill({ ...READER, subscriberId: 2, to: 'b@example.org', fields: { ...READER.fields, email: 'b@example.org' } })!);
    expect(a.to?.[0]?.address).toBe('a@example.org');
    expect(b.to?.[0]?.address).toBe('b@example.org');
    expect(a.html).toContain('a@example.org<p>');
    expect(b.html).toContain('b@example.org<p>');
    expect(a.messageId).not.toBe(b.messageId);
  });

  it('leaves an address it cannot write unencoded to the slow path', () => {
    expect(buildMimeTemplate(CASES[2]![1], ENVELOPE).fill({ ...READER, to: 'Ünïcode@example.com' })).toBeNull();
  });
});

describe('messages for SMTP DATA (dot-stuffed once, from the template)', () => {
  const unstuff = (bytes: Buffer) => Buffer.from(bytes.toString('latin1').replace(/\r\n\./g, '\r\n'), 'latin1');

  it('dotStuff doubles a "." that starts a line (and the first line when asked), and nothing else', () => {
    expect(dotStuff(Buffer.from('.a\r\nb.c\r\n..d\r\n.\r\nend.')).toString()).toBe('..a\r\nb.c\r\n...d\r\n..\r\nend.');
    expect(dotStuff(Buffer.from('.a\r\n.b'), false).toString()).toBe('.a\r\n..b');
    const untouched = Buffer.from('no dot at a line start\r\nx.y\r\n');
    expect(dotStuff(untouched)).toBe(untouched);
  });

  it('fills the same message with every line that starts with "." doubled, CRLF kept, headers and Message-ID as the plain fill', async () => {
    // Dots where template pieces meet: a reader value that starts a line, text right after a value, a part start.
    const mail: RenderedMail = {
      subject: 'dots',
      preheader: '',
      html: `.first line of the part\n${P.email}\n.after a value\n<a href="${P.unsubscribeUrl}">x</a>`,
      text: `${P.preferencesUrl}\n.${P.email}\n..two dots\nx\n.`,
    };
    const reader = { ...READER, fields: { ...READER.fields, preferencesUrl: '.starts-with-a-dot' } };
    const template = buildMimeTemplate(mail, ENVELOPE);
    const plain = template.fill(reader)!;
    const stuffed = template.fill(reader, { dotStuffed: true })!;
    expect(stuffed.equals(dotStuff(plain))).toBe(true);
    expect(Buffer.concat(template.fillPieces(reader, { dotStuffed: true })!).equals(stuffed)).toBe(true);
    expect(stuffed.length).toBeGreaterThan(plain.length);
    expect(unstuff(stuffed).equals(plain)).toBe(true);
    const text = stuffed.toString('latin1');
    // Every line ends in CRLF, and no line is a lone "." that would end the DATA early.
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text.split('\r\n')).not.toContain('.');
    for (const line of text.split('\r\n')) if (line.startsWith('.')) expect(line.startsWith('..')).toBe(true);
    const head = text.slice(0, text.indexOf('\r\n\r\n'));
    expect(head).toBe(plain.toString('latin1').slice(0, head.length));
    expect(head).toContain('Message-ID: <paperboy.2025-11-14.42@example.org>');
    const parsed = await PostalMime.parse(unstuff(stuffed));
    expect(parsed.text).toContain('\n..two dots\n');
    expect(parsed.html).toContain('.after a value');
  });
});
