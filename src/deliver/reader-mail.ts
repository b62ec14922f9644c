import { readerLinks } from '../links/link-tokens.ts';
import { personalize, type ReaderFields } from '../render/index.ts';
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

/** What every mail of one segment shares; the MIME template is built once, on the first raw mail. */
class SegmentMails {
  private template: MimeTemplate | undefined;

  constructor(
    readonly sender: ReaderMailSender,
    readonly batchDate: ISODate,
    readonly segmentId: string,
    readonly mail: RenderedMail,
  ) {}

  templateOf(): MimeTemplate {
    const { sender, batchDate, segmentId } = this;
    this.template ??= buildMimeTemplate(this.mail, { from: sender.from, replyTo: sender.replyTo, batchDate, segmentId });
    return this.template;
  }
}

/**
 * One reader's mail. Its links (two HMACs) and bytes are made when the transport asks, not when the claim is: a
 * claim's mails wait for a connection, and whatever they hold meanwhile outlives the young generation (old-space
 * garbage, RSS). Methods on the prototype, so a waiting mail is one small object.
 */
class ReaderMail implements MailJob {
  readonly subscriberId: number;
  readonly to: string;
  readonly messageId: string;

  constructor(
    private readonly segment: SegmentMails,
    row: PendingDelivery,
  ) {
    this.subscriberId = row.subscriberId;
    this.to = row.email;
    this.messageId = stableMessageId(segment.batchDate, row.subscriberId, segment.sender.from);
  }

  private links(): ReaderFields {
    const { sender } = this.segment;
    return { ...readerLinks(sender.publicBaseUrl, this.subscriberId, sender.secret), email: this.to };
  }

  private compose(fields: ReaderFields) {
    const { sender, batchDate, segmentId, mail } = this.segment;
    return composeMail(personalize(mail, fields), {
      from: sender.from,
      replyTo: sender.replyTo,
      batchDate,
      segmentId,
      subscriberId: this.subscriberId,
      to: this.to,
      unsubscribeUrl: fields.unsubscribeUrl,
    });
  }

  private reader() {
    return { subscriberId: this.subscriberId, to: this.to, fields: this.links(), date: this.segment.sender.clock() };
  }

  fields() {
    return this.compose(this.links());
  }

  async raw() {
    const reader = this.reader();
    return this.segment.templateOf().fill(reader) ?? composeRaw(this.compose(reader.fields), reader.date);
  }

  async dotStuffed() {
    const reader = this.reader();
    return (
      this.segment.templateOf().fillPieces(reader, { dotStuffed: true }) ?? [dotStuff(await composeRaw(this.compose(reader.fields), reader.date))]
    );
  }
}

/** Turns ledger rows of one segment into mails. */
export function readerMails(sender: ReaderMailSender, batchDate: ISODate, segmentId: string, mail: RenderedMail) {
  const segment = new SegmentMails(sender, batchDate, segmentId, mail);
  return (row: PendingDelivery): MailJob => new ReaderMail(segment, row);
}
