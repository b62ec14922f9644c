import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SendError } from '../errors.ts';
import type { ISODate } from '../types.ts';
import type { OutgoingMail } from './compose-mail.ts';
import type { MailTransport, SendResult } from './transport.ts';

/** A file name that sorts by reader and never contains anything a shell or a file system dislikes. */
export function outboxFileName(subscriberId: number, email: string): string {
  const safe = email.toLowerCase().replace(/@/g, '_at_').replace(/[^a-z0-9._-]+/g, '_').slice(0, 80);
  return `${String(subscriberId).padStart(6, '0')}-${safe}.eml`;
}

/**
 * Writes each mail as an RFC 822 `.eml` file into `<dir>/<batchDate>/`, built by nodemailer exactly as SMTP would
 * send it. The default transport: nothing leaves the machine, and any mail client opens the files.
 */
export function createOutboxTransport(options: { dir: string; batchDate: ISODate; date: Date }): MailTransport {
  const folder = join(options.dir, options.batchDate);
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let ready: Promise<unknown> | undefined;
  return {
    name: 'outbox',
    async send(mail: OutgoingMail): Promise<SendResult> {
      ready ??= mkdir(folder, { recursive: true });
      await ready;
      const file = join(folder, outboxFileName(mail.subscriberId, mail.to));
      try {
        const info = await composer.sendMail({
          from: mail.from,
          to: mail.to,
          replyTo: mail.replyTo,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          date: options.date,
          headers: mail.headers,
          textEncoding: 'quoted-printable',
        });
        // Write then rename, so a crash never leaves half a mail that looks like a whole one.
        const partial = `${file}.partial`;
        await writeFile(partial, info.message as Buffer);
        await rename(partial, file);
      } catch (error) {
        throw new SendError(`could not write ${file}: ${(error as Error).message}`, { cause: error });
      }
      return { providerId: mail.messageId, location: file };
    },
    async close() {
      composer.close();
    },
  };
}
