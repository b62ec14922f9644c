import { ConfigError } from '../errors.ts';
import type { ISODate } from '../types.ts';
import { createOutboxTransport } from './outbox-transport.ts';
import { createResendTransport } from './resend-transport.ts';
import { createSmtpTransport, parseSmtpUrl } from './smtp-transport.ts';
import type { MailTransport } from './transport.ts';

// The transport of a run, from the config and the environment. Everything a transport needs is checked here,
// before the run prepares anything, so a missing key is a usage error (exit 2) and not a run that fails half-way.

export const TRANSPORTS = ['outbox', 'smtp', 'resend'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** The bare address of `Name <addr@host>`: the SMTP envelope sender. */
export function bareAddress(from: string): string {
  return (/<([^<>\s]+)>\s*$/.exec(from)?.[1] ?? from).trim();
}

/** A PEM key from an environment variable: `\n` escapes (one-line .env files) become newlines. */
function readPem(value: string): string {
  return value.includes('-----BEGIN') ? value.replace(/\\n/g, '\n') : value;
}

/** What the transports take from the config (narrowed by src/run-wiring.ts); secrets come from the environment. */
export interface TransportSettings {
  /** newsletter.from: its bare address is the SMTP envelope sender. */
  from: string;
  smtp: {
    maxConnections: number;
    rateLimit: number;
    maxMessagesPerConnection: number;
    timeoutSeconds: number;
    dkim?: { domain: string; selector: string } | undefined;
  };
  resend: { requestsPerSecond: number };
}

export function transportFactory(
  name: TransportName,
  delivery: TransportSettings,
  env: NodeJS.ProcessEnv,
  options: { outboxDir: string },
): (batchDate: ISODate) => MailTransport {
  if (name === 'outbox') return (batchDate) => createOutboxTransport({ dir: options.outboxDir, batchDate });

  if (name === 'smtp') {
    const url = env.SMTP_URL?.trim();
    if (!url) {
      throw new ConfigError(
        'SMTP_URL is not set: the smtp transport needs it, e.g. smtp://user:password@smtp.example.org:587 ' +
          '(STARTTLS) or smtps://user:password@smtp.example.org:465',
      );
    }
    parseSmtpUrl(url);
    const dkimConfig = delivery.smtp.dkim;
    const key = env.DKIM_PRIVATE_KEY?.trim();
    if (dkimConfig && !key) {
      throw new ConfigError('delivery.smtp.dkim is set but DKIM_PRIVATE_KEY is not: put the PEM private key there');
    }
    if (key && !dkimConfig) {
      throw new ConfigError('DKIM_PRIVATE_KEY is set but delivery.smtp.dkim is not: set its domain and selector');
    }
    if (key && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(readPem(key))) {
      throw new ConfigError('DKIM_PRIVATE_KEY is not a PEM private key (-----BEGIN PRIVATE KEY----- …)');
    }
    const smtp = delivery.smtp;
    return () =>
      createSmtpTransport({
        url,
        envelopeFrom: bareAddress(delivery.from),
        maxConnections: smtp.maxConnections,
        rateLimit: smtp.rateLimit,
        maxMessagesPerConnection: smtp.maxMessagesPerConnection,
        timeoutMs: smtp.timeoutSeconds * 1000,
        dkim:
          dkimConfig && key
            ? { domainName: dkimConfig.domain, keySelector: dkimConfig.selector, privateKey: readPem(key) }
            : undefined,
      });
  }

  const apiKey = env.RESEND_API_KEY?.trim();
  if (!apiKey) throw new ConfigError('RESEND_API_KEY is not set: the resend transport needs an API key (re_…)');
  const baseUrl = env.RESEND_BASE_URL?.trim() || undefined;
  return () => createResendTransport({ apiKey, baseUrl, requestsPerSecond: delivery.resend.requestsPerSecond });
}
