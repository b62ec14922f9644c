import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

// A lock is one row in `run_locks`, so it works wherever the database is shared: several processes on one machine
// (SQLite file, PostgreSQL) or several machines (PostgreSQL). Each statement below is a single compare-and-set, so
// two runs racing for a free or expired lock cannot both win. The holder renews `expires_at` while it runs; a
// holder that died stops renewing and its lock is taken over once it has expired.

/**
 * The lease of one sender of an issue (several senders share an issue on PostgreSQL): held while it sends, and what
 * tells the others whether its `sending` rows (deliveries.claimed_by = owner) are still its own.
 */
export function senderLeaseName(batchDate: string, owner: string): string {
  return `sender:${batchDate}:${owner}`;
}

export interface LockHolder {
  owner: string;
  acquiredAt: string;
  heartbeatAt: string;
  expiresAt: string;
}

export type LockAttempt = { acquired: true } | { acquired: false; holder: LockHolder | null };

export interface LockTiming {
  now: Date;
  /** How long the lock stays valid without a renewal. */
  ttlMs: number;
}

const expiry = (t: LockTiming) => new Date(t.now.getTime() + t.ttlMs).toISOString();

/**
 * Takes the lock `name` for `owner` when it is free, expired, already held by `owner`, or held by `deadOwner`
 * (a holder the caller has proved dead, e.g. a process of this machine that no longer exists).
 */
export async function tryAcquireLock(
  db: Kysely<Database>,
  name: string,
  owner: string,
  timing: LockTiming & { deadOwner?: string | undefined },
): Promise<LockAttempt> {
  const at = timing.now.toISOString();
  const inserted = await db
    .insertInto('run_locks')
    .values({ name, owner, acquired_at: at, heartbeat_at: at, expires_at: expiry(timing) })
    .onConflict((oc) => oc.column('name').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return { acquired: true };

  const taken = await db
    .updateTable('run_locks')
    .set({ owner, acquired_at: at, heartbeat_at: at, expires_at: expiry(timing) })
    .where('name', '=', name)
    .where((eb) => {
      const ors = [eb('expires_at', '<', at), eb('owner', '=', owner)];
      if (timing.deadOwner !== undefined) ors.push(eb('owner', '=', timing.deadOwner));
      return eb.or(ors);
    })
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) > 0) return { acquired: true };
  return { acquired: false, holder: await readLock(db, name) };
}

/** Extends a lock still held by `owner`; false when it was lost (expired and taken over by another run). */
export async function renewLock(db: Kysely<Database>, name: string, owner: string, timing: LockTiming): Promise<boolean> {
  const result = await db
    .updateTable('run_locks')
    .set({ heartbeat_at: timing.now.toISOString(), expires_at: expiry(timing) })
    .where('name', '=', name)
    .where('owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Gives a lock up; a lock `owner` no longer holds is left alone. */
export async function releaseLock(db: Kysely<Database>, name: string, owner: string): Promise<boolean> {
  const result = await db.deleteFrom('run_locks').where('name', '=', name).where('owner', '=', owner).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function readLock(db: Kysely<Database>, name: string): Promise<LockHolder | null> {
  const row = await db.selectFrom('run_locks').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) return null;
  return { owner: row.owner, acquiredAt: row.acquired_at, heartbeatAt: row.heartbeat_at, expiresAt: row.expires_at };
}
