import type { OutgoingMail } from '../deliver/index.ts';
import { composeRaw } from '../deliver/index.ts';
import type { MailJob, MailTransport } from '../deliver/index.ts';
import { KIND_HEADER } from './transactional-mails.ts';

// The web front sends one mail at a time through the same MailTransport seam as the daily run, so whatever
// carries the issues (outbox, SMTP, Resend) carries the confirmation mails too.

/** One transactional mail as a transport job: its fields, and the RFC 5322 bytes built by nodemailer. */
export function toMailJob(mail: OutgoingMail, date: Date): MailJob {
  let raw: Promise<Buffer> | undefined;
  return {
    subscriberId: mail.subscriberId,
    to: mail.to,
    messageId: mail.messageId,
    fields: () => mail,
    raw: () => (raw ??= composeRaw(mail, date)),
  };
}

/** Sends one mail; resolves to null when the transport took it, else to the reason it did not. */
export async function sendOneMail(transport: MailTransport, mail: OutgoingMail, now: Date): Promise<string | null> {
  const kind = mail.headers[KIND_HEADER] ?? 'mail';
  try {
    const [outcome] = await transport.send([toMailJob(mail, now)], {
      batchDate: now.toISOString().slice(0, 10),
      batchNo: 0,
      // One key per mail: a retry by the transport never sends the same confirmation twice.
      idempotencyKey: `paperboy-web/${kind}/${mail.messageId.replace(/[<>]/g, '')}`.slice(0, 256),
      attempt: 1,
    });
    if (!outcome) return 'the transport returned no outcome';
    return outcome.status === 'sent' ? null : `${outcome.status}: ${outcome.error}`;
  } catch (error) {
    return (error as Error).message;
  }
}
