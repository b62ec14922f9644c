import type { Migration } from 'kysely';
import { deliveryMigration } from './delivery-schema.ts';
import { detailsMigration } from './details-schema.ts';
import { frequencyMigration } from './frequency-schema.ts';
import { interestsMigration } from './interests-schema.ts';
import type { DialectName } from './dialect.ts';
import { runsMigration } from './runs-schema.ts';
import { sendersMigration } from './senders-schema.ts';
import { initialMigration } from './schema.ts';
import { translationSummariesMigration } from './summaries-schema.ts';
import { signupFrequencyMigration, webMigration } from './web-schema.ts';

// Every migration of the store, gathered here rather than in schema.ts: schema.ts builds the `Database` type out
// of the *-schema.ts files' tables, and web-schema.ts builds on `Database`, so a list in schema.ts made a cycle.

/** All migrations, by name; names sort in the order they must run. */
export function createMigrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001_initial': initialMigration(dialect),
    '0002_delivery': deliveryMigration(dialect),
    '0100_web': webMigration(dialect),
    '0200_runs': runsMigration(dialect),
    '0300_translation_summaries': translationSummariesMigration(dialect),
    '0400_paper_details': detailsMigration(),
    '0500_reader_interests': interestsMigration(),
    '0600_weekly_digest': frequencyMigration(),
    '0700_senders': sendersMigration(),
    '0800_signup_frequency': signupFrequencyMigration(),
  };
}
