import { readFile } from 'node:fs/promises';
import { EXIT, UsageError, type ExitCode } from '../../errors.ts';
import { parseSubscriberCsv } from '../../subscribers/parse-subscriber-csv.ts';
import { listSubscribers, upsertSubscribers } from '../../store/subscribers.ts';
import { type CliIO, type GlobalOptions, withContext } from '../context.ts';
import type { SubscriberStatus } from '../../types.ts';

export async function importSubscribersCommand(file: string, options: GlobalOptions, io: CliIO): Promise<ExitCode> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return withContext(options, io, async ({ config, db }) => {
    const { rows, problems } = parseSubscriberCsv(text, config.domains.map((d) => d.id));
    const counts = await upsertSubscribers(db, rows, io.now());
    for (const p of problems) io.err(`${file}:${p.line}: ${p.email ? `${p.email}: ` : ''}${p.message}`);
    io.out(
      `imported ${file}: ${counts.added} added, ${counts.updated} updated, ${counts.unchanged} unchanged, ` +
        `${counts.suppressed} not re-subscribed (they unsubscribed or bounced), ${problems.length} bad rows skipped`,
    );
    return problems.length > 0 ? EXIT.partial : EXIT.ok;
  });
}

const STATUSES: SubscriberStatus[] = ['pending', 'active', 'unsubscribed', 'bounced', 'complained'];

export async function listSubscribersCommand(
  options: GlobalOptions & { json?: boolean; status?: string },
  io: CliIO,
): Promise<ExitCode> {
  const status = options.status as SubscriberStatus | undefined;
  if (status && !STATUSES.includes(status)) {
    throw new UsageError(`--status ${JSON.stringify(options.status)} is not one of ${STATUSES.join(', ')}`);
  }
  return withContext(options, io, async ({ db }) => {
    const subscribers = await listSubscribers(db, status ? { status } : {});
    if (options.json) {
      io.out(JSON.stringify(subscribers, null, 2));
      return EXIT.ok;
    }
    if (subscribers.length === 0) {
      io.out('no subscribers yet: import some with `paperboy subscribers import <csv>`');
      return EXIT.ok;
    }
    const width = Math.max(...subscribers.map((s) => s.email.length));
    for (const s of subscribers) {
      io.out(`${String(s.id).padStart(5)}  ${s.email.padEnd(width)}  ${s.status.padEnd(12)}  ${s.language.padEnd(9)}  ${s.topics.join(';')}`);
    }
    io.out(`${subscribers.length} subscriber${subscribers.length === 1 ? '' : 's'}`);
    return EXIT.ok;
  });
}
