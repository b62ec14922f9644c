import type { OutgoingMail } from './compose-mail.ts';

/** The seam between paperboy and whatever carries mail: the outbox today, SMTP and Resend later. */
export interface MailTransport {
  readonly name: string;
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): Promise<void>;
}

export interface SendResult {
  /** The provider's id for the message (for the outbox: the Message-ID). */
  providerId: string;
  /** Where the message went, when that is a place (the outbox file). */
  location?: string;
}
