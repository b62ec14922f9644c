import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterEach, describe, expect, it } from 'vitest';
import { composeMail, domainOfAddress, stableMessageId, type OutgoingMail } from '../../src/deliver/compose-mail.ts';
import { composeRaw } from '../../src/deliver/mime-template.ts';
import { createOutboxTransport, outboxFileName, partialFileName, removeLeftoverPartials } from '../../src/deliver/outbox-transport.ts';
import { PID_SPACE } from '../../src/deliver/run-lock.ts';
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

  it('removes the .partial files a crashed writer left, and only those, before writing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-outbox-'));
    const day = join(dir, '2025-11-14');
    mkdirSync(day);
    const dead = await deadPid();
    writeFileSync(join(day, partialFileName(outboxFileName(9, 'r9@example.org'), { pid: dead, host: hostname() })), 'Subject: x\r\n\r\nhalf a bo');
    writeAged(join(day, `${outboxFileName(10, 'r10@example.org')}.partial`), 2 * 3600);
    // This process's own (another transport of it may be writing) and files that are not partials: left alone.
    const mine = partialFileName(outboxFileName(11, 'r11@example.org'));
    for (const name of ['notes.partial', 'draft.eml', 'segments', mine]) writeFileSync(join(day, name), 'keep');

    const transport = createOutboxTransport({ dir, batchDate: '2025-11-14' });
    expect(await transport.removedPartials).toBe(2);
    const job: MailJob = { subscriberId: 9, to: 'r9@example.org', messageId: '<m9>', fields: () => ({}) as OutgoingMail, raw: async () => 'Subject: x\r\n\r\nbody\r\n' };
    expect((await transport.send([job], context))[0]?.status).toBe('sent');
    await transport.close();
    expect(readdirSync(day).sort()).toEqual(['000009-r9_at_example.org.eml', 'draft.eml', mine, 'notes.partial', 'segments'].sort());
    expect(readFileSync(join(day, '000009-r9_at_example.org.eml'), 'utf8')).toContain('body');
  });

  describe('removeLeftoverPartials: only what no live process is writing', () => {
    let sleeper: ChildProcess | undefined;
    afterEach(() => {
      sleeper?.kill();
      sleeper = undefined;
    });

    it.each<[string, (file: string) => Promise<string> | string, number | undefined, number]>([
      ['a fresh partial of a live process of this machine', (f) => partialFileName(f, { pid: liveChild(), host: hostname() }), 0, 0],
      ['a partial of a live process untouched for two hours (its pid reused since)', (f) => partialFileName(f, { pid: liveChild(), host: hostname() }), 2 * 3600, 1],
      ['a partial of a process of this machine that is gone, even a fresh one', async (f) => partialFileName(f, { pid: await deadPid(), host: hostname() }), 0, 1],
      ['a fresh partial of a gone pid of another pid space under this hostname (a container sharing the folder)', async (f) => partialFileName(f, { pid: await deadPid(), host: hostname(), space: PID_SPACE === '0badf00d' ? '0badf00e' : '0badf00d' }), 0, 0],
      ['a fresh partial of a gone pid of this pid space', async (f) => partialFileName(f, { pid: await deadPid(), host: hostname(), space: PID_SPACE }), 0, 1],
      ['a fresh partial of another machine (a shared folder)', (f) => partialFileName(f, { pid: 4242, host: 'Other_Host.example' }), 0, 0],
      ['a partial of another machine untouched for two hours', (f) => partialFileName(f, { pid: 4242, host: 'other-host.example' }), 2 * 3600, 1],
      ['a fresh untagged partial (an earlier version\'s name)', (f) => `${f}.partial`, 0, 0],
      ['an untagged partial untouched for two hours', (f) => `${f}.partial`, 2 * 3600, 1],
      ['an untagged partial untouched for 59 minutes', (f) => `${f}.partial`, 59 * 60, 0],
    ])('%s', async (_name, nameOf, ageSeconds, removed) => {
      const folder = mkdtempSync(join(tmpdir(), 'paperboy-outbox-'));
      const name = await nameOf(outboxFileName(3, 'a@example.org'));
      writeAged(join(folder, name), ageSeconds ?? 0);
      expect(await removeLeftoverPartials(folder)).toBe(removed);
      expect(readdirSync(folder)).toEqual(removed ? [] : [name]);
    });

    function liveChild(): number {
      sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
      return sleeper.pid!;
    }

    it.each([
      ['a missing folder', null, 0],
      ['a fresh partial in a shared folder (another process may be writing it)', 0, 0],
      ['a partial untouched for two minutes', 120, 1],
    ])('with partialMinAgeMs (the web front\'s minute): %s', async (_name, ageSeconds, removed) => {
      const dir = mkdtempSync(join(tmpdir(), 'paperboy-outbox-'));
      const folder = join(dir, 'web', 'confirm');
      if (ageSeconds !== null) {
        mkdirSync(folder, { recursive: true });
        writeAged(join(folder, partialFileName(outboxFileName(3, 'a@example.org'), { pid: 4242, host: 'web-2.example' })), ageSeconds);
      }
      expect(await removeLeftoverPartials(folder, { minAgeMs: 60_000 })).toBe(removed);
    });
  });

  it('makes safe file names', () => {
    expect(outboxFileName(7, '../../etc/passwd@evil.com')).toBe('000007-.._.._etc_passwd_at_evil.com.eml');
    expect(outboxFileName(7, 'a b;rm -rf@x.org')).not.toMatch(/[ ;/]/);
  });
});

/** A file last written `ageSeconds` ago. */
function writeAged(path: string, ageSeconds: number): void {
  writeFileSync(path, 'half');
  const then = new Date(Date.now() - ageSeconds * 1000);
  utimesSync(path, then, then);
}

/** The pid of a process of this machine that has exited (and been reaped): provably gone. */
function deadPid(): Promise<number> {
  const child = spawn('true', [], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(child.pid!));
  });
}
