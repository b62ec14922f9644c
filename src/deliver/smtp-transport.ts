import DKIM from 'nodemailer/lib/dkim/index.js';
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { ConfigError } from '../errors.ts';
import { dotStuff } from './mime-template.ts';
import type { SmtpClientConnection, SmtpTarget } from './smtp-client.ts';
import { createSmtpConnectionPool } from './smtp-connection-pool.ts';
import type { MailJob, MailTransport, SendOutcome } from './transport.ts';

// SMTP through a small pool of our own client connections (smtp-client.ts; nodemailer still parses the URL and
// signs DKIM). paperboy owns every retry (the ledger knows what was sent): a connection that fails never sends a
// message again by itself, and a mail whose answer was lost is an outcome for the send loop to settle.

/** RFC 8058: mailbox providers only offer one-click unsubscribe when DKIM covers both List-Unsubscribe headers. */
export const DKIM_HEADER_FIELDS = [
  'From',
  'Sender',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'To',
  'Cc',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'In-Reply-To',
  'References',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
].join(':');

export interface SmtpOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465; query options as nodemailer reads them. */
  url: string;
  /** The envelope sender (bounces go there): the bare address of `from`. */
  envelopeFrom: string;
  maxConnections: number;
  /** Messages per second over all connections; 0: no limit. */
  rateLimit: number;
  /** Reconnect after this many messages on one connection. */
  maxMessagesPerConnection: number;
  timeoutMs: number;
  dkim?: { domainName: string; keySelector: string; privateKey: string } | undefined;
}

/** An SMTP URL with the password hidden, for messages. */
export function describeSmtpUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}`;
  } catch {
    return 'the SMTP server';
  }
}

export function parseSmtpUrl(url: string): SMTPPool.Options {
  if (!/^smtps?:\/\/[^/]/i.test(url.trim())) {
    throw new ConfigError('SMTP_URL must look like smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465');
  }
  return parseConnectionUrl(url.trim()) as SMTPPool.Options;
}

interface SmtpErrorLike {
  message: string;
  code?: string | undefined;
  responseCode?: number | undefined;
  command?: string | undefined;
  response?: string | undefined;
}

/**
 * What an SMTP error means for the mail. 5xx on RCPT: the address is dead (bounce). 5xx on MAIL FROM, failed
 * authentication or TLS: every other mail fails the same way (stop). Other 5xx: this message is refused for good.
 * 4xx and connection errors: try again later.
 */
export function classifySmtpError(error: SmtpErrorLike): SendOutcome {
  const code = error.responseCode;
  const reply = (error.response ?? error.message).replace(/\s+/g, ' ').trim();
  const command = (error.command ?? '').toUpperCase();
  if (error.code === 'EAUTH' || error.code === 'ENOAUTH' || error.code === 'EOAUTH2') {
    return { status: 'stop', error: `the SMTP server refused the login: ${reply}` };
  }
  if (error.code === 'ETLS' || error.code === 'EREQUIRETLS') {
    return { status: 'stop', error: `TLS with the SMTP server failed: ${reply}` };
  }
  if (code !== undefined && code >= 500) {
    if (command.startsWith('RCPT')) return { status: 'bounced', error: reply };
    if (command.startsWith('MAIL')) return { status: 'stop', error: `the SMTP server refused the sender: ${reply}` };
    return { status: 'rejected', retryable: false, error: reply };
  }
  if (code !== undefined && code >= 400) return { status: 'rejected', retryable: true, error: reply };
  return { status: 'rejected', retryable: true, error: `${error.code ? `${error.code}: ` : ''}${reply}` };
}

/** Mails of one claim per connection: claims are cut `maxConnections` × this (and at most the batch size). */
export const MAILS_PER_CONNECTION = 4;

/** Signs a whole message (CRLF line ends, not yet dot-stuffed) with nodemailer's DKIM signer; resolves to the signed bytes. */
function signWith(signer: DKIM, message: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const output = signer.sign(message);
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    output.on('end', () => resolve(Buffer.concat(chunks)));
    output.on('error', reject);
  });
}

/** A limit of `perSecond` messages in any one-second window over all connections (0: none). */
function rateGate(perSecond: number): () => Promise<void> {
  if (perSecond <= 0) return async () => {};
  let windowStart = 0;
  let used = 0;
  let chain: Promise<void> = Promise.resolve();
  return () => {
    chain = chain.then(async () => {
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        used = 0;
      }
      if (used >= perSecond) {
        await new Promise((r) => setTimeout(r, windowStart + 1000 - now));
        windowStart = Date.now();
        used = 0;
      }
      used += 1;
    });
    return chain;
  };
}

/**
 * SMTP over at most `maxConnections` connections of our own client (smtp-client.ts), each writing one message at a
 * time with its envelope pipelined, the next one starting while the previous one's answer is on its way. The message goes out as the segment template made it, dot-stuffed once.
 */
export function createSmtpTransport(options: SmtpOptions): MailTransport {
  const target = parseSmtpUrl(options.url) as SmtpTarget;
  const signer = options.dkim ? new DKIM({ ...options.dkim, headerFieldNames: DKIM_HEADER_FIELDS }) : null;
  const paced = rateGate(options.rateLimit);

  const pool = createSmtpConnectionPool(target, {
    maxConnections: options.maxConnections,
    maxMessagesPerConnection: options.maxMessagesPerConnection,
    timeoutMs: options.timeoutMs,
  });

  async function messageOf(mail: MailJob): Promise<readonly Buffer[]> {
    if (signer) {
      const raw = await mail.raw();
      return [dotStuff(await signWith(signer, Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8')))];
    }
    if (mail.dotStuffed) return mail.dotStuffed();
    const raw = await mail.raw();
    return [dotStuff(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8'))];
  }

  /**
   * Sends one mail; `letGo` is called once the mail no longer needs a connection (written, or failed to get one),
   * so the next mail can draw one while this one's answer is on its way (smtp-client.ts).
   */
  async function sendOne(mail: MailJob, letGo: () => void): Promise<SendOutcome> {
    let connection: SmtpClientConnection;
    try {
      connection = await pool.acquire();
    } catch (error) {
      letGo();
      return classifySmtpError(error as SmtpErrorLike);
    }
    let accepted: Promise<void>;
    try {
      await paced();
      // Built when a connection is free for it, so only the mails on their way are in memory.
      ({ accepted } = await connection.start(options.envelopeFrom, mail.to, await messageOf(mail)));
    } catch (error) {
      pool.release(connection);
      letGo();
      return classifySmtpError(error as SmtpErrorLike);
    }
    pool.release(connection);
    letGo();
    try {
      await accepted;
      // SMTP has no provider id; our Message-ID is what the receiving side logs.
      return { status: 'sent', providerId: mail.messageId };
    } catch (error) {
      return classifySmtpError(error as SmtpErrorLike);
    }
  }

  // The mails of every claim in flight wait here in order, as plain entries: only as many as there are
  // connections are being sent at a time. (A pending async call per waiting mail would keep its frame and
  // promises alive across many round trips, into the old generation, and the heap would grow with the queue.)
  interface Batch {
    mails: readonly MailJob[];
    outcomes: SendOutcome[];
    left: number;
    resolve: (outcomes: SendOutcome[]) => void;
  }
  const queue: Array<{ batch: Batch; index: number }> = [];
  let drawing = 0;
  function pump() {
    while (drawing < options.maxConnections && queue.length > 0) {
      const { batch, index } = queue.shift()!;
      drawing += 1;
      void sendOne(batch.mails[index]!, () => {
        drawing -= 1;
        pump();
      }).then(
        (outcome) => outcome,
        (error: Error): SendOutcome => ({ status: 'uncertain', error: `the SMTP transport failed: ${error.message}` }),
      ).then((outcome) => {
        batch.outcomes[index] = outcome;
        batch.left -= 1;
        if (batch.left === 0) batch.resolve(batch.outcomes);
      });
    }
  }

  return {
    name: 'smtp',
    // A claim is a few rounds of the connections: one claim and one settling statement per MAILS_PER_CONNECTION
    // mails of each connection, instead of per mail, while a crash leaves at most that many rounds uncertain.
    maxBatch: options.maxConnections * MAILS_PER_CONNECTION,
    resend: 'duplicate',
    send(mails) {
      if (mails.length === 0) return Promise.resolve([]);
      return new Promise((resolve) => {
        const batch: Batch = { mails, outcomes: new Array<SendOutcome>(mails.length), left: mails.length, resolve };
        for (let index = 0; index < mails.length; index++) queue.push({ batch, index });
        pump();
      });
    },
    close() {
      return pool.close();
    },
  };
}
