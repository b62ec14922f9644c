import type { Kysely } from 'kysely';
import { loadConfig, holidaysOf } from '../config/load-config.ts';
import { readDatabaseUrl } from '../config/env.ts';
import type { PaperboyConfig } from '../config/schema.ts';
import { describeNewSecret, resolveSigningSecret } from '../config/signing-secret.ts';
import { createLogger } from '../log/create-logger.ts';
import { isLevelShown, resolveLogLevel, type Logger, type StatusLine } from '../log/logger.ts';
import { openDatabase, redactUrl, resolveDatabaseLocation, type ResolvedLocation } from '../store/database.ts';
import type { Database } from '../store/schema.ts';

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  db?: string;
  /** Warnings and errors only. */
  quiet?: boolean;
  /** Debug records too. */
  verbose?: boolean;
}

/** What a command writes to: injected so tests can capture output without touching process streams. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  isTTY: boolean;
  /** The terminal's status line for progress bars; absent when stderr is no terminal. */
  status?: StatusLine | undefined;
}

export interface CommandContext {
  config: PaperboyConfig;
  holidays: Set<string>;
  db: Kysely<Database>;
  /** Where the database is: the signing secret of a SQLite installation lives beside it. */
  database: ResolvedLocation;
  /** Without a status line under --quiet: progress is not a warning. */
  io: CliIO;
  /** Diagnostics at the level of --quiet, --verbose or LOG_LEVEL: human lines on a terminal, JSON lines otherwise. */
  log: Logger;
}

/**
 * Loads the config and opens the database: --db, then DATABASE_URL, then database.file. The config's warnings (an
 * http publicBaseUrl, a topic that takes every paper) are logged only for `show.configWarnings`: the commands that
 * send or serve, where they matter; read-only commands would repeat them at every call.
 */
export async function openContext(options: GlobalOptions, io: CliIO, show: { configWarnings?: boolean } = {}): Promise<CommandContext> {
  const level = resolveLogLevel(options, io.env);
  const log = createLogger({ level, format: io.isTTY ? 'human' : 'json', write: io.err, now: io.now });
  const { config, warnings, file } = loadConfig(options.config, io.env);
  if (show.configWarnings) for (const warning of warnings) log.warn(warning);
  const url = options.db ? undefined : readDatabaseUrl(io.env);
  const database = resolveDatabaseLocation(url ? { url } : { file: options.db ?? config.database.file });
  const db = await openDatabase(database.dialect === 'postgres' ? { url: database.url } : { file: database.file });
  log.debug(`config ${file ?? '(none: the defaults)'}, database ${database.dialect === 'postgres' ? redactUrl(database.url) : database.file}`);
  const status = isLevelShown(level, 'info') ? io.status : undefined;
  return { config, holidays: holidaysOf(config), db, database, io: { ...io, status }, log };
}

/** The key that signs links (PAPERBOY_SECRET, else the one kept beside the database); says so when it made one. */
export function signingSecretOf({ io, database, log }: CommandContext): string {
  const { secret, source } = resolveSigningSecret(io.env, database);
  const note = describeNewSecret(source);
  if (note) log.warn(note);
  return secret;
}

export async function withContext<T>(
  options: GlobalOptions,
  io: CliIO,
  work: (context: CommandContext) => Promise<T>,
  show: { configWarnings?: boolean } = {},
): Promise<T> {
  const context = await openContext(options, io, show);
  try {
    return await work(context);
  } finally {
    await context.db.destroy();
  }
}
