import type { ISODate } from '../types.ts';
import type { OutgoingMail } from './compose-mail.ts';

/** One reader's mail as handed to a transport: fields for HTTP APIs, RFC 5322 bytes for SMTP and the outbox. */
export interface MailJob {
  subscriberId: number;
  to: string;
  /** Our Message-ID, the same on every run. */
  messageId: string;
  /** The mail as fields (string filling of the segment's render). */
  fields(): OutgoingMail;
  /** The whole message, CRLF line ends: filled from the segment's pre-encoded template. */
  raw(): Promise<string | Buffer>;
  /**
   * The same message ready for SMTP DATA: dot-stuffed (a line starting with "." gets a second one), without the
   * final dot. Built straight from the segment's template, as consecutive pieces (most of them the template's
   * shared bytes, so no per-reader copy of the whole message); without it, a transport stuffs `raw()` itself.
   */
  dotStuffed?(): Promise<Buffer[]>;
}

/** What became of one mail of a send call. */
export type SendOutcome =
  /** Accepted by the server or provider. */
  | { status: 'sent'; providerId: string | null; location?: string }
  /** The receiving server refused the address for good (SMTP 5xx on RCPT): the reader is suppressed. */
  | { status: 'bounced'; error: string }
  /** Certainly not accepted; `retryable` failures are tried again (after `retryAfterMs` when given). */
  | { status: 'rejected'; error: string; retryable: boolean; retryAfterMs?: number }
  /**
   * Maybe accepted, maybe not (a timeout, a 5xx from an API, a lost connection after the request). `final`: asking
   * again cannot tell more.
   */
  | { status: 'uncertain'; error: string; retryAfterMs?: number; final?: boolean }
  /** Certainly not accepted, and no other mail will be either (quota used up, bad key): the run stops. */
  | { status: 'stop'; error: string };

/** Facts about the provider call, for idempotency keys and logs. */
export interface SendContext {
  batchDate: ISODate;
  batchNo: number;
  /** The same for every attempt of one claim: a retried call is recognisably the same call. */
  idempotencyKey: string;
  attempt: number;
}

/**
 * What sending a claim again does when its first outcome is unknown:
 * - `same-key`: the provider recognises the idempotency key and sends nothing twice (Resend, within 24 h);
 * - `overwrite`: the copy replaces the first one (the outbox writes the same file);
 * - `duplicate`: the reader may get a second copy (SMTP), so it is only done when the operator asks.
 */
export type ResendBehaviour = 'same-key' | 'overwrite' | 'duplicate';

/** The seam between paperboy and whatever carries mail: the outbox, SMTP, Resend. */
export interface MailTransport {
  readonly name: string;
  /** Most mails one `send` call takes. */
  readonly maxBatch: number;
  readonly resend: ResendBehaviour;
  /** For `same-key`: how long the provider remembers a key; an older uncertain claim is left unknown. */
  readonly keyLifetimeMs?: number;
  /**
   * Sends a claim; resolves to one outcome per mail, in order. Problems with mails are outcomes, not exceptions:
   * a throw is taken as `uncertain` for the whole claim.
   */
  send(mails: readonly MailJob[], context: SendContext): Promise<SendOutcome[]>;
  close(): Promise<void>;
}
