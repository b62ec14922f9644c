import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { webDb } from './web-schema.ts';

// Fixed-window counters in the database rather than in memory, so a restart or a second server process does not
// hand out a fresh allowance.

export interface RateLimitHit {
  allowed: boolean;
  /** Hits in the current window, this one included. */
  count: number;
}

/** Counts one hit on `bucket` and says whether it is within `limit` per `windowMs`. */
export async function hitRateLimit(
  db: Kysely<Database>,
  bucket: string,
  limit: number,
  windowMs: number,
  now: Date,
): Promise<RateLimitHit> {
  const at = now.toISOString();
  return webDb(db)
    .transaction()
    .execute(async (trx) => {
      const row = await trx.selectFrom('web_rate_limits').selectAll().where('bucket', '=', bucket).executeTakeFirst();
      if (!row || Date.parse(row.window_start) + windowMs <= now.getTime()) {
        await trx
          .insertInto('web_rate_limits')
          .values({ bucket, window_start: at, count: 1 })
          .onConflict((oc) => oc.column('bucket').doUpdateSet({ window_start: at, count: 1 }))
          .execute();
        return { allowed: 1 <= limit, count: 1 };
      }
      const count = Number(row.count) + 1;
      await trx.updateTable('web_rate_limits').set({ count }).where('bucket', '=', bucket).execute();
      return { allowed: count <= limit, count };
    });
}

/** Drops windows that started more than `maxWindowMs` ago: they no longer limit anything. */
export async function pruneRateLimits(db: Kysely<Database>, now: Date, maxWindowMs: number): Promise<number> {
  const cutoff = new Date(now.getTime() - maxWindowMs).toISOString();
  const result = await webDb(db).deleteFrom('web_rate_limits').where('window_start', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
