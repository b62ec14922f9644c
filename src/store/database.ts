import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type Migration, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { ConfigError } from '../errors.ts';
import type { DialectName } from './dialect.ts';
import { createMigrations } from './migrations.ts';
import type { Database } from './schema.ts';
import { loadSqlite } from './sqlite-driver.ts';
import { StoreError } from './store-error.ts';

export interface DatabaseLocation {
  /** `sqlite:///abs/path.db`, `sqlite:rel.db`, `file:///abs/path.db`, `file:rel.db` or `postgres://…`; wins over `file`. */
  url?: string | undefined;
  /** A SQLite file path (relative to the working directory) or `:memory:`. */
  file?: string | undefined;
}

export type ResolvedLocation = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

const MEMORY = ':memory:';
/** How long a writer waits for another process's lock (the web server and a run share the file). */
const BUSY_TIMEOUT_MS = 5000;

function sqlitePath(path: string): string {
  return path === MEMORY ? MEMORY : resolve(path);
}

/** Turns a database URL or file into a dialect and a target, without touching the file system. */
export function resolveDatabaseLocation(location: DatabaseLocation): ResolvedLocation {
  const url = location.url?.trim();
  if (url) {
    if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url };
    if (/^sqlite:/i.test(url)) {
      // `sqlite:///abs/x.db` → `/abs/x.db`; `sqlite://x.db` and `sqlite:x.db` → `x.db`; `sqlite::memory:`.
      const rest = url.slice('sqlite:'.length).replace(/^\/\//, '');
      if (!rest) throw new ConfigError(`database URL "${url}" names no file (expected sqlite:///absolute/path.db)`);
      return { dialect: 'sqlite', file: sqlitePath(safeDecode(rest)) };
    }
    if (/^file:/i.test(url)) {
      if (/^file:\/\//i.test(url)) {
        try {
          return { dialect: 'sqlite', file: fileURLToPath(url) };
        } catch (error) {
          throw new ConfigError(`database URL "${url}" is not a usable file URL (expected file:///absolute/path.db)`, [], {
            cause: error,
          });
        }
      }
      const rest = url.slice('file:'.length);
      if (!rest) throw new ConfigError(`database URL "${url}" names no file`);
      return { dialect: 'sqlite', file: sqlitePath(safeDecode(rest)) };
    }
    // Only the scheme is echoed: the rest of a URL may hold a password.
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    throw new ConfigError(
      `database URL scheme "${scheme ?? url}" is not supported: use sqlite:///absolute/path.db, file:path.db or postgres://…`,
    );
  }
  const file = location.file?.trim();
  if (file) return { dialect: 'sqlite', file: sqlitePath(file) };
  throw new ConfigError('no database given: set a database URL (DATABASE_URL) or a SQLite file path');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Opens (creating if needed) the store and brings its schema up to date. The caller owns the handle and
 * closes it with `db.destroy()`.
 */
export async function openDatabase(location: DatabaseLocation): Promise<Kysely<Database>> {
  const target = resolveDatabaseLocation(location);
  const db =
    target.dialect === 'postgres'
      ? new Kysely<Database>({ dialect: new PostgresDialect({ pool: openPostgresPool(target.url) }) })
      : new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(openSqlite(target.file)) }) });
  try {
    await runMigrations(db, createMigrations(target.dialect));
  } catch (error) {
    await db.destroy();
    if (target.dialect === 'postgres') {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreError(`cannot use the PostgreSQL database ${redactUrl(target.url)}: ${reason}`, { cause: error });
    }
    throw error;
  }
  return db;
}

/** Connections a run keeps open: the ledger writes of two batches in flight, a lock heartbeat and a reader page. */
const PG_POOL_SIZE = 6;

function openPostgresPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: PG_POOL_SIZE });
  // An idle client that loses its server (restart, network) emits 'error' on the pool; without a listener that
  // would crash the process instead of failing the next query.
  pool.on('error', () => {});
  return pool;
}

/** A URL fit for a message: the password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

function openSqlite(file: string): BetterSqlite3.Database {
  const Sqlite = loadSqlite();
  let sqlite: BetterSqlite3.Database | undefined;
  try {
    if (file !== MEMORY) mkdirSync(dirname(file), { recursive: true });
    sqlite = new Sqlite(file);
    // WAL lets the web server read while a run writes; NORMAL sync is durable across crashes of the process.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return sqlite;
  } catch (error) {
    sqlite?.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError(`cannot open the SQLite database ${file}: ${reason}`, { cause: error });
  }
}

/** Which database a handle talks to. */
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Refreshes the planner's statistics of a table after a bulk write. PostgreSQL plans a fresh 100,000-row table
 * from no statistics and may then scan every row of the issue to claim 16 of them (55 ms instead of 0.6 ms per
 * claim); autovacuum would only analyze it later. SQLite's plans do not depend on statistics here.
 */
export async function analyzeTable(db: Kysely<any>, table: string): Promise<void> {
  if (dialectOf(db) === 'postgres') await sql`analyze ${sql.table(table)}`.execute(db);
}

/** Compiled statements kept per SQLite handle. */
const STATEMENT_CACHE = 256;

/**
 * Kysely asks better-sqlite3 to prepare every query anew, and compiling is a good part of a small query's cost. A
 * run repeats the same few statements per batch of mails, so compiled statements are kept (least recently used
 * first out). A statement still being iterated is never handed out twice.
 */
export function withStatementCache(sqlite: BetterSqlite3.Database, size = STATEMENT_CACHE): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      const cached = cache.get(sql);
      if (cached && !cached.busy) {
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      if (!cached) {
        cache.set(sql, statement);
        if (cache.size > size) cache.delete(cache.keys().next().value as string);
      }
      return statement;
    },
  };
}

/** Runs every migration not yet applied, in name order; a failure names the migration. */
export async function runMigrations(db: Kysely<any>, migrations: Record<string, Migration>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const reason = error instanceof Error ? error.message : String(error);
    const failed = results?.find((r) => r.status === 'Error');
    throw new StoreError(
      failed
        ? `database migration ${failed.migrationName} failed: ${reason}`
        : `database migrations could not run: ${reason}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
