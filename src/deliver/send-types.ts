import type { Kysely } from 'kysely';
import type { LedgerSummary } from '../store/deliveries.ts';
import type { Database } from '../store/schema.ts';
import type { ISODate, RenderedMail } from '../types.ts';
import type { Ledger } from './ledger.ts';
import type { MailFailure } from './settle-outcomes.ts';

// What `sendIssue` takes and returns, apart from the loop so that its steps (settle-outcomes, claim-queue,
// send-report) can name them without importing the loop. send-issue.ts re-exports them: callers import from there.

export type { MailFailure } from './settle-outcomes.ts';

export interface SendPolicy {
  /** Rows per claim (one provider call); capped by the transport's own maximum. */
  batchSize: number;
  /** Claims in flight at once. */
  workers: number;
  /** Tries per claim within a run for transient errors. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Claims in a row that sent nothing because of transient errors before the run gives up (0: never). */
  stopAfterFailedBatches: number;
  /** Send `unknown` rows again although the reader may get a second copy. */
  resendUnknown: boolean;
}

export interface SendProgress {
  segmentId: string;
  batchNo: number | null;
  /** Mails in this claim (0 for a page that only skipped readers). */
  mails: number;
  sent: number;
  failed: number;
  bounced: number;
  unknown: number;
  skipped: number;
  /** Rows dealt with so far in this run, and how many there are to deal with. */
  done: number;
  total: number;
  elapsedMs: number;
}

export interface SenderContext {
  db: Kysely<Database>;
  from: string;
  replyTo?: string | undefined;
  publicBaseUrl: string;
  secret: string;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  onProgress?: ((progress: SendProgress) => void) | undefined;
  /** Checked before each claim: a run that lost its lock stops claiming. */
  lock?: { lost(): string | null } | undefined;
  /**
   * This process's name (`host/pid/nonce`) when several senders share the issue (PostgreSQL), with how often it
   * looks again at the end for rows the others still have in flight; absent: the only sender (SQLite).
   */
  sender?: { owner: string; pollMs: number } | undefined;
  /** Opens the delivery ledger; default: the store's, on `db` (tests wrap it to watch the writes). */
  openLedger?: ((batchDate: ISODate) => Ledger) | undefined;
}

export interface SegmentToSend {
  segmentId: string;
  /** The segment's rendered mail with reader placeholders (loaded or rendered once, when its turn comes). */
  mail: () => Promise<RenderedMail>;
}

export interface SendResult {
  transport: string;
  sent: number;
  failed: number;
  bounced: number;
  /** Rows this run left `unknown`. */
  unknown: number;
  skipped: number;
  /** Sent by earlier runs. */
  alreadySent: number;
  /** Rows an earlier run left in `sending` (now `unknown`). */
  interrupted: number;
  /** Of the unknown rows, those this run settled by sending their claim again under the same key. */
  resolved: number;
  /** Why the run stopped before the end, or null. */
  stopped: string | null;
  /** Rows there were to send at the start. */
  total: number;
  /** The first failures, for the report; `failuresTotal` counts them all. */
  failures: MailFailure[];
  failuresTotal: number;
  durationMs: number;
  ledgerBefore: LedgerSummary;
  ledgerAfter: LedgerSummary;
}
