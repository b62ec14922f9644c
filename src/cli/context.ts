import type { Kysely } from 'kysely';
import { loadConfig, holidaysOf } from '../config/load-config.ts';
import { readDatabaseUrl } from '../config/env.ts';
import type { PaperboyConfig } from '../config/schema.ts';
import { openDatabase } from '../store/database.ts';
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
  io: CliIO;
}

/** Loads the config (warnings go to stderr) and opens the database: --db, then DATABASE_URL, then database.file. */
export async function openContext(options: GlobalOptions, io: CliIO): Promise<CommandContext> {
  const { config, warnings } = loadConfig(options.config, io.env);
  for (const warning of warnings) io.err(`warning: ${warning}`);
  const url = options.db ? undefined : readDatabaseUrl(io.env);
  const db = await openDatabase(url ? { url } : { file: options.db ?? config.database.file });
  return { config, holidays: holidaysOf(config), db, io };
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
