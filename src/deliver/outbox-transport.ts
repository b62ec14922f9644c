import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ISODate } from '../types.ts';
import type { MailJob, MailTransport, SendOutcome } from './transport.ts';

/** A file name that sorts by reader and never contains anything a shell or a file system dislikes. */
export function outboxFileName(subscriberId: number, email: string): string {
  const safe = email.toLowerCase().replace(/@/g, '_at_').replace(/[^a-z0-9._-]+/g, '_').slice(0, 80);
  return `${String(subscriberId).padStart(6, '0')}-${safe}.eml`;
}

/**
 * Writes each mail as an RFC 5322 `.eml` file into `<dir>/<batchDate>/`, byte for byte what SMTP would send. The
 * default transport: nothing leaves the machine, and any mail client opens the files. Writing a mail again
 * replaces its file, so a copy whose outcome is unknown is simply written again.
 */
export function createOutboxTransport(options: { dir: string; batchDate: ISODate }): MailTransport {
  const folder = join(options.dir, options.batchDate);
  let ready: Promise<unknown> | undefined;

  async function write(mail: MailJob): Promise<SendOutcome> {
    const file = join(folder, outboxFileName(mail.subscriberId, mail.to));
    try {
      ready ??= mkdir(folder, { recursive: true });
      await ready;
      // Write then rename, so a crash never leaves half a mail that looks like a whole one.
      const partial = `${file}.partial`;
      await writeFile(partial, await mail.raw());
      await rename(partial, file);
      return { status: 'sent', providerId: mail.messageId, location: file };
    } catch (error) {
      // A folder that cannot be written fails every other mail the same way.
      return { status: 'stop', error: `could not write ${file}: ${(error as Error).message}` };
    }
  }

  return {
    name: 'outbox',
    maxBatch: 100,
    resend: 'overwrite',
    async send(mails) {
      return Promise.all(mails.map(write));
    },
    async close() {},
  };
}
