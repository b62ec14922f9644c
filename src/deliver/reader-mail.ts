import { readerLinks } from '../links/link-tokens.ts';
import { personalize } from '../render/personalize.ts';
import type { PendingDelivery } from '../store/deliveries.ts';
import type { ISODate, RenderedMail } from '../types.ts';
import { composeMail, stableMessageId } from './compose-mail.ts';
import { buildMimeTemplate, composeRaw, dotStuff, type MimeTemplate } from './mime-template.ts';
import type { MailJob } from './transport.ts';

// One reader's mail from a segment's render: their signed links and address filled in, as fields (HTTP APIs) or as
// RFC 5322 bytes filled into the segment's pre-encoded MIME template (SMTP, the outbox). Beside the send loop,
// which only hands ledger rows to `mailOf` and the mails to the transport.

export interface ReaderMailSender {
  from: string;
  replyTo?: string | undefined;
  publicBaseUrl: string;
  secret: string;
  /** The Date header of the raw message. */
  clock: () => Date;
}

/** Turns ledger rows of one segment into mails; the MIME template is built once, on the first raw mail. */
export function readerMails(sender: ReaderMailSender, batchDate: ISODate, segmentId: string, mail: RenderedMail) {
  let template: MimeTemplate | undefined;
  return (row: PendingDelivery): MailJob => {
    // The reader's links (two HMACs) are made when the mail is built, not when the claim is: a claim's mails wait
    // for a connection, and what they hold meanwhile outlives the young generation (old-space garbage, RSS).
    const fieldsOf = () => ({ ...readerLinks(sender.publicBaseUrl, row.subscriberId, sender.secret), email: row.email });
    const composed = (fields = fieldsOf()) =>
      composeMail(personalize(mail, fields), {
        from: sender.from,
        replyTo: sender.replyTo,
        batchDate,
        segmentId,
        subscriberId: row.subscriberId,
        to: row.email,
        unsubscribeUrl: fields.unsubscribeUrl,
      });
    const templateReader = () => ({ subscriberId: row.subscriberId, to: row.email, fields: fieldsOf(), date: sender.clock() });
    return {
      subscriberId: row.subscriberId,
      to: row.email,
      messageId: stableMessageId(batchDate, row.subscriberId, sender.from),
      fields: () => composed(),
      async raw() {
        template ??= buildMimeTemplate(mail, { from: sender.from, replyTo: sender.replyTo, batchDate, segmentId });
        const reader = templateReader();
        return template.fill(reader) ?? composeRaw(composed(reader.fields), reader.date);
      },
      async dotStuffed() {
        template ??= buildMimeTemplate(mail, { from: sender.from, replyTo: sender.replyTo, batchDate, segmentId });
        const reader = templateReader();
        return template.fillPieces(reader, { dotStuffed: true }) ?? [dotStuff(await composeRaw(composed(reader.fields), reader.date))];
      },
    };
  };
}
