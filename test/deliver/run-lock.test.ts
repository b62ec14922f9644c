import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { acquireRunLock, LockBusyError, ownerId, PID_SPACE, provablyDead } from '../../src/deliver/run-lock.ts';
import { readLock } from '../../src/store/run-locks.ts';
import type { Database } from '../../src/store/schema.ts';
import { describeStore } from '../support/test-databases.ts';

let db: Kysely<Database>;
const NAME = 'issue:2025-11-14';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function plantLock(owner: string, expiresInMs: number) {
  const now = new Date();
  await db
    .insertInto('run_locks')
    .values({
      name: NAME,
      owner,
      acquired_at: now.toISOString(),
      heartbeat_at: now.toISOString(),
      expires_at: new Date(now.getTime() + expiresInMs).toISOString(),
    })
    .execute();
}

describeStore('deliver/run-lock', (store) => {
  beforeEach(() => {
    db = store.db;
  });

  describe('acquireRunLock', () => {
    it('lets one run in; a second gives up at once with a message naming the holder, or waits for it', async () => {
      const first = await acquireRunLock(db, NAME, { ttlMs: 5000, waitMs: 0 });
      expect((await readLock(db, NAME))?.owner).toBe(first.owner);
      const refused = acquireRunLock(db, NAME, { ttlMs: 5000, waitMs: 0 });
      await expect(refused).rejects.toBeInstanceOf(LockBusyError);
      await expect(refused).rejects.toThrow(
        new RegExp(`the run of process ${process.pid} on ${hostname()} .* is already sending this issue .*--wait`),
      );
      const logs: string[] = [];
      const waiting = acquireRunLock(db, NAME, { ttlMs: 5000, waitMs: 5000, log: (l) => logs.push(l) });
      await sleep(150);
      await first.release();
      const second = await waiting;
      expect(logs[0]).toMatch(/^waiting up to 5 s for the run of process/);
      expect(second.lost()).toBeNull();
      await second.release();
      expect(await readLock(db, NAME)).toBeNull();
    });

    it('keeps the lock alive with heartbeats past its timeout', async () => {
      const held = await acquireRunLock(db, NAME, { ttlMs: 150, waitMs: 0 });
      await sleep(450);
      await expect(acquireRunLock(db, NAME, { ttlMs: 150, waitMs: 0 })).rejects.toBeInstanceOf(LockBusyError);
      expect(held.lost()).toBeNull();
      await held.release();
    });

    it('takes over a lock whose holder stopped renewing it, once it lapses', async () => {
      await plantLock('elsewhere.example/4242/abcd', 200);
      await expect(acquireRunLock(db, NAME, { ttlMs: 5000, waitMs: 0 })).rejects.toBeInstanceOf(LockBusyError);
      const logs: string[] = [];
      const held = await acquireRunLock(db, NAME, { ttlMs: 5000, waitMs: 3000, log: (l) => logs.push(l) });
      expect(logs.at(-1)).toMatch(/took over the lock of issue:2025-11-14 from the run of process 4242 on elsewhere\.example/);
      await held.release();
    });

    it('takes over at once from a process of this machine that is gone', async () => {
      await plantLock(`${hostname()}/999999/dead`, 60_000);
      const held = await acquireRunLock(db, NAME, { ttlMs: 5000, waitMs: 0, isProcessAlive: (pid) => pid !== 999_999 });
      expect((await readLock(db, NAME))?.owner).toBe(held.owner);
      await held.release();
      // A live process of this machine is waited for like any other holder.
      await plantLock(`${hostname()}/999998/alive`, 60_000);
      await expect(acquireRunLock(db, NAME, { ttlMs: 5000, waitMs: 0, isProcessAlive: () => true })).rejects.toBeInstanceOf(LockBusyError);
    });

    it('waits out the lease of a process of another pid space under the same hostname (a clone, a container), whose pid says nothing here', async () => {
      const elsewhere = PID_SPACE === '0badf00d' ? '0badf00e' : '0badf00d';
      await plantLock(`${hostname()}/999999/dead/${elsewhere}`, 60_000);
      await expect(acquireRunLock(db, NAME, { ttlMs: 5000, waitMs: 0, isProcessAlive: () => false })).rejects.toBeInstanceOf(LockBusyError);
    });
  });

  describe('provablyDead', () => {
    const gone = () => false;
    it('is true only for a process of this host and pid space that no longer exists', () => {
      expect(PID_SPACE).toMatch(/^[0-9a-f]{8}$/); // Linux: /proc says which boot and pid namespace this is.
      expect(ownerId()).toMatch(new RegExp(`^${hostname().replace(/\./g, '\\.')}/${process.pid}/[0-9a-f]{8}/${PID_SPACE}$`));
      expect(provablyDead(`${hostname()}/999999/n/${PID_SPACE}`, gone)).toBe(true);
      expect(provablyDead(`${hostname()}/999999/n/${PID_SPACE}`, () => true)).toBe(false);
      expect(provablyDead(`${hostname()}/999999/n/${PID_SPACE === '0badf00d' ? '0badf00e' : '0badf00d'}`, gone)).toBe(false);
      expect(provablyDead(`other-host.example/999999/n/${PID_SPACE}`, gone)).toBe(false);
      // This very process is never dead; an owner of an earlier version (no pid space) is judged by its hostname.
      expect(provablyDead(`${hostname()}/${process.pid}/n/${PID_SPACE}`, gone)).toBe(false);
      expect(provablyDead(`${hostname()}/999999/n`, gone)).toBe(true);
    });

    it('notices when another run took the lock over (this one stalled past the timeout)', async () => {
      const held = await acquireRunLock(db, NAME, { ttlMs: 120, waitMs: 0 });
      await db.updateTable('run_locks').set({ owner: 'thief/1/x' }).where('name', '=', NAME).execute();
      await sleep(200);
      expect(held.lost()).toMatch(/was taken over by another run/);
      await held.release();
      expect((await readLock(db, NAME))?.owner).toBe('thief/1/x');
    });
  });
});
