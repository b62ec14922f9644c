import type { Kysely } from 'kysely';
import type { ISODate } from '../types.ts';
import type { Database } from './schema.ts';

// The web archive shows issues that went out: a stored batch counts once at least one of its mails was sent
// (a dry run or a failed run stores the day too, but nobody got a mail pointing at it).

export interface SentIssue {
  batchDate: ISODate;
  paperCount: number;
}

/** Batches with at least one sent mail, newest first. */
export async function listSentIssues(db: Kysely<Database>): Promise<SentIssue[]> {
  const rows = await db
    .selectFrom('batches as b')
    .select(['b.batch_date', 'b.paper_count'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('deliveries as d')
          .select('d.batch_date')
          .whereRef('d.batch_date', '=', 'b.batch_date')
          .where('d.status', 'in', ['sent', 'bounced']),
      ),
    )
    .orderBy('b.batch_date', 'desc')
    .execute();
  return rows.map((r) => ({ batchDate: r.batch_date, paperCount: Number(r.paper_count) }));
}

export async function wasIssueSent(db: Kysely<Database>, batchDate: ISODate): Promise<boolean> {
  const row = await db
    .selectFrom('deliveries')
    .select('batch_date')
    .where('batch_date', '=', batchDate)
    .where('status', 'in', ['sent', 'bounced'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
