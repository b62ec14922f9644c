import type { Kysely } from 'kysely';
import { loadConfig, holidaysOf } from '../config/load-config.ts';
import { readDatabaseUrl } from '../config/env.ts';
import type { PaperboyConfig } from '../config/schema.ts';
import { describeNewSecret, resolveSigningSecret } from '../config/signing-secret.ts';
import { openDatabase, resolveDatabaseLocation, type ResolvedLocation } from '../store/database.ts';
import type { Database } from '../store/schema.ts';

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  db?: string;
}

/** What a command writes to: injected so tests can capture output without touching process streams. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  isTTY: boolean;
}

export interface CommandContext {
  config: PaperboyConfig;
  holidays: Set<string>;
  db: Kysely<Database>;
  /** Where the database is: the signing secret of a SQLite installation lives beside it. */
  database: ResolvedLocation;
  io: CliIO;
}

/** Loads the config (warnings go to stderr) and opens the database: --db, then DATABASE_URL, then database.file. */
export async function openContext(options: GlobalOptions, io: CliIO): Promise<CommandContext> {
  const { config, warnings } = loadConfig(options.config, io.env);
  for (const warning of warnings) io.err(`warning: ${warning}`);
  const url = options.db ? undefined : readDatabaseUrl(io.env);
  const database = resolveDatabaseLocation(url ? { url } : { file: options.db ?? config.database.file });
  const db = await openDatabase(database.dialect === 'postgres' ? { url: database.url } : { file: database.file });
  return { config, holidays: holidaysOf(config), db, database, io };
}

/** The key that signs links (PAPERBOY_SECRET, else the one kept beside the database); says so when it made one. */
export function signingSecretOf({ io, database }: CommandContext): string {
  const { secret, source } = resolveSigningSecret(io.env, database);
  const note = describeNewSecret(source);
  if (note) io.err(note);
  return secret;
}

export async function withContext<T>(
  options: GlobalOptions,
  io: CliIO,
  work: (context: CommandContext) => Promise<T>,
): Promise<T> {
  const context = await openContext(options, io);
  try {
    return await work(context);
  } finally {
    await context.db.destroy();
  }
}
