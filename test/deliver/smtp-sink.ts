import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

// A real SMTP server on 127.0.0.1 for the delivery tests: it keeps every message it accepts and can refuse
// recipients (550, 451…), drop the connection in the middle of DATA, or answer slowly.

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
}

export interface SinkFaults {
  /** A reply for RCPT TO (e.g. `{ code: 550, message: 'no such user' }`), or null to accept; `attempt` counts from 1. */
  rcpt?: (address: string, attempt: number) => { code: number; message: string } | null;
  /** Drop the connection after part of the DATA of this message arrived (true), instead of answering. */
  dropData?: (recipients: string[], attempt: number) => boolean;
  /** Wait this long before accepting each message. */
  delayMs?: number;
}

export interface SmtpSink {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** RCPT TO attempts per address. */
  rcptAttempts: Map<string, number>;
  /** DATA attempts per first recipient. */
  dataAttempts: Map<string, number>;
  faults: SinkFaults;
  /** Connections open now, and the most that were open at once. */
  connections: { open: number; most: number };
  close(): Promise<void>;
}

export async function startSmtpSink(faults: SinkFaults = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const rcptAttempts = new Map<string, number>();
  const dataAttempts = new Map<string, number>();
  const sink = { faults } as { faults: SinkFaults };
  const connections = { open: 0, most: 0 };
  // eslint-disable-next-line prefer-const
  let server: SMTPServer;

  const connectionOf = (session: SMTPServerSession) =>
    [...((server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }).connections ?? [])].find(
      (c) => c.id === session.id,
    );

  server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 200,
    size: 10 * 1024 * 1024,
    onConnect(_session, callback) {
      connections.open += 1;
      connections.most = Math.max(connections.most, connections.open);
      callback();
    },
    onClose() {
      connections.open -= 1;
    },
    onRcptTo(address, _session, callback) {
      const to = address.address.toLowerCase();
      const attempt = (rcptAttempts.get(to) ?? 0) + 1;
      rcptAttempts.set(to, attempt);
      const reply = sink.faults.rcpt?.(to, attempt);
      if (reply) {
        const error = new Error(reply.message) as Error & { responseCode: number };
        error.responseCode = reply.code;
        return callback(error);
      }
      callback();
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
      const first = to[0] ?? '';
      const attempt = (dataAttempts.get(first) ?? 0) + 1;
      dataAttempts.set(first, attempt);
      const drop = sink.faults.dropData?.(to, attempt) ?? false;
      const chunks: Buffer[] = [];
      let dropped = false;
      stream.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (drop && !dropped) {
          dropped = true;
          connectionOf(session)?._socket.destroy();
        }
      });
      stream.on('end', () => {
        if (dropped) return;
        const accept = () => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to, raw: Buffer.concat(chunks) });
          callback();
        };
        if (sink.faults.delayMs) setTimeout(accept, sink.faults.delayMs);
        else accept();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    rcptAttempts,
    dataAttempts,
    connections,
    get faults() {
      return sink.faults;
    },
    set faults(value: SinkFaults) {
      sink.faults = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
