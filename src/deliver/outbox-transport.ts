import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ISODate } from '../types.ts';
import type { MailJob, MailTransport, SendOutcome } from './transport.ts';

/** A file name that sorts by reader and never contains anything a shell or a file system dislikes. */
export function outboxFileName(subscriberId: number, email: string): string {
  const safe = email.toLowerCase().replace(/@/g, '_at_').replace(/[^a-z0-9._-]+/g, '_').slice(0, 80);
  return `${String(subscriberId).padStart(6, '0')}-${safe}.eml`;
}

/** Only what `write` below names a half-written mail: `<outboxFileName>.partial`. Nothing else is touched. */
const OUR_PARTIAL = /^\d{6,}-[a-z0-9._-]*\.eml\.partial$/;

/**
 * Deletes the half-written mails a crashed run left in `folder` (files it wrote as `….eml.partial` and never
 * renamed) and returns how many. `minAgeMs` spares files younger than that, for a folder another live process
 * may be writing into. A missing folder has none.
 */
export async function removeLeftoverPartials(folder: string, options: { minAgeMs?: number; now?: Date } = {}): Promise<number> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const cutoff = (options.now ?? new Date()).getTime() - (options.minAgeMs ?? 0);
  let removed = 0;
  for (const name of names.filter((n) => OUR_PARTIAL.test(n))) {
    const path = join(folder, name);
    try {
      if (options.minAgeMs && (await stat(path)).mtimeMs > cutoff) continue;
      await unlink(path);
      removed++;
    } catch (error) {
      // Gone meanwhile (renamed by its writer, or removed by another clean-up): nothing left to do.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed;
}

export interface OutboxTransport extends MailTransport {
  /** How many half-written mails of an earlier, crashed run were removed when this transport was set up. */
  readonly removedPartials: Promise<number>;
}

/**
 * Writes each mail as an RFC 5322 `.eml` file into `<dir>/<batchDate>/`, byte for byte what SMTP would send. The
 * default transport: nothing leaves the machine, and any mail client opens the files. Writing a mail again
 * replaces its file, so a copy whose outcome is unknown is simply written again.
 *
 * Setting it up removes the `.partial` files a crashed run left behind, before anything is written. A run holds
 * the lock (run-lock.ts), so no other process writes into the folder; `partialMinAgeMs` is for folders
 * that are shared (the web front's, where several server processes may write at once).
 */
export function createOutboxTransport(options: { dir: string; batchDate: ISODate; partialMinAgeMs?: number }): OutboxTransport {
  const folder = join(options.dir, options.batchDate);
  // A failed clean-up must not stop the mails: the leftovers only take disk space, and rename never reads them.
  const removedPartials = removeLeftoverPartials(folder, { minAgeMs: options.partialMinAgeMs }).catch(() => 0);
  let ready: Promise<unknown> | undefined;

  async function write(mail: MailJob): Promise<SendOutcome> {
    const file = join(folder, outboxFileName(mail.subscriberId, mail.to));
    try {
      ready ??= removedPartials.then(() => mkdir(folder, { recursive: true }));
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
    removedPartials,
    async send(mails) {
      return Promise.all(mails.map(write));
    },
    async close() {
      await removedPartials;
    },
  };
}
