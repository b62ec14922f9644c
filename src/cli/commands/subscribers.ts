import { readFile } from 'node:fs/promises';
import { EXIT, UsageError, type ExitCode } from '../../errors.ts';
import { escapeForTerminal } from '../../hidden-characters.ts';
import { decodeCsvBytes } from '../../subscribers/decode-csv-bytes.ts';
import { parseSubscriberCsv } from '../../subscribers/parse-subscriber-csv.ts';
import { readInterests } from '../../store/reader-interests.ts';
import { listSubscribers, upsertSubscribers } from '../../store/subscribers.ts';
import { type CliIO, type GlobalOptions, withContext } from '../context.ts';
import type { ReaderInterests, SubscriberStatus } from '../../types.ts';

export async function importSubscribersCommand(file: string, options: GlobalOptions, io: CliIO): Promise<ExitCode> {
  // Everything from the file (and its name) is shown escaped: a row must not be able to drive the terminal.
  const shownFile = escapeForTerminal(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UsageError(`cannot read ${shownFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const decoded = decodeCsvBytes(bytes, file);
  if (!decoded.ok) throw new UsageError(escapeForTerminal(`${file} ${decoded.message}; nothing was imported`));
  const { text } = decoded;
  return withContext(options, io, async ({ config, db }) => {
    const { rows, problems } = parseSubscriberCsv(text, config.domains.map((d) => d.id));
    const counts = await upsertSubscribers(db, rows, io.now());
    for (const p of problems) io.err(escapeForTerminal(`${file}:${p.line}: ${p.email ? `${p.email}: ` : ''}${p.message}`));
    io.out(
      `imported ${shownFile}: ${counts.added} added, ${counts.updated} updated, ${counts.unchanged} unchanged, ` +
        `${counts.suppressed} not re-subscribed (they unsubscribed or bounced), ${problems.length} bad rows skipped`,
    );
    return problems.length > 0 ? EXIT.partial : EXIT.ok;
  });
}

const STATUSES: SubscriberStatus[] = ['pending', 'active', 'unsubscribed', 'bounced', 'complained'];

/** "keywords: RAG; diffusion, authors: Percy Liang" — the lists a reader has, values escaped for the terminal. */
function describeInterests(interests: ReaderInterests): string {
  const lists: Array<[string, string[]]> = [
    ['keywords', interests.keywords],
    ['exclude', interests.exclude],
    ['authors', interests.authors],
  ];
  return lists
    .filter(([, values]) => values.length > 0)
    .map(([kind, values]) => `${kind}: ${values.map((v) => escapeForTerminal(v)).join('; ')}`)
    .join(', ');
}

export async function listSubscribersCommand(
  options: GlobalOptions & { json?: boolean; status?: string },
  io: CliIO,
): Promise<ExitCode> {
  const status = options.status as SubscriberStatus | undefined;
  if (status && !STATUSES.includes(status)) {
    throw new UsageError(`--status "${escapeForTerminal(options.status ?? '')}" is not one of ${STATUSES.join(', ')}`);
  }
  return withContext(options, io, async ({ db }) => {
    const listed = await listSubscribers(db, status ? { status } : {});
    const interests = await readInterests(db, listed.map((s) => s.id));
    // Every reader's frequency is spelt out (`daily` or `weekly`), in the table and in --json alike.
    const subscribers = listed.map((s) => ({
      ...s,
      frequency: s.frequency ?? 'daily',
      ...(interests.has(s.id) ? { interests: interests.get(s.id) } : {}),
    }));
    if (options.json) {
      io.out(JSON.stringify(subscribers, null, 2));
      return EXIT.ok;
    }
    if (subscribers.length === 0) {
      io.out('no subscribers yet: import some with `paperboy subscribers import <csv>`');
      return EXIT.ok;
    }
    const width = Math.max(...subscribers.map((s) => escapeForTerminal(s.email).length));
    for (const s of subscribers) {
      // Addresses stored before the address rule (validate-address.ts) may hold anything: shown escaped.
      const own = s.interests ? `  (${describeInterests(s.interests)})` : '';
      io.out(`${String(s.id).padStart(5)}  ${escapeForTerminal(s.email).padEnd(width)}  ${s.status.padEnd(12)}  ${s.language.padEnd(9)}  ${s.frequency.padEnd(6)}  ${s.topics.join(';')}${own}`);
    }
    io.out(`${subscribers.length} subscriber${subscribers.length === 1 ? '' : 's'}`);
    return EXIT.ok;
  });
}
