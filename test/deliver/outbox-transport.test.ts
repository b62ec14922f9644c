import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { composeMail, domainOfAddress, stableMessageId, type OutgoingMail } from '../../src/deliver/compose-mail.ts';
import { composeRaw } from '../../src/deliver/mime-template.ts';
import { createOutboxTransport, outboxFileName, removeLeftoverPartials } from '../../src/deliver/outbox-transport.ts';
import type { MailJob } from '../../src/deliver/transport.ts';

const rendered = {
  subject: 'arXiv 日报 2025年11月14日 · 3 篇 | arXiv digest 14 Nov 2025',
  preheader: '3 new papers',
  html: '<!doctype html><html><body><p>大语言模型 &amp; agents</p></body></html>',
  text: '大语言模型 & agents\nhttps://arxiv.org/abs/2511.10593',
};

describe('composeMail', () => {
  const mail = composeMail(rendered, {
    from: 'Lab digest <digest@Example.org>',
    batchDate: '2025-11-14',
    segmentId: 'bilingual.llm',
    subscriberId: 12,
    to: 'reader@example.com',
    unsubscribeUrl: 'https://digest.example.org/unsubscribe/u.c.abc',
  });

  it('carries one-click unsubscribe headers (RFC 8058)', () => {
    expect(mail.headers['List-Unsubscribe']).toBe('<https://digest.example.org/unsubscribe/u.c.abc>');
    expect(mail.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  it('uses a Message-ID that is the same on every run, on our own domain', () => {
    expect(mail.messageId).toBe('<paperboy.2025-11-14.12@example.org>');
    expect(stableMessageId('2025-11-14', 12, 'digest@example.org')).toBe(mail.messageId);
    expect(domainOfAddress('"A, B" <x@Mail.Example.ORG>')).toBe('mail.example.org');
  });
});

const context = { batchDate: '2025-11-14', batchNo: 1, idempotencyKey: 'k', attempt: 1 };

/** A job as the sender builds it, here from composed fields (the slow path, for a non-ASCII address). */
function jobOf(mail: OutgoingMail, date: Date): MailJob {
  return {
    subscriberId: mail.subscriberId,
    to: mail.to,
    messageId: mail.messageId,
    fields: () => mail,
    raw: () => composeRaw(mail, date),
  };
}

describe('outbox transport', () => {
  it('writes one parseable multipart/alternative .eml per reader', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-outbox-'));
    const transport = createOutboxTransport({ dir, batchDate: '2025-11-14' });
    const mail = composeMail(rendered, {
      from: 'Lab digest <digest@example.org>',
      batchDate: '2025-11-14',
      segmentId: 'bilingual.llm',
      subscriberId: 3,
      to: 'Ünïcode.Reader+tag@example.com',
      unsubscribeUrl: 'https://digest.example.org/unsubscribe/u.3.sig',
    });
    const [result] = await transport.send([jobOf(mail, new Date('2025-11-14T05:30:00Z'))], context);
    await transport.close();

    expect(readdirSync(join(dir, '2025-11-14'))).toEqual([outboxFileName(3, mail.to)]);
    expect(result).toMatchObject({ status: 'sent', providerId: mail.messageId, location: expect.stringMatching(/000003-.*\.eml$/) });
    const raw = readFileSync((result as { location: string }).location);
    expect(raw.toString()).toMatch(/^Content-Type: multipart\/alternative/m);
    const parsed = await PostalMime.parse(raw);
    expect(parsed.subject).toBe(rendered.subject);
    expect(parsed.text?.trim()).toBe(rendered.text);
    expect(parsed.html).toContain('大语言模型 &amp; agents');
    expect(parsed.messageId).toBe('<paperboy.2025-11-14.3@example.org>');
    const header = (name: string) => parsed.headers.find((h) => h.key === name)?.value;
    expect(header('list-unsubscribe')).toBe('<https://digest.example.org/unsubscribe/u.3.sig>');
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header('date')).toContain('14 Nov 2025');
  });

  it('writes a mail again over the first copy (so an unknown outcome is simply redone), never a half file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-outbox-'));
    const transport = createOutboxTransport({ dir, batchDate: '2025-11-14' });
    expect(transport.resend).toBe('overwrite');
    const job: MailJob = {
      subscriberId: 9,
      to: 'r9@example.org',
      messageId: '<m9@example.org>',
      fields: () => {
        throw new Error('unused');
      },
      raw: async () => 'Subject: x\r\n\r\nbody\r\n',
    };
    await transport.send([job], context);
    await transport.send([job], context);
    expect(readdirSync(join(dir, '2025-11-14'))).toEqual(['000009-r9_at_example.org.eml']);
  });

  it('stops the run when the folder cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-outbox-'));
    writeFileSync(join(dir, '2025-11-14'), 'a file where the folder should be');
    const transport = createOutboxTransport({ dir, batchDate: '2025-11-14' });
    const [outcome] = await transport.send(
      [{ subscriberId: 1, to: 'a@example.org', messageId: '<m>', fields: () => ({}) as OutgoingMail, raw: async () => 'x' }],
      context,
    );
    expect(outcome).toMatchObject({ status: 'stop', error: expect.stringMatching(/could not write .*2025-11-14/) });
  });

  it('removes the .partial files a crashed run left, and only those, before writing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-outbox-'));
    const day = join(dir, '2025-11-14');
    mkdirSync(day);
    const leftover = `${outboxFileName(9, 'r9@example.org')}.partial`;
    writeFileSync(join(day, leftover), 'Subject: x\r\n\r\nhalf a bo');
    writeFileSync(join(day, `${outboxFileName(10, 'r10@example.org')}.partial`), 'half');
    // Not ours: left alone.
    for (const name of ['notes.partial', 'draft.eml', 'segments']) writeFileSync(join(day, name), 'keep');

    const transport = createOutboxTransport({ dir, batchDate: '2025-11-14' });
    expect(await transport.removedPartials).toBe(2);
    const job: MailJob = { subscriberId: 9, to: 'r9@example.org', messageId: '<m9>', fields: () => ({}) as OutgoingMail, raw: async () => 'Subject: x\r\n\r\nbody\r\n' };
    expect((await transport.send([job], context))[0]?.status).toBe('sent');
    await transport.close();
    expect(readdirSync(day).sort()).toEqual(['000009-r9_at_example.org.eml', 'draft.eml', 'notes.partial', 'segments']);
    expect(readFileSync(join(day, '000009-r9_at_example.org.eml'), 'utf8')).toContain('body');
  });

  it.each([
    ['a missing folder', null, 0],
    ['a fresh partial in a shared folder (another process may be writing it)', 0, 0],
    ['a partial untouched for two minutes', 120, 1],
  ])('removeLeftoverPartials with %s', async (_name, ageSeconds, removed) => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-outbox-'));
    const folder = join(dir, 'web', 'confirm');
    if (ageSeconds !== null) {
      mkdirSync(folder, { recursive: true });
      const file = join(folder, `${outboxFileName(3, 'a@example.org')}.partial`);
      writeFileSync(file, 'half');
      const then = new Date(Date.now() - ageSeconds * 1000);
      utimesSync(file, then, then);
    }
    expect(await removeLeftoverPartials(folder, { minAgeMs: 60_000 })).toBe(removed);
  });

  it('makes safe file names', () => {
    expect(outboxFileName(7, '../../etc/passwd@evil.com')).toBe('000007-.._.._etc_passwd_at_evil.com.eml');
    expect(outboxFileName(7, 'a b;rm -rf@x.org')).not.toMatch(/[ ;/]/);
  });
});
