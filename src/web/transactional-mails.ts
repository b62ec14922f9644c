import { createElement } from 'react';
import { render } from 'react-email';
import ConfirmSubscription, { confirmSubscriptionSubject, type ConfirmSubscriptionProps } from '../../emails/confirm-subscription.tsx';
import Unsubscribed, { unsubscribedSubject, type UnsubscribedProps } from '../../emails/unsubscribed.tsx';
import Welcome, { welcomeSubject, type WelcomeProps } from '../../emails/welcome.tsx';
import { domainOfAddress, type OutgoingMail } from '../deliver/index.ts';
import { RenderError } from '../errors.ts';

// The three mails the web front sends one at a time (react-email templates in emails/), made into what any
// MailTransport takes. They are transactional: no List-Unsubscribe on the confirmation (nobody is subscribed yet)
// or on the goodbye; the welcome mail carries it like an issue does.

export type TransactionalKind = 'confirm' | 'welcome' | 'unsubscribed';

/** Header naming the kind, so a transport (the outbox) can file the mail, and a person can grep for it. */
export const KIND_HEADER = 'X-Paperboy-Mail';

export type TransactionalMail =
  | { kind: 'confirm'; props: ConfirmSubscriptionProps }
  | { kind: 'welcome'; props: WelcomeProps }
  | { kind: 'unsubscribed'; props: UnsubscribedProps };

async function renderParts(mail: TransactionalMail): Promise<{ subject: string; html: string; text: string }> {
  const element =
    mail.kind === 'confirm'
      ? createElement(ConfirmSubscription, mail.props)
      : mail.kind === 'welcome'
        ? createElement(Welcome, mail.props)
        : createElement(Unsubscribed, mail.props);
  const subject =
    mail.kind === 'confirm'
      ? confirmSubscriptionSubject(mail.props)
      : mail.kind === 'welcome'
        ? welcomeSubject(mail.props)
        : unsubscribedSubject(mail.props);
  try {
    const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
    return { subject, html, text };
  } catch (error) {
    throw new RenderError(`the ${mail.kind} mail could not be rendered: ${String(error)}`, { cause: error });
  }
}

export interface Envelope {
  from: string;
  replyTo?: string | undefined;
  to: string;
  subscriberId: number;
  /** Only for mails to a subscribed reader (the welcome mail). */
  unsubscribeUrl?: string | undefined;
}

export async function composeTransactional(mail: TransactionalMail, envelope: Envelope, now: Date): Promise<OutgoingMail> {
  const parts = await renderParts(mail);
  const headers: Record<string, string> = {
    [KIND_HEADER]: mail.kind,
    'Auto-Submitted': 'auto-generated',
    'X-Auto-Response-Suppress': 'OOF, AutoReply',
  };
  if (envelope.unsubscribeUrl) {
    headers['List-Unsubscribe'] = `<${envelope.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return {
    subscriberId: envelope.subscriberId,
    from: envelope.from,
    to: envelope.to,
    replyTo: envelope.replyTo,
    subject: parts.subject,
    html: parts.html,
    text: parts.text,
    // Unique per mail (a reader may ask for several confirmation mails), on our own domain.
    messageId: `<paperboy.${mail.kind}.${envelope.subscriberId}.${now.getTime().toString(36)}@${domainOfAddress(envelope.from)}>`,
    headers,
  };
}
