import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { loadSqlite } from '../../src/store/sqlite-driver.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { analyzeTable, dialectOf, openDatabase, redactUrl, resolveDatabaseLocation, runMigrations, withStatementCache } from '../../src/store/database.ts';
import { createMigrations } from '../../src/store/migrations.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { createPgDatabase, notePostgresSkipped, PG_URL } from '../support/test-databases.ts';

const MIGRATIONS = Object.keys(createMigrations('sqlite')).sort();
const CORE_TABLES = [
  'batch_papers',
  'batches',
  'deliveries',
  'issue_segments',
  'issues',
  'papers',
  'run_locks',
  'subscriber_topics',
  'subscribers',
  'translations',
];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paperboy-db-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('resolveDatabaseLocation', () => {
  it.each([
    [{ url: 'sqlite:///abs/path/x.db' }, { dialect: 'sqlite', file: '/abs/path/x.db' }],
    [{ url: 'sqlite:///abs/with%20space.db' }, { dialect: 'sqlite', file: '/abs/with space.db' }],
    [{ url: 'sqlite::memory:' }, { dialect: 'sqlite', file: ':memory:' }],
    [{ url: 'file:///abs/path/y.db' }, { dialect: 'sqlite', file: '/abs/path/y.db' }],
    [{ url: 'postgres://u:p@localhost/db' }, { dialect: 'postgres', url: 'postgres://u:p@localhost/db' }],
    [{ url: 'postgresql://localhost/db' }, { dialect: 'postgres', url: 'postgresql://localhost/db' }],
    [{ file: '/abs/z.db' }, { dialect: 'sqlite', file: '/abs/z.db' }],
    [{ url: 'sqlite:///wins.db', file: '/abs/z.db' }, { dialect: 'sqlite', file: '/wins.db' }],
    [{ url: '  ', file: '/abs/z.db' }, { dialect: 'sqlite', file: '/abs/z.db' }],
  ])('%j → %j', (location, expected) => {
    expect(resolveDatabaseLocation(location)).toEqual(expected);
  });

  it('resolves relative paths against the working directory', () => {
    expect(resolveDatabaseLocation({ url: 'sqlite:data/x.db' })).toEqual({
      dialect: 'sqlite',
      file: join(process.cwd(), 'data/x.db'),
    });
    expect(resolveDatabaseLocation({ file: 'subscribers/paperboy.db' })).toEqual({
      dialect: 'sqlite',
      file: join(process.cwd(), 'subscribers/paperboy.db'),
    });
  });

  it.each([
    [{}, /no database given/],
    [{ url: 'mysql://root:secret@host/db' }, /scheme "mysql" is not supported/],
    [{ url: 'sqlite://' }, /names no file/],
  ])('rejects %j', (location, message) => {
    expect(() => resolveDatabaseLocation(location)).toThrow(ConfigError);
    expect(() => resolveDatabaseLocation(location)).toThrow(message);
  });

  it('never echoes a password from an unsupported URL', () => {
    expect(() => resolveDatabaseLocation({ url: 'mysql://root:secret@host/db' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret') }),
    );
  });
});

describe('openDatabase', () => {
  it('creates the parent folder, turns on WAL, foreign keys and a busy timeout, and migrates', async () => {
    const file = join(dir, 'nested', 'deeper', 'paperboy.db');
    const db = await openDatabase({ file });
    try {
      expect((await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db)).rows[0]?.journal_mode).toBe('wal');
      expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows[0]?.foreign_keys).toBe(1);
      expect((await sql<{ timeout: number }>`pragma busy_timeout`.execute(db)).rows[0]?.timeout).toBeGreaterThan(0);
      const tables = await db.introspection.getTables();
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(CORE_TABLES));
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
      expect(applied.rows.map((r) => r.name)).toEqual(MIGRATIONS);
      expect(MIGRATIONS.slice(0, 2)).toEqual(['0001_initial', '0002_delivery']);
      expect(dialectOf(db)).toBe('sqlite');
      await analyzeTable(db, 'deliveries');
    } finally {
      await db.destroy();
    }
  });

  it('opens through a sqlite:/// and a file:// URL, and re-opening keeps the data and runs nothing twice', async () => {
    const file = join(dir, 'p.db');
    const first = await openDatabase({ url: `sqlite://${file}` });
    await first
      .insertInto('batches')
      .values({ batch_date: '2025-11-14', sources: '[]', fetched_at: '2025-11-14T05:00:00.000Z', paper_count: 0 })
      .execute();
    await first.destroy();

    const second = await openDatabase({ url: pathToFileURL(file).href });
    try {
      expect(await second.selectFrom('batches').select('batch_date').execute()).toEqual([{ batch_date: '2025-11-14' }]);
      const applied = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(second);
      expect(applied.rows[0]?.n).toBe(MIGRATIONS.length);
    } finally {
      await second.destroy();
    }
  });

  it('enforces the status check constraint', async () => {
    const db = await openDatabase({ file: join(dir, 'c.db') });
    try {
      const at = '2025-11-14T05:00:00.000Z';
      await expect(
        sql`insert into subscribers (email, name, language, status, source, created_at, updated_at, status_changed_at)
            values ('a@example.org', null, 'bilingual', 'happy', 'test', ${at}, ${at}, ${at})`.execute(db),
      ).rejects.toThrow(/CHECK constraint failed/);
    } finally {
      await db.destroy();
    }
  });

  it('reports a PostgreSQL server it cannot reach as a StoreError that never shows the password', async () => {
    // Port 9 (discard) on the loopback: nothing listens there, so the connection is refused at once.
    const attempt = openDatabase({ url: 'postgres://paperboy:s3cret@127.0.0.1:9/paperboy' });
    await expect(attempt).rejects.toBeInstanceOf(StoreError);
    await expect(attempt).rejects.toThrow(/cannot use the PostgreSQL database postgres:\/\/paperboy:\*\*\*@127\.0\.0\.1:9\/paperboy/);
    await expect(attempt).rejects.toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
  });

  it.each([
    ['postgres://u:pw@host:5432/db', 'postgres://u:***@host:5432/db'],
    ['postgres://host/db', 'postgres://host/db'],
    ['not a url //user:pw@host', 'not a url //***@host'],
  ])('redacts %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });

  it('reports a file that is not a database as a StoreError naming the file', async () => {
    const file = join(dir, 'not-a.db');
    writeFileSync(file, 'this is plain text, not SQLite, and long enough to have a header page '.repeat(20));
    const attempt = openDatabase({ file });
    await expect(attempt).rejects.toBeInstanceOf(StoreError);
    await expect(attempt).rejects.toThrow(file);
  });
});

describe('withStatementCache', () => {
  it('hands a compiled statement out again, keeps at most `size`, and never one that is still being iterated', () => {
    const sqlite = new (loadSqlite())(':memory:');
    try {
      sqlite.exec('create table t (x integer); insert into t values (1), (2), (3)');
      const cached = withStatementCache(sqlite, 2);
      const a = cached.prepare('select x from t order by x');
      expect(cached.prepare('select x from t order by x')).toBe(a);
      const iterating = a.iterate([]);
      iterating.next();
      const other = cached.prepare('select x from t order by x');
      expect(other).not.toBe(a);
      expect(other.all([])).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
      iterating.return?.();
      cached.prepare('select 1');
      cached.prepare('select 2');
      expect(cached.prepare('select x from t order by x')).not.toBe(a);
    } finally {
      sqlite.close();
    }
  });
});

describe('runMigrations', () => {
  function memoryDb() {
    return new Kysely<any>({ dialect: new SqliteDialect({ database: new (loadSqlite())(':memory:') }) });
  }

  it('names the migration that failed and keeps the ones before it', async () => {
    const db = memoryDb();
    try {
      const migrations = {
        '0001_ok': { up: async (k: Kysely<any>) => void (await k.schema.createTable('a').addColumn('x', 'text').execute()) },
        '0002_broken': { up: async (k: Kysely<any>) => void (await sql`create tabel nope (x text)`.execute(k)) },
      };
      const attempt = runMigrations(db, migrations);
      await expect(attempt).rejects.toBeInstanceOf(StoreError);
      await expect(attempt).rejects.toThrow(/database migration 0002_broken failed: .*syntax error/);
      const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
      expect(applied.rows.map((r) => r.name)).toEqual(['0001_ok']);
    } finally {
      await db.destroy();
    }
  });

  it('returns the names it applied, and nothing on a second run', async () => {
    const db = memoryDb();
    try {
      const migrations = {
        '0001_a': { up: async (k: Kysely<any>) => void (await k.schema.createTable('a').addColumn('x', 'text').execute()) },
      };
      expect(await runMigrations(db, migrations)).toEqual(['0001_a']);
      expect(await runMigrations(db, migrations)).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a database migrated by a newer paperboy (a migration it does not know)', async () => {
    const db = memoryDb();
    try {
      const up = async (k: Kysely<any>) => void (await k.schema.createTable('a').addColumn('x', 'text').execute());
      await runMigrations(db, { '0001_a': { up }, '0002_b': { up: async () => {} } });
      await expect(runMigrations(db, { '0001_a': { up } })).rejects.toThrow(/database migrations could not run/);
    } finally {
      await db.destroy();
    }
  });
});

describe.runIf(PG_URL)('openDatabase on PostgreSQL', () => {
  it('creates every table, applies each migration once, and enforces the same constraints', async () => {
    const { url, drop } = await createPgDatabase();
    try {
      const first = await openDatabase({ url });
      await first.destroy();
      const db = await openDatabase({ url });
      try {
        const tables = await db.introspection.getTables();
        expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(CORE_TABLES));
        const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
        expect(applied.rows.map((r) => r.name)).toEqual(MIGRATIONS);
        expect(dialectOf(db)).toBe('postgres');
        await analyzeTable(db, 'deliveries');
        const analyzed = await sql<{ n: number }>`select count(*) as n from pg_stat_user_tables where relname = 'deliveries' and last_analyze is not null`.execute(db);
        expect(Number(analyzed.rows[0]?.n)).toBe(1);
        const at = '2025-11-14T05:00:00.000Z';
        await expect(
          sql`insert into subscribers (email, name, language, status, source, created_at, updated_at, status_changed_at)
              values ('a@example.org', null, 'bilingual', 'happy', 'test', ${at}, ${at}, ${at})`.execute(db),
        ).rejects.toThrow(/check constraint/);
      } finally {
        await db.destroy();
      }
    } finally {
      await drop();
    }
  });
});

notePostgresSkipped('store/database');
