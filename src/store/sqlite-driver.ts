import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { StoreError } from './store-error.ts';

/**
 * Which better-sqlite3 this Node loads. Two majors are installed side by side because neither serves every Node
 * paperboy supports:
 *
 * - 12.x derives its Database and Statement from `node::ObjectWrap`. Since Node 24.19, ObjectWrap's destructor
 *   removes an environment cleanup hook and asserts that a V8 context is entered; a Statement finalised by an idle
 *   GC or at exit then aborts the process (`Assertion failed: (env) != nullptr`, exit 134; WiseLibs/better-sqlite3
 *   #1515 was closed without a fix). Explicit `close()` does not help: Kysely's finished statements are garbage.
 * - 13.x moved to node-addon-api, which has no such hook, and ships prebuilt N-API binaries (no compiler, no
 *   download at install); but it requires Node ≥ 22 and segfaults when Node 20 loads it.
 *
 * So Node ≥ 22 loads 13.x (the `better-sqlite3-napi` alias) and Node 20 loads 12.x (an optional dependency, built
 * from source where no prebuilt binary fits). Both have the same JavaScript API.
 */
export type SqliteConstructor = typeof BetterSqlite3;

const NAPI_MIN_NODE_MAJOR = 22;

export function sqlitePackageFor(nodeVersion: string): 'better-sqlite3' | 'better-sqlite3-napi' {
  const major = Number(nodeVersion.replace(/^v/, '').split('.')[0]);
  return major >= NAPI_MIN_NODE_MAJOR ? 'better-sqlite3-napi' : 'better-sqlite3';
}

let loaded: SqliteConstructor | undefined;

/** The better-sqlite3 constructor for the running Node, loaded once. */
export function loadSqlite(): SqliteConstructor {
  if (loaded) return loaded;
  const name = sqlitePackageFor(process.version);
  try {
    loaded = createRequire(import.meta.url)(name) as SqliteConstructor;
    return loaded;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new StoreError(
      `cannot load SQLite (${name}) on Node ${process.version}: ${reason}. ` +
        (name === 'better-sqlite3'
          ? 'On Node 20 better-sqlite3 12 is compiled at install (python3, make and a C++ compiler); run `npm rebuild better-sqlite3`, or use Node 22 or later.'
          : 'Reinstall paperboy (`npm ci`) so its prebuilt SQLite binary is in place.'),
      { cause: error },
    );
  }
}
