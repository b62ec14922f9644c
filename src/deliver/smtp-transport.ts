import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { ConfigError } from '../errors.ts';
import type { MailJob, MailTransport, SendOutcome } from './transport.ts';

// SMTP through a nodemailer pool. paperboy owns every retry (the ledger knows what was sent), so nodemailer's own
// re-queueing after a dropped connection is off: with it, a connection that closes after the server accepted the
// DATA makes nodemailer send the same message again on another connection.

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

/**
 * Opens the TCP connection for nodemailer with Nagle's algorithm off. nodemailer writes the final "." of DATA as a
 * small separate packet; with Nagle on, it waits for the server's delayed ACK (about 40 ms), which caps every
 * connection at ~25 messages/s. (TLS, STARTTLS and the SMTP dialogue stay nodemailer's.)
 */
export function openSmtpSocket(
  target: { host?: string | undefined; port?: number | undefined; secure?: boolean | undefined },
  timeoutMs: number,
  callback: (error: Error | null, options?: { connection: Socket }) => void,
): void {
  const socket = connect({ host: target.host ?? 'localhost', port: target.port ?? (target.secure ? 465 : 587), noDelay: true });
  let done = false;
  const finish = (error: Error | null) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (error) {
      socket.destroy();
      callback(Object.assign(error, { code: (error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? 'ETIMEDOUT' : 'ECONNECTION' }));
    } else {
      callback(null, { connection: socket });
    }
  };
  const timer = setTimeout(() => finish(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
  socket.once('connect', () => finish(null));
  socket.once('error', (error) => finish(error));
}

export function createSmtpTransport(options: SmtpOptions): MailTransport {
  const connection = parseSmtpUrl(options.url);
  const pool = nodemailer.createTransport({
    ...connection,
    getSocket: (_options: unknown, callback: (error: Error | null, options?: { connection: Socket }) => void) =>
      openSmtpSocket(connection, options.timeoutMs, callback),
    pool: true,
    maxConnections: options.maxConnections,
    maxMessages: options.maxMessagesPerConnection,
    ...(options.rateLimit > 0 ? { rateDelta: 1000, rateLimit: options.rateLimit } : {}),
    maxRequeues: 0,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    ...(options.dkim ? { dkim: { ...options.dkim, headerFieldNames: DKIM_HEADER_FIELDS } } : {}),
  } as SMTPPool.Options);

  // Mails are handed to nodemailer only as connections come free: the pool would queue every mail of every claim
  // in flight, each with its message objects, which then live long enough to reach the old heap (RSS grows).
  let free = options.maxConnections;
  const waiting: Array<() => void> = [];
  const acquire = () => (free > 0 ? ((free -= 1), Promise.resolve()) : new Promise<void>((r) => waiting.push(r)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };

  async function sendOne(mail: MailJob): Promise<SendOutcome> {
    await acquire();
    try {
      const info = await pool.sendMail({
        envelope: { from: options.envelopeFrom, to: [mail.to] },
        // Built when the connection starts on it (a Buffer, outside the JavaScript heap).
        raw: Readable.from(
          (async function* () {
            yield await mail.raw();
          })(),
          { objectMode: false },
        ),
      });
      if (info.rejected.length > 0) {
        return { status: 'bounced', error: `the server refused ${mail.to}: ${info.response}` };
      }
      // SMTP has no provider id; our Message-ID is what the receiving side logs.
      return { status: 'sent', providerId: mail.messageId };
    } catch (error) {
      return classifySmtpError(error as SmtpErrorLike);
    } finally {
      release();
    }
  }

  return {
    name: 'smtp',
    // One claim is what the pool sends at once: a crash can only leave those few mails uncertain.
    maxBatch: options.maxConnections,
    resend: 'duplicate',
    async send(mails) {
      return Promise.all(mails.map(sendOne));
    },
    async close() {
      pool.close();
    },
  };
}
