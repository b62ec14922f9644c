import { createHash, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import PostalMime from 'postal-mime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareIssue } from '../../src/deliver/prepare-issue.ts';
import { sendIssue, type SendPolicy } from '../../src/deliver/send-issue.ts';
import {
  classifySmtpError,
  createSmtpTransport,
  describeSmtpUrl,
  DKIM_HEADER_FIELDS,
  MAILS_PER_CONNECTION,
  parseSmtpUrl,
  type SmtpOptions,
} from '../../src/deliver/smtp-transport.ts';
import { ConfigError } from '../../src/errors.ts';
import { READER_PLACEHOLDERS } from '../../src/render/render-issue.ts';
import { listDeliveries } from '../../src/store/deliveries.ts';
import type { Database } from '../../src/store/schema.ts';
import { findSubscriber, upsertSubscribers } from '../../src/store/subscribers.ts';
import { describeStore } from '../support/test-databases.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';

const DAY = '2025-11-14';
const T0 = new Date('2025-11-14T06:00:00.000Z');
const MAIL = {
  subject: 'arXiv 日报 2025年11月14日 | arXiv digest 14 Nov 2025',
  preheader: '',
  html: `<p>大语言模型 for ${READER_PLACEHOLDERS.email}</p><a href="${READER_PLACEHOLDERS.unsubscribeUrl}">退订 unsubscribe</a>`,
  text: `大语言模型 for ${READER_PLACEHOLDERS.email}\n.a line that starts with a dot\nunsubscribe: ${READER_PLACEHOLDERS.unsubscribeUrl}\n`,
};
const POLICY: SendPolicy = {
  batchSize: 20,
  workers: 2,
  attempts: 3,
  baseDelayMs: 1,
  maxDelayMs: 10,
  stopAfterFailedBatches: 0,
  resendUnknown: false,
};

describe('classifySmtpError', () => {
  it.each([
    [{ message: 'x', code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 no such user' }, 'bounced'],
    [{ message: 'x', code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM', response: '553 sender rejected' }, 'stop'],
    [{ message: 'x', code: 'EMESSAGE', responseCode: 552, command: 'DATA', response: '552 too big' }, 'rejected-permanent'],
    [{ message: 'x', code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO', response: '451 4.7.1 greylisted' }, 'rejected-retryable'],
    [{ message: 'x', code: 'EENVELOPE', responseCode: 421, command: 'RCPT TO', response: '421 too many connections' }, 'rejected-retryable'],
    [{ message: 'Connection closed unexpectedly', code: 'ECONNECTION', command: 'CONN' }, 'rejected-retryable'],
    [{ message: 'Reached maximum number of retries after connection was closed' }, 'rejected-retryable'],
    [{ message: 'connect ECONNREFUSED 127.0.0.1:25', code: 'ESOCKET' }, 'rejected-retryable'],
    [{ message: 'Invalid login', code: 'EAUTH', responseCode: 535 }, 'stop'],
    [{ message: 'self-signed certificate', code: 'ETLS' }, 'stop'],
  ])('%j → %s', (error, expected) => {
    const outcome = classifySmtpError(error);
    const kind = outcome.status === 'rejected' ? `rejected-${outcome.retryable ? 'retryable' : 'permanent'}` : outcome.status;
    expect(kind).toBe(expected);
  });
});

describe('SMTP_URL', () => {
  it.each(['http://host', 'host:25', '', 'smtp://'])('refuses %j', (url) => {
    expect(() => parseSmtpUrl(url)).toThrow(ConfigError);
  });

  it('reads smtp:// (STARTTLS when offered) and smtps://, and shows a URL without its password', () => {
    expect(parseSmtpUrl('smtp://user:p%40ss@mail.example.org:587')).toMatchObject({
      host: 'mail.example.org',
      port: 587,
      secure: false,
      auth: { user: 'user', pass: 'p@ss' },
    });
    expect(parseSmtpUrl('smtps://mail.example.org')).toMatchObject({ secure: true });
    expect(describeSmtpUrl('smtp://user:secret@mail.example.org:587')).toBe('smtp://mail.example.org:587');
  });
});

/** Relaxed/relaxed DKIM verification (RFC 6376 §3.4), enough to prove what the signature covers. */
function verifyDkim(raw: string, publicKey: KeyObject) {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split);
  const body = raw.slice(split + 4);
  const headers: Array<{ name: string; raw: string }> = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && headers.length > 0) headers.at(-1)!.raw += `\r\n${line}`;
    else headers.push({ name: line.slice(0, line.indexOf(':')).trim().toLowerCase(), raw: line });
  }
  const relaxHeader = (h: { name: string; raw: string }) =>
    `${h.name}:${h.raw.slice(h.raw.indexOf(':') + 1).replace(/\r\n/g, '').replace(/[ \t]+/g, ' ').trim()}`;
  const signature = headers.find((h) => h.name === 'dkim-signature')!;
  const tags = Object.fromEntries(
    signature.raw
      .slice(signature.raw.indexOf(':') + 1)
      .replace(/\s+/g, '')
      .split(';')
      .filter(Boolean)
      .map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]),
  ) as Record<string, string>;
  let canonicalBody = body
    .split('\r\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').replace(/ +$/, ''))
    .join('\r\n')
    .replace(/(\r\n)+$/, '');
  if (canonicalBody) canonicalBody += '\r\n';
  const bodyHash = createHash('sha256').update(canonicalBody).digest('base64');
  const used = new Set<number>();
  const signed = (tags.h ?? '').split(':').map((name) => {
    for (let i = headers.length - 1; i >= 0; i--) {
      if (headers[i]!.name === name.toLowerCase() && !used.has(i)) {
        used.add(i);
        return relaxHeader(headers[i]!);
      }
    }
    return null;
  });
  const unsigned = relaxHeader({ name: 'dkim-signature', raw: signature.raw.replace(/(;\s*b=)[^;]*$/s, '$1').replace(/(;\s*b=)[^;]*;/s, '$1;') });
  const data = [...signed.filter((h): h is string => h !== null), unsigned].join('\r\n');
  return {
    h: (tags.h ?? '').toLowerCase().split(':'),
    domain: tags.d,
    selector: tags.s,
    bodyHashOk: bodyHash === tags.bh,
    signatureOk: verify('sha256', Buffer.from(data), publicKey, Buffer.from(tags.b ?? '', 'base64')),
  };
}

let db: Kysely<Database>;
let sink: SmtpSink;

describeStore('deliver/smtp-transport', (store) => {
  beforeEach(async () => {
    db = store.db;
    sink = await startSmtpSink();
    await upsertSubscribers(
      db,
      Array.from({ length: 12 }, (_, i) => ({
        email: `reader${i + 1}@example.org`,
        name: null,
        topics: i % 2 ? ['llm'] : ['vision'],
        language: i % 2 ? ('en' as const) : ('zh' as const),
      })),
      T0,
    );
    await prepareIssue(db, DAY, ['llm', 'vision'], T0);
  });
  afterEach(async () => {
    await sink.close();
  });

  const options = (extra: Partial<SmtpOptions> = {}): SmtpOptions => ({
    url: sink.url,
    envelopeFrom: 'bounces@example.org',
    maxConnections: 3,
    rateLimit: 0,
    maxMessagesPerConnection: 100,
    timeoutMs: 5000,
    ...extra,
  });
  const segments = [
    { segmentId: 'en.llm', mail: async () => ({ ...MAIL, subject: 'arXiv digest 14 Nov 2025' }) },
    { segmentId: 'zh.vision', mail: async () => MAIL },
  ];
  const context = () => ({
    db,
    from: 'Lab digest <digest@example.org>',
    publicBaseUrl: 'https://digest.example.org',
    secret: 'smtp-test-secret-0123456789abcdef0123456789',
    clock: () => new Date(),
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  });
  const perReader = () => {
    const counts = new Map<string, number>();
    for (const m of sink.received) for (const to of m.to) counts.set(to, (counts.get(to) ?? 0) + 1);
    return counts;
  };

  describe('SMTP delivery through a local server', () => {
    it('delivers one parseable multipart mail per reader, with the right segment and unsubscribe headers', async () => {
      const transport = createSmtpTransport(options());
      try {
        expect(await sendIssue(context(), DAY, transport, segments, POLICY)).toMatchObject({ sent: 12, failed: 0 });
      } finally {
        await transport.close();
      }
      expect(sink.received).toHaveLength(12);
      expect([...perReader().values()].every((n) => n === 1)).toBe(true);
      for (const message of sink.received) {
        expect(message.from).toBe('bounces@example.org');
        const raw = message.raw.toString('utf8');
        expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
        const mail = await PostalMime.parse(message.raw);
        const reader = Number(/reader(\d+)@/.exec(message.to[0]!)?.[1]);
        const zh = reader % 2 === 1;
        expect(mail.subject).toBe(zh ? MAIL.subject : 'arXiv digest 14 Nov 2025');
        expect(mail.headers.find((h) => h.key === 'x-paperboy-segment')?.value).toBe(zh ? 'zh.vision' : 'en.llm');
        expect(mail.messageId).toBe(`<paperboy.2025-11-14.${reader}@example.org>`);
        expect(mail.from?.address).toBe('digest@example.org');
        expect(mail.text).toContain(`大语言模型 for reader${reader}@example.org`);
        expect(mail.text).toContain('\n.a line that starts with a dot\n');
        expect(mail.html).toContain(`for reader${reader}@example.org</p>`);
        const unsubscribe = mail.headers.find((h) => h.key === 'list-unsubscribe')?.value ?? '';
        expect(unsubscribe).toMatch(new RegExp(`^<https://digest\\.example\\.org/unsubscribe/u\\.${reader.toString(36)}\\.[\\w-]+>$`));
        expect(mail.html).toContain(unsubscribe.slice(1, -1));
        expect(mail.headers.find((h) => h.key === 'list-unsubscribe-post')?.value).toBe('List-Unsubscribe=One-Click');
      }
    });

    it('retries a 451 and delivers once; bounces a 550 and suppresses the reader without retrying', async () => {
      sink.faults = {
        rcpt: (to, attempt) =>
          to === 'reader3@example.org' && attempt <= 2
            ? { code: 451, message: '4.7.1 greylisted, try again' }
            : to === 'reader4@example.org'
              ? { code: 550, message: '5.1.1 no such user' }
              : null,
      };
      const transport = createSmtpTransport(options());
      try {
        expect(await sendIssue(context(), DAY, transport, segments, POLICY)).toMatchObject({ sent: 11, bounced: 1, failed: 0 });
      } finally {
        await transport.close();
      }
      expect(perReader().get('reader3@example.org')).toBe(1);
      expect(sink.rcptAttempts.get('reader3@example.org')).toBe(3);
      expect(perReader().has('reader4@example.org')).toBe(false);
      expect(sink.rcptAttempts.get('reader4@example.org')).toBe(1);
      const rows = await listDeliveries(db, DAY);
      expect(rows.find((r) => r.subscriberId === 3)).toMatchObject({ status: 'sent', attempts: 3 });
      expect(rows.find((r) => r.subscriberId === 4)).toMatchObject({ status: 'bounced' });
      expect(rows.find((r) => r.subscriberId === 4)?.lastError).toMatch(/550.*no such user/);
      expect((await findSubscriber(db, { id: 4 }))?.status).toBe('bounced');
    });

    it('sends a mail again after the connection dropped in the middle of its DATA, and delivers it once', async () => {
      sink.faults = { dropData: (to, attempt) => to[0] === 'reader5@example.org' && attempt === 1 };
      const transport = createSmtpTransport(options());
      try {
        expect(await sendIssue(context(), DAY, transport, segments, POLICY)).toMatchObject({ sent: 12, failed: 0 });
      } finally {
        await transport.close();
      }
      expect(sink.dataAttempts.get('reader5@example.org')).toBe(2);
      expect(perReader().get('reader5@example.org')).toBe(1);
      expect((await listDeliveries(db, DAY)).find((r) => r.subscriberId === 5)).toMatchObject({ status: 'sent', attempts: 2 });
    });

    it('keeps trying a server that keeps refusing only up to the limit, then leaves the mail for the next run', async () => {
      sink.faults = { rcpt: (to) => (to === 'reader6@example.org' ? { code: 421, message: '4.7.0 too many messages' } : null) };
      const transport = createSmtpTransport(options());
      try {
        expect(await sendIssue(context(), DAY, transport, segments, POLICY)).toMatchObject({ sent: 11, failed: 1 });
      } finally {
        await transport.close();
      }
      expect(sink.rcptAttempts.get('reader6@example.org')).toBe(POLICY.attempts);
      expect((await listDeliveries(db, DAY)).find((r) => r.subscriberId === 6)).toMatchObject({ status: 'failed', failureKind: 'transient' });
    });

    it('sends several segments at once without opening more connections than the budget', async () => {
      // 12 readers in 2 segments, claims of at most 2 mails, 4 claims in flight: both segments' claims overlap.
      const transport = createSmtpTransport(options({ maxConnections: 2, maxMessagesPerConnection: 3 }));
      const calls: Array<{ segment: string; start: number; end: number }> = [];
      let clock = 0;
      const watched = {
        ...transport,
        async send(mails: Parameters<typeof transport.send>[0], ctx: Parameters<typeof transport.send>[1]) {
          const call = { segment: (await mails[0]!.raw()).toString().match(/X-Paperboy-Segment: (\S+)/)![1]!, start: clock++, end: -1 };
          calls.push(call);
          try {
            return await transport.send(mails, ctx);
          } finally {
            call.end = clock++;
          }
        },
      };
      expect(transport.maxBatch).toBe(2 * MAILS_PER_CONNECTION);
      try {
        const result = await sendIssue(context(), DAY, watched, segments, { ...POLICY, batchSize: 2, workers: 4 });
        expect(result).toMatchObject({ sent: 12, failed: 0 });
      } finally {
        await transport.close();
      }
      expect(sink.received).toHaveLength(12);
      expect(sink.connections.most).toBeGreaterThanOrEqual(1);
      expect(sink.connections.most).toBeLessThanOrEqual(2);
      // A claim of the second segment started while one of the first was still on its way.
      const first = calls.filter((c) => c.segment === segments[0]!.segmentId);
      const second = calls.filter((c) => c.segment === segments[1]!.segmentId);
      expect(second.some((s) => first.some((f) => s.start < f.end))).toBe(true);
    });

    it('signs with DKIM over both List-Unsubscribe headers, and the signature verifies', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const transport = createSmtpTransport(
        options({ dkim: { domainName: 'example.org', keySelector: 'pb2025', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string } }),
      );
      try {
        await sendIssue(context(), DAY, transport, segments, POLICY);
      } finally {
        await transport.close();
      }
      expect(DKIM_HEADER_FIELDS.split(':')).toEqual(expect.arrayContaining(['List-Unsubscribe', 'List-Unsubscribe-Post']));
      for (const message of sink.received.slice(0, 3)) {
        const check = verifyDkim(message.raw.toString('utf8'), publicKey);
        expect(check).toMatchObject({ domain: 'example.org', selector: 'pb2025', bodyHashOk: true, signatureOk: true });
        expect(check.h).toEqual(expect.arrayContaining(['from', 'subject', 'list-unsubscribe', 'list-unsubscribe-post']));
      }
      // A changed header breaks it: the check above can fail.
      const tampered = sink.received[0]!.raw.toString('utf8').replace('List-Unsubscribe-Post: List-Unsubscribe=One-Click', 'List-Unsubscribe-Post: x');
      expect(verifyDkim(tampered, publicKey).signatureOk).toBe(false);
    });
  });
});
