import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import { FAST_LANE } from './lanes.ts';

// The one database set-up of the store-backed suites (store/, deliver/ and the crash drills): they run on SQLite
// always and on PostgreSQL when TEST_DATABASE_URL names a server (CI: postgres://postgres@127.0.0.1:5432/test).
// Each test file gets its own PostgreSQL database, created from that URL and dropped at the end; between tests it
// is emptied, so ids start at 1 again as on a fresh SQLite file. `npm run test:fast` leaves PostgreSQL out
// even when TEST_DATABASE_URL is set (lanes.ts); `npm test` runs it.

export type Dialect = 'sqlite' | 'postgres';

export const PG_URL = FAST_LANE ? undefined : process.env.TEST_DATABASE_URL?.trim() || undefined;
export const DIALECTS: Dialect[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

const PG_SKIP_NOTE = FAST_LANE
  ? 'PostgreSQL variant SKIPPED in test:fast: npm test runs it when TEST_DATABASE_URL is set'
  : 'PostgreSQL variant SKIPPED: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run it';

/** Makes the missing PostgreSQL run visible: a skipped test named after what to set, and one line on stderr. */
export function notePostgresSkipped(suite: string): void {
  if (PG_URL) return;
  describe.skip(`${suite} on postgres`, () => {
    it(PG_SKIP_NOTE, () => {});
  });
  process.stderr.write(`${suite}: ${PG_SKIP_NOTE}\n`);
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty PostgreSQL database: its URL and how to drop it. */
export async function createPgDatabase(prefix = 'paperboy_test'): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!PG_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database "${name}"`));
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  };
}

export interface TestDatabase {
  readonly db: Kysely<Database>;
  /** What `openDatabase({ url })` (or DATABASE_URL) needs to reach the same database. */
  readonly url: string;
  readonly dialect: Dialect;
}

/** Registers the hooks that give every test of the enclosing suite a fresh, migrated database. */
export function useTestDatabase(dialect: Dialect): TestDatabase {
  let db: Kysely<Database> | undefined;
  let url = '';
  const handle: TestDatabase = {
    get db() {
      if (!db) throw new Error('the test database is not open (used outside a test?)');
      return db;
    },
    get url() {
      return url;
    },
    dialect,
  };

  if (dialect === 'sqlite') {
    let dir = '';
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'paperboy-store-'));
      url = `sqlite://${join(dir, 'store.db')}`;
      db = await openDatabase({ url });
    });
    afterEach(async () => {
      await db?.destroy();
      db = undefined;
      rmSync(dir, { recursive: true, force: true });
    });
    return handle;
  }

  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const created = await createPgDatabase();
    drop = created.drop;
    url = created.url;
    db = await openDatabase({ url });
  });
  beforeEach(async () => {
    const tables = await sql<{ tablename: string }>`
      select tablename from pg_tables where schemaname = current_schema() and tablename not like 'kysely_migration%'`.execute(db!);
    const list = tables.rows.map((t) => `"${t.tablename}"`).join(', ');
    if (list) await sql.raw(`truncate ${list} restart identity cascade`).execute(db!);
  });
  afterAll(async () => {
    await db?.destroy();
    db = undefined;
    await drop?.();
  });
  return handle;
}

/**
 * A store-backed suite: `body` runs once per dialect (inside a describe named after it), every test of it on a
 * fresh, migrated database (`store.db` inside a test), and a PostgreSQL run left out shows as a skipped test named
 * after `suite`.
 */
export function describeStore(suite: string, body: (store: TestDatabase) => void): void {
  describe.each(DIALECTS)('%s', (dialect) => {
    body(useTestDatabase(dialect));
  });
  notePostgresSkipped(suite);
}

