import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ISODate } from '../types.ts';
import { PID_SPACE, provablyGone } from './run-lock.ts';
import type { MailJob, MailTransport, SendOutcome } from './transport.ts';

/** A file name that sorts by reader and never contains anything a shell or a file system dislikes. */
export function outboxFileName(subscriberId: number, email: string): string {
  const safe = email.toLowerCase().replace(/@/g, '_at_').replace(/[^a-z0-9._-]+/g, '_').slice(0, 80);
  return `${String(subscriberId).padStart(6, '0')}-${safe}.eml`;
}

/**
 * What `write` below names a half-written mail: `<outboxFileName>.<pid>@<host>+<pid space>.partial`, its writer in
 * the name (the pid space of run-lock.ts, left out where unknown).
 * Several processes may write into one day's folder (runs sharing an issue on PostgreSQL, `serve` processes, a
 * folder on a network share), so a starting transport must tell a crash's leftover from another writer's file in
 * progress. `@` appears neither in outbox file names nor in a sanitised host name, so the tag parses back.
 */
const TAGGED_PARTIAL = /^\d{6,}-[a-z0-9._-]*\.eml\.(\d+)@([a-z0-9.-]+)(?:\+([0-9a-f]{8}))?\.partial$/;
/** The untagged name earlier versions wrote: `<outboxFileName>.partial`. Nothing else is touched. */
const UNTAGGED_PARTIAL = /^\d{6,}-[a-z0-9._-]*\.eml\.partial$/;

/**
 * How long a half-written mail whose writer may still be alive is kept: writing one takes milliseconds, so an hour
 * is a crash (or a pid since reused), never a write in progress, even on a slow network folder.
 */
const PARTIAL_STALE_MS = 60 * 60_000;

/** A host name as a partial's tag carries it. */
function partialHostOf(host: string): string {
  return host.toLowerCase().replace(/[^a-z0-9.-]+/g, '-') || 'host';
}

/** The name a mail's file has while it is written: `<file>.<pid>@<host>+<space>.partial`, by default this process's. */
export function partialFileName(
  file: string,
  writer: { pid: number; host: string; space?: string } = { pid: process.pid, host: hostname(), space: PID_SPACE },
): string {
  return `${file}.${writer.pid}@${partialHostOf(writer.host)}${writer.space ? `+${writer.space}` : ''}.partial`;
}

/**
 * Whether the writer named in a partial's file name is provably gone: a process of this machine that no longer
 * exists (run-lock.ts's rule for leases). Untagged names, other machines' and this process's own are not.
 */
function writerProvablyDead(name: string, isAlive: ((pid: number) => boolean) | undefined): boolean {
  const tag = TAGGED_PARTIAL.exec(name);
  // The tag carries the host name as partialHostOf wrote it: compared so, it is this host's.
  if (!tag || tag[2] !== partialHostOf(hostname())) return false;
  return provablyGone({ host: hostname(), pid: Number(tag[1]), space: tag[3] }, isAlive);
}

/**
 * Deletes the half-written mails (`….eml.<pid>@<host>.partial`, or the untagged `….eml.partial` of earlier
 * versions) that no live process is writing, and returns how many: those whose writer is provably dead (a process
 * of this machine that no longer exists) at once, any other once older than `minAgeMs` (default an hour: a
 * process of another machine sharing the folder is not known dead, and a write takes milliseconds). A missing
 * folder has none.
 */
export async function removeLeftoverPartials(
  folder: string,
  options: { minAgeMs?: number | undefined; now?: Date; isProcessAlive?: (pid: number) => boolean } = {},
): Promise<number> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const cutoff = (options.now ?? new Date()).getTime() - (options.minAgeMs ?? PARTIAL_STALE_MS);
  let removed = 0;
  for (const name of names.filter((n) => TAGGED_PARTIAL.test(n) || UNTAGGED_PARTIAL.test(n))) {
    const path = join(folder, name);
    try {
      if (!writerProvablyDead(name, options.isProcessAlive) && (await stat(path)).mtimeMs > cutoff) continue;
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
 * Each mail is written as `<file>.<pid>@<host>.partial` and then renamed. Setting the transport up removes the
 * `.partial` files a crashed writer left behind, before anything is written, and only those (removeLeftoverPartials):
 * other processes may be writing into the same folder at that moment (runs sharing an issue on PostgreSQL, the web
 * front's `serve` processes). `partialMinAgeMs` is how old a partial whose writer is not provably gone must be to
 * count as left over (default an hour; the web front uses a minute).
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
      const partial = partialFileName(file);
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
