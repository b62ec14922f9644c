import type { Kysely, Migration } from 'kysely';

// Migration `0700_senders`: several sender processes share one issue on PostgreSQL (deliver/send-issue.ts). Each
// ledger row in `sending` names the sender that claimed it (`claimed_by`, its `host/pid/nonce`), and each sender
// holds a lease row in `run_locks` (`sender:<date>:<owner>`, renewed by a heartbeat) while it sends. A row in
// `sending` whose sender's lease lapsed (or is gone) is what a dead run left: it becomes `unknown`, and only such
// rows do (markInterruptedSends). Rows of a sender that is alive are its own.

export const sendersMigration = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema.alterTable('deliveries').addColumn('claimed_by', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('deliveries').dropColumn('claimed_by').execute();
  },
});
