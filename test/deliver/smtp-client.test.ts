import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { dotStuff } from '../../src/deliver/mime-template.ts';
import { SmtpClientConnection, SmtpError } from '../../src/deliver/smtp-client.ts';
import { classifySmtpError, createSmtpTransport, parseSmtpUrl } from '../../src/deliver/smtp-transport.ts';
import type { MailJob } from '../../src/deliver/transport.ts';

// The SMTP client that sends prebuilt messages: pipelining only when offered, STARTTLS and AUTH as a real server
// asks, the message arriving byte for byte as built, and refusals reported at the command that failed.

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * A scripted SMTP server on 127.0.0.1 that records what arrives in each read. `pipelining`: it offers PIPELINING
 * and answers MAIL, RCPT and DATA only once all three have arrived (a client that waits for each reply hangs);
 * without it, it answers each command at once and counts a command that came before the previous reply.
 */
async function scriptedServer(pipelining: boolean, holdFinal = false) {
  const seen = { reads: [] as string[], outOfTurn: 0, messages: [] as string[] };
  const server: Server = createServer((socket: Socket) => {
    let buffer = '';
    let inData = false;
    let envelope: string[] = [];
    let held = 0;
    socket.write('220 scripted ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      seen.reads.push(chunk.toString('latin1'));
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          seen.messages.push(buffer.slice(0, end + 2));
          buffer = buffer.slice(end + 5);
          inData = false;
          // holdFinal: the message's answer waits for the next command (a client must not wait for it first).
          if (holdFinal) held += 1;
          else socket.write('250 queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.split(/[\s:]/)[0]!.toUpperCase();
        for (; held > 0; held--) socket.write('250 queued\r\n');
        if (!pipelining && buffer.length > 0 && !inData && verb !== 'DATA') seen.outOfTurn += 1;
        if (verb === 'EHLO') socket.write(`250-scripted\r\n${pipelining ? '250-PIPELINING\r\n' : ''}250 8BITMIME\r\n`);
        else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else if (verb === 'RSET') socket.write('250 reset\r\n');
        else if (pipelining && (verb === 'MAIL' || verb === 'RCPT' || verb === 'DATA')) {
          envelope.push(verb);
          if (verb === 'DATA') {
            socket.write('250 sender ok\r\n250 recipient ok\r\n354 go ahead\r\n');
            envelope = [];
            inData = true;
          }
        } else if (verb === 'MAIL' || verb === 'RCPT') socket.write('250 ok\r\n');
        else if (verb === 'DATA') {
          socket.write('354 go ahead\r\n');
          inData = true;
        } else socket.write('500 unknown\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as AddressInfo).port, seen };
}

const MESSAGE = Buffer.from('Subject: dots\r\n\r\n.one dot\r\n..two dots\r\nend\r\n');

describe('SmtpClientConnection', () => {
  it('pipelines MAIL, RCPT and DATA in one write when the server offers PIPELINING, and sends the stuffed message as built', async () => {
    const server = await scriptedServer(true);
    const connection = await SmtpClientConnection.open({ host: '127.0.0.1', port: server.port }, 2000);
    await connection.send('from@example.org', 'to@example.org', dotStuff(MESSAGE));
    await connection.send('from@example.org', 'to2@example.org', dotStuff(MESSAGE));
    await connection.quit();
    expect(server.seen.reads.filter((r) => r.startsWith('MAIL FROM:<from@example.org>\r\nRCPT TO:<to'))).toHaveLength(2);
    expect(server.seen.reads).toContain('MAIL FROM:<from@example.org>\r\nRCPT TO:<to@example.org>\r\nDATA\r\n');
    expect(server.seen.messages).toEqual([dotStuff(MESSAGE).toString('latin1'), dotStuff(MESSAGE).toString('latin1')]);
    expect(server.seen.messages[0]).toContain('\r\n..one dot\r\n...two dots\r\n');
  });

  it('starts the next message before the previous one is answered (one round trip per mail), and reads the answers in order', async () => {
    const server = await scriptedServer(true, true);
    const connection = await SmtpClientConnection.open({ host: '127.0.0.1', port: server.port }, 2000);
    const first = await connection.start('from@example.org', 'a@example.org', dotStuff(MESSAGE));
    const second = await connection.start('from@example.org', 'b@example.org', dotStuff(MESSAGE));
    await first.accepted;
    const quitting = connection.quit();
    await second.accepted;
    await quitting;
    expect(server.seen.messages).toHaveLength(2);
  });

  it('sends a message given in pieces as one, ending it right whether or not its last piece ends the line', async () => {
    const server = await scriptedServer(true);
    const connection = await SmtpClientConnection.open({ host: '127.0.0.1', port: server.port }, 2000);
    await connection.send('from@example.org', 'to@example.org', [Buffer.from('Subject: a\r\n\r\nbody\r'), Buffer.from('\n'), Buffer.alloc(0)]);
    await connection.send('from@example.org', 'to@example.org', [Buffer.from('Subject: b\r\n\r\nno line end')]);
    await connection.quit();
    expect(server.seen.messages).toEqual(['Subject: a\r\n\r\nbody\r\n', 'Subject: b\r\n\r\nno line end\r\n']);
  });

  it('waits for each reply when the server does not offer PIPELINING', async () => {
    const server = await scriptedServer(false);
    const connection = await SmtpClientConnection.open({ host: '127.0.0.1', port: server.port }, 2000);
    await connection.send('from@example.org', 'to@example.org', dotStuff(MESSAGE));
    await connection.quit();
    expect(server.seen.outOfTurn).toBe(0);
    expect(server.seen.reads.some((r) => r.includes('MAIL FROM') && r.includes('RCPT TO'))).toBe(false);
    expect(server.seen.messages).toHaveLength(1);
  });

  it('upgrades with STARTTLS, logs in, and a wrong password stops the run', async () => {
    const received: Array<{ secure: boolean; user: string | undefined; raw: string }> = [];
    const server = new SMTPServer({
      logger: false,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth(auth, _session, callback) {
        if (auth.username === 'pb' && auth.password === 'sécret:1') return callback(null, { user: auth.username });
        callback(Object.assign(new Error('bad credentials'), { responseCode: 535 }));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ secure: session.secure, user: session.user as string | undefined, raw: Buffer.concat(chunks).toString('latin1') });
          callback();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.server.address() as AddressInfo).port;
    const url = (password: string) => `smtp://pb:${encodeURIComponent(password)}@127.0.0.1:${port}?tls.rejectUnauthorized=false`;

    const connection = await SmtpClientConnection.open(parseSmtpUrl(url('sécret:1')), 5000);
    await connection.send('from@example.org', 'to@example.org', dotStuff(MESSAGE));
    await connection.quit();
    expect(received).toEqual([{ secure: true, user: 'pb', raw: MESSAGE.toString('latin1') }]);

    const refused = await SmtpClientConnection.open(parseSmtpUrl(url('wrong')), 5000).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SmtpError);
    expect(refused).toMatchObject({ code: 'EAUTH', responseCode: 535 });
    expect(classifySmtpError(refused as SmtpError)).toMatchObject({ status: 'stop' });

    const transport = createSmtpTransport({
      url: url('wrong'),
      envelopeFrom: 'from@example.org',
      maxConnections: 2,
      rateLimit: 0,
      maxMessagesPerConnection: 10,
      timeoutMs: 5000,
    });
    const job: MailJob = {
      subscriberId: 1,
      to: 'to@example.org',
      messageId: '<x@example.org>',
      fields: () => {
        throw new Error('not used');
      },
      raw: async () => MESSAGE,
    };
    expect(await transport.send([job], { batchDate: '2025-11-14', batchNo: 1, idempotencyKey: 'k', attempt: 1 })).toMatchObject([{ status: 'stop' }]);
    await transport.close();
  });

  it('reports a refused recipient at RCPT (a bounce), and the connection goes on with the next mail', async () => {
    const server = new SMTPServer({
      logger: false,
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      onRcptTo(address, _session, callback) {
        if (address.address === 'gone@example.org') return callback(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }));
        callback();
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const connection = await SmtpClientConnection.open({ host: '127.0.0.1', port: (server.server.address() as AddressInfo).port }, 2000);
    const error = await connection.send('from@example.org', 'gone@example.org', MESSAGE).catch((e: unknown) => e);
    expect(error).toMatchObject({ command: 'RCPT TO', responseCode: 550 });
    expect(classifySmtpError(error as SmtpError)).toMatchObject({ status: 'bounced', error: expect.stringMatching(/550.*no such user/) });
    await connection.send('from@example.org', 'here@example.org', MESSAGE);
    expect(connection.messages).toBe(2);
    await connection.quit();
  });
});
