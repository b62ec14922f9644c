import type { ISODate, RenderedMail } from '../types.ts';

// Turns a personalised mail into what a transport sends: addresses, the unsubscribe headers every mail must carry
// (RFC 2369 + RFC 8058 one-click), and a Message-ID that is the same on every re-run, so a re-sent copy is
// recognisable as the same message.

export interface OutgoingMail {
  /** The reader, for the ledger and the outbox file name. */
  subscriberId: number;
  from: string;
  to: string;
  replyTo?: string | undefined;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  headers: Record<string, string>;
}

export interface ComposeContext {
  from: string;
  replyTo?: string | undefined;
  batchDate: ISODate;
  segmentId: string;
  subscriberId: number;
  to: string;
  unsubscribeUrl: string;
}

/** The domain of the sender address: Message-IDs live on our own domain. */
export function domainOfAddress(address: string): string {
  const match = /@([^\s@<>]+)>?\s*$/.exec(address);
  return match?.[1]?.toLowerCase() ?? 'localhost';
}

export function stableMessageId(batchDate: ISODate, subscriberId: number, from: string): string {
  return `<paperboy.${batchDate}.${subscriberId}@${domainOfAddress(from)}>`;
}

/** The headers every mail of an issue carries besides the addresses, subject, date and Message-ID. */
export function issueHeaders(context: {
  from: string;
  batchDate: ISODate;
  segmentId: string;
  unsubscribeUrl: string;
}): Record<string, string> {
  return {
    'List-Unsubscribe': `<${context.unsubscribeUrl}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'List-Id': `paperboy arXiv digest <digest.${domainOfAddress(context.from)}>`,
    'X-Paperboy-Issue': context.batchDate,
    'X-Paperboy-Segment': context.segmentId,
    // Out-of-office replies to a daily digest help nobody (Ghost sets the same).
    'X-Auto-Response-Suppress': 'OOF, AutoReply',
  };
}

export function composeMail(mail: RenderedMail, context: ComposeContext): OutgoingMail {
  return {
    subscriberId: context.subscriberId,
    from: context.from,
    to: context.to,
    replyTo: context.replyTo,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    messageId: stableMessageId(context.batchDate, context.subscriberId, context.from),
    headers: issueHeaders(context),
  };
}
