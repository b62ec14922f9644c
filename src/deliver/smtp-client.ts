import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as connectTls, type ConnectionOptions, type TLSSocket } from 'node:tls';

// One SMTP client connection that sends prebuilt, already dot-stuffed messages: the dialogue of RFC 5321 with
// STARTTLS (RFC 3207), AUTH PLAIN/LOGIN (RFC 4954) and, when the server offers it, PIPELINING (RFC 2920): MAIL,
// RCPT and DATA go out in one write and their replies are read together, then the message and its final dot in
// another. nodemailer's connection is not used for sending because it pipes every message through its DataStream,
// which walks each ~33 KB mail byte by byte in JavaScript to escape dots and fix line ends — work the segment's
// template already did once (the profile had it at 13% of a run). Errors carry nodemailer's fields (`code`,
// `responseCode`, `command`, `response`), so classifySmtpError reads both alike.

/** Where and how to connect, as nodemailer's parseConnectionUrl reads an SMTP URL. */
export interface SmtpTarget {
  host?: string | undefined;
  port?: number | undefined;
  /** Implicit TLS (smtps://, port 465). */
  secure?: boolean | undefined;
  /** Never upgrade with STARTTLS, even when offered. */
  ignoreTLS?: boolean | undefined;
  /** Fail unless the connection is upgraded with STARTTLS. */
  requireTLS?: boolean | undefined;
  tls?: ConnectionOptions | undefined;
  auth?: { user?: string | undefined; pass?: string | undefined } | undefined;
  /** The name we greet with (EHLO). */
  name?: string | undefined;
}

export class SmtpError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly command?: string,
    readonly responseCode?: number,
    readonly response?: string,
  ) {
    super(message);
    this.name = 'SmtpError';
  }
}

interface Reply {
  code: number;
  /** The reply's lines joined with a space, codes included: what the logs and the ledger show. */
  text: string;
  /** The text of each line without its code, for EHLO's keywords. */
  lines: string[];
}

/** The name to greet with: the machine's if it looks like a domain, else our address literal (as nodemailer does). */
function greetingName(target: SmtpTarget): string {
  if (target.name) return target.name.replace(/[\r\n]+/g, '');
  const name = hostname();
  return name.includes('.') ? name : '[127.0.0.1]';
}

/** The end of DATA: CRLF.CRLF, without a second CRLF when the message already ends with one. */
function terminatorFor(data: readonly Buffer[]): Buffer {
  // The last two bytes of the message, which may lie in two pieces.
  const tail: number[] = [];
  for (let i = data.length - 1; i >= 0 && tail.length < 2; i--) {
    const piece = data[i]!;
    for (let j = piece.length - 1; j >= 0 && tail.length < 2; j--) tail.unshift(piece[j]!);
  }
  return tail[0] === 0x0d && tail[1] === 0x0a ? DOT_END : CRLF_DOT_END;
}
const DOT_END = Buffer.from('.\r\n');
const CRLF_DOT_END = Buffer.from('\r\n.\r\n');

export class SmtpClientConnection {
  /** Messages sent (accepted or refused) on this connection. */
  messages = 0;
  /** Set once the connection cannot be used again (closed, timed out, out of step). */
  broken: string | null = null;
  private socket: Socket | TLSSocket;
  private pending = '';
  private lines: string[] = [];
  private waiting: Array<{ resolve: (reply: Reply) => void; reject: (error: Error) => void; command: string }> = [];
  private extensions = new Set<string>();
  private authMechanisms = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    socket: Socket,
    private readonly timeoutMs: number,
  ) {
    this.socket = socket;
    this.listen(socket);
  }

  /** Connects, reads the greeting, says EHLO, upgrades with STARTTLS when offered and logs in when the URL has a user. */
  static async open(target: SmtpTarget, timeoutMs: number): Promise<SmtpClientConnection> {
    const host = target.host ?? 'localhost';
    const port = target.port ?? (target.secure ? 465 : 587);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const servername = isIP(host) ? undefined : host;
      // Nagle off: the message's final dot is a small write that would otherwise wait for a delayed ACK (~40 ms).
      const s: Socket = target.secure
        ? connectTls({ host, port, ...(servername ? { servername } : {}), ...target.tls })
        : connectTcp({ host, port, noDelay: true });
      s.setNoDelay(true);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new SmtpError('Connection timeout', 'ETIMEDOUT', 'CONN'));
      }, timeoutMs);
      s.once(target.secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        s.destroy();
        const tlsFailed = target.secure && error.code !== 'ECONNREFUSED' && error.code !== 'ENOTFOUND' && error.code !== 'ETIMEDOUT';
        reject(new SmtpError(error.message, tlsFailed ? 'ETLS' : 'ECONNECTION', 'CONN'));
      });
    });
    const connection = new SmtpClientConnection(socket, timeoutMs);
    try {
      await connection.handshake(target);
      return connection;
    } catch (error) {
      connection.destroy();
      throw error;
    }
  }

  private async handshake(target: SmtpTarget): Promise<void> {
    await this.expect(this.read('CONN'), 220, 'EPROTOCOL');
    const name = greetingName(target);
    await this.hello(name);
    if (!target.secure && !target.ignoreTLS && this.extensions.has('STARTTLS')) {
      this.write('STARTTLS\r\n');
      await this.expect(this.read('STARTTLS'), 220, 'ETLS');
      await this.upgrade(target);
      await this.hello(name);
    } else if (!target.secure && target.requireTLS) {
      throw new SmtpError('the SMTP server does not offer STARTTLS, and TLS is required', 'ETLS', 'STARTTLS');
    }
    const { user, pass } = target.auth ?? {};
    if (user) await this.login(user, pass ?? '');
  }

  private async hello(name: string): Promise<void> {
    this.write(`EHLO ${name}\r\n`);
    const reply = await this.read('EHLO');
    if (reply.code !== 250) {
      // A server that does not speak ESMTP: HELO, and no extensions (so no pipelining, no STARTTLS, no AUTH).
      this.write(`HELO ${name}\r\n`);
      await this.expect(this.read('HELO'), 250, 'EPROTOCOL');
      this.extensions.clear();
      this.authMechanisms.clear();
      return;
    }
    this.extensions.clear();
    this.authMechanisms.clear();
    for (const line of reply.lines.slice(1)) {
      const [keyword, ...params] = line.trim().toUpperCase().split(/[\s=]+/);
      if (!keyword) continue;
      this.extensions.add(keyword);
      if (keyword === 'AUTH') for (const p of params) this.authMechanisms.add(p);
    }
  }

  private async upgrade(target: SmtpTarget): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    const host = target.host ?? 'localhost';
    this.socket = await new Promise<TLSSocket>((resolve, reject) => {
      const secured = connectTls({ socket: plain, ...(isIP(host) ? {} : { servername: host }), ...target.tls });
      secured.once('secureConnect', () => {
        secured.removeAllListeners('error');
        resolve(secured);
      });
      secured.once('error', (error) => reject(new SmtpError(`TLS failed: ${error.message}`, 'ETLS', 'STARTTLS')));
    });
    this.listen(this.socket);
  }

  private async login(user: string, pass: string): Promise<void> {
    const failed = (reply: Reply) => new SmtpError(`Invalid login: ${reply.text}`, 'EAUTH', 'AUTH', reply.code, reply.text);
    if (this.authMechanisms.has('PLAIN') || !this.authMechanisms.has('LOGIN')) {
      this.write(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`, 'utf8').toString('base64')}\r\n`);
      const reply = await this.read('AUTH PLAIN');
      if (reply.code !== 235) throw failed(reply);
      return;
    }
    this.write('AUTH LOGIN\r\n');
    let reply = await this.read('AUTH LOGIN');
    if (reply.code !== 334) throw failed(reply);
    this.write(`${Buffer.from(user, 'utf8').toString('base64')}\r\n`);
    reply = await this.read('AUTH LOGIN');
    if (reply.code !== 334) throw failed(reply);
    this.write(`${Buffer.from(pass, 'utf8').toString('base64')}\r\n`);
    reply = await this.read('AUTH LOGIN');
    if (reply.code !== 235) throw failed(reply);
  }

  /**
   * Sends one message to one recipient and resolves once the server accepted it (see `start`).
   */
  async send(from: string, to: string, data: Buffer | readonly Buffer[]): Promise<void> {
    await (await this.start(from, to, data)).accepted;
  }

  /**
   * Starts one message to one recipient. `message` is the whole message (or its consecutive pieces), CRLF line
   * ends, already dot-stuffed; the final dot is added here. Resolves, once the message is written, to `accepted`: the server's final answer,
   * which rejects with an SmtpError. A refused envelope rejects `start` itself (after RSET, so the connection can
   * be used again). Between the two the connection may start the next message: RFC 2920 lets the message
   * content be followed by the next MAIL, RCPT and DATA without waiting, and a finished DATA needs no RSET
   * whatever its answer, so a mail costs one round trip instead of two.
   */
  async start(from: string, to: string, message: Buffer | readonly Buffer[]): Promise<{ accepted: Promise<void> }> {
    const data = Buffer.isBuffer(message) ? [message] : message;
    if (this.broken) throw new SmtpError(`the connection is closed: ${this.broken}`, 'ECONNECTION', 'CONN');
    this.messages += 1;
    const envelope = [`MAIL FROM:<${from}>`, `RCPT TO:<${to}>`, 'DATA'];
    let replies: Reply[];
    if (this.extensions.has('PIPELINING')) {
      this.write(`${envelope.join('\r\n')}\r\n`);
      replies = await Promise.all([this.read('MAIL FROM'), this.read('RCPT TO'), this.read('DATA')]);
    } else {
      replies = [];
      for (const [i, command] of envelope.entries()) {
        this.write(`${command}\r\n`);
        const reply = await this.read(['MAIL FROM', 'RCPT TO', 'DATA'][i]!);
        replies.push(reply);
        if (i < 2 && (reply.code < 200 || reply.code >= 300)) break;
      }
    }
    const [mail, rcpt, dataReply] = replies;
    const refused =
      mail && (mail.code < 200 || mail.code >= 300)
        ? new SmtpError(`Mail command failed: ${mail.text}`, 'EENVELOPE', 'MAIL FROM', mail.code, mail.text)
        : rcpt && (rcpt.code < 200 || rcpt.code >= 300)
          ? new SmtpError(`Recipient command failed: ${rcpt.text}`, 'EENVELOPE', 'RCPT TO', rcpt.code, rcpt.text)
          : dataReply && dataReply.code !== 354
            ? new SmtpError(`Data command failed: ${dataReply.text}`, 'EENVELOPE', 'DATA', dataReply.code, dataReply.text)
            : null;
    if (refused) {
      // A server that answered DATA with 354 although the envelope failed waits for a message: an empty one ends it.
      if (dataReply?.code === 354) {
        this.write('.\r\n');
        await this.read('DATA');
      }
      await this.reset();
      throw refused;
    }
    this.socket.cork();
    for (const piece of data) if (piece.length > 0) this.socket.write(piece);
    this.socket.write(terminatorFor(data));
    this.socket.uncork();
    const accepted = this.read('DATA').then((final) => {
      if (final.code < 200 || final.code >= 300) throw new SmtpError(`Message failed: ${final.text}`, 'EMESSAGE', 'DATA', final.code, final.text);
    });
    // Handled by whoever awaits it; a connection closed before anyone does must not crash the process.
    accepted.catch(() => {});
    return { accepted };
  }

  /** Says goodbye and closes; errors are ignored (the messages are all answered by then). */
  async quit(): Promise<void> {
    if (this.broken) return this.destroy();
    try {
      this.write('QUIT\r\n');
      await this.read('QUIT');
    } catch {
      // Closing anyway.
    }
    this.destroy();
  }

  destroy(): void {
    this.broken ??= 'closed by the client';
    clearTimeout(this.timer);
    this.socket.destroy();
    this.failAll(new SmtpError('the connection was closed', 'ECONNECTION', 'CONN'));
  }

  private async reset(): Promise<void> {
    this.write('RSET\r\n');
    const reply = await this.read('RSET');
    if (reply.code !== 250) this.fail(`RSET answered ${reply.text}`);
  }

  private async expect(reply: Promise<Reply>, code: number, errorCode: string): Promise<Reply> {
    const r = await reply;
    if (r.code !== code) throw new SmtpError(`unexpected reply: ${r.text}`, errorCode, undefined, r.code, r.text);
    return r;
  }

  private write(text: string): void {
    this.socket.write(text, 'latin1');
  }

  /** The next reply, in the order the commands were written (pipelining keeps replies in order). */
  private read(command: string): Promise<Reply> {
    if (this.broken) return Promise.reject(new SmtpError(`the connection is closed: ${this.broken}`, 'ECONNECTION', command));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject, command });
      this.arm();
    });
  }

  /** One timer for the oldest unanswered command: a silent server breaks the connection. */
  private arm(): void {
    clearTimeout(this.timer);
    if (this.waiting.length === 0) return;
    this.timer = setTimeout(() => {
      const command = this.waiting[0]?.command;
      this.broken = 'timed out';
      this.socket.destroy();
      this.failAll(new SmtpError(`Timeout waiting for the reply to ${command}`, 'ETIMEDOUT', command));
    }, this.timeoutMs);
  }

  private listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => this.receive(chunk.toString('latin1')));
    socket.on('error', (error) => this.fail(error.message));
    socket.on('close', () => this.fail('the server closed the connection'));
  }

  private fail(reason: string): void {
    if (!this.broken) this.broken = reason;
    clearTimeout(this.timer);
    this.socket.destroy();
    this.failAll(new SmtpError(`Connection closed: ${reason}`, 'ECONNECTION', this.waiting[0]?.command));
  }

  private failAll(error: SmtpError): void {
    for (const waiter of this.waiting.splice(0)) waiter.reject(new SmtpError(error.message, error.code, waiter.command));
  }

  private receive(chunk: string): void {
    this.pending += chunk;
    let end: number;
    while ((end = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, end).replace(/\r$/, '');
      this.pending = this.pending.slice(end + 1);
      this.lines.push(line);
      // A reply's last line has a space (or nothing) after its code; the others a hyphen.
      if (line.length >= 4 && line[3] === '-') continue;
      const lines = this.lines;
      this.lines = [];
      const code = Number(lines.at(-1)!.slice(0, 3));
      const waiter = this.waiting.shift();
      if (!waiter) {
        // A reply to nothing (421 before closing, or a confused server): nothing can be trusted on this connection.
        this.fail(`an unexpected reply: ${lines.join(' ')}`);
        return;
      }
      this.arm();
      waiter.resolve({ code, text: lines.join(' ').trim(), lines: lines.map((l) => l.slice(4)) });
    }
  }
}
