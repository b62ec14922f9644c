import type { Kysely } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';
import { readLock, releaseLock, renewLock, tryAcquireLock } from '../../src/store/run-locks.ts';
import type { Database } from '../../src/store/schema.ts';
import { describeStore } from '../support/test-databases.ts';

let db: Kysely<Database>;
const at = (seconds: number) => new Date(Date.UTC(2025, 10, 14, 6, 0, seconds));
const TTL = 30_000;

describeStore('store/run-locks', (store) => {
  beforeEach(() => {
    db = store.db;
  });

  describe('run locks', () => {
    it('is held by one owner at a time; the holder may take it again', async () => {
      expect(await tryAcquireLock(db, 'issue:2025-11-14', 'a', { now: at(0), ttlMs: TTL })).toEqual({ acquired: true });
      const busy = await tryAcquireLock(db, 'issue:2025-11-14', 'b', { now: at(10), ttlMs: TTL });
      expect(busy).toEqual({
        acquired: false,
        holder: { owner: 'a', acquiredAt: at(0).toISOString(), heartbeatAt: at(0).toISOString(), expiresAt: at(30).toISOString() },
      });
      expect(await tryAcquireLock(db, 'issue:2025-11-14', 'a', { now: at(10), ttlMs: TTL })).toEqual({ acquired: true });
      // Another issue is another lock.
      expect(await tryAcquireLock(db, 'issue:2025-11-17', 'b', { now: at(10), ttlMs: TTL })).toEqual({ acquired: true });
    });

    it('is kept by heartbeats and taken over only once it has lapsed, or from an owner proved dead', async () => {
      await tryAcquireLock(db, 'l', 'a', { now: at(0), ttlMs: TTL });
      expect(await renewLock(db, 'l', 'a', { now: at(25), ttlMs: TTL })).toBe(true);
      expect((await tryAcquireLock(db, 'l', 'b', { now: at(40), ttlMs: TTL })).acquired).toBe(false);
      expect((await tryAcquireLock(db, 'l', 'b', { now: at(56), ttlMs: TTL })).acquired).toBe(true);
      // The old holder notices: its renewal fails, and its release leaves the new holder's lock alone.
      expect(await renewLock(db, 'l', 'a', { now: at(57), ttlMs: TTL })).toBe(false);
      expect(await releaseLock(db, 'l', 'a')).toBe(false);
      expect((await readLock(db, 'l'))?.owner).toBe('b');
      expect((await tryAcquireLock(db, 'l', 'c', { now: at(58), ttlMs: TTL, deadOwner: 'x' })).acquired).toBe(false);
      expect((await tryAcquireLock(db, 'l', 'c', { now: at(58), ttlMs: TTL, deadOwner: 'b' })).acquired).toBe(true);
      expect(await releaseLock(db, 'l', 'c')).toBe(true);
      expect(await readLock(db, 'l')).toBeNull();
    });

    it('lets exactly one of many racing connections take a free lock', async () => {
      const handles = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ url: store.url })));
      try {
        const results = await Promise.all(
          handles.flatMap((h, i) => [0, 1].map((j) => tryAcquireLock(h, 'race', `owner-${i}-${j}`, { now: at(0), ttlMs: TTL }))),
        );
        expect(results.filter((r) => r.acquired)).toHaveLength(1);
      } finally {
        await Promise.all(handles.map((h) => h.destroy()));
      }
    });
  });
});
