// The run's wiring, in one place for `run`, `schedule` and `preview`: which transport, how feeds and listing pages
// are read, the translate stage, and the narrow settings each stage takes from the config. The config is narrowed
// here and only here: deliver/ gets DeliverySettings and TransportSettings, render/ RenderSettings, never the whole
// PaperboyConfig.
import { readFeedSource } from './arxiv/index.ts';
import type { PaperboyConfig } from './config/schema.ts';
import {
  transportFactory,
  type DeliverySettings,
  type MailTransport,
  type SendPolicy,
  type TransportName,
  type TransportSettings,
} from './deliver/index.ts';
import { UsageError } from './errors.ts';
import type { RenderSettings } from './render/index.ts';
import { promptVersionOf } from './translate/index.ts';
import type { ChineseOptions } from './translate/index.ts';
import type { TranslationSetup } from './translate/index.ts';
import { buildTranslationSetup } from './translate/index.ts';
import type { ISODate } from './types.ts';

/** Sender facts and render settings the template needs. */
export function renderSettingsOf(config: PaperboyConfig): RenderSettings {
  return {
    site: {
      name: config.newsletter.name,
      publicBaseUrl: config.newsletter.publicBaseUrl,
      postalAddress: config.newsletter.postalAddress,
      fromAddress: config.newsletter.from,
    },
    options: {
      domains: config.domains,
      summaryWidth: config.render.summaryWidth,
      maxAuthors: config.render.maxAuthors,
      maxHtmlBytes: config.render.maxHtmlBytes,
    },
  };
}

export function sendPolicyOf(delivery: PaperboyConfig['delivery'], overrides: { resendUnknown?: boolean | undefined } = {}): SendPolicy {
  return {
    batchSize: delivery.batchSize,
    workers: delivery.workers,
    attempts: delivery.retry.attempts,
    baseDelayMs: delivery.retry.baseDelayMs,
    maxDelayMs: delivery.retry.maxDelayMs,
    stopAfterFailedBatches: delivery.retry.stopAfterFailedBatches,
    resendUnknown: overrides.resendUnknown ?? false,
  };
}

/** Everything deliver/ takes from the config; `resendUnknown` is the command line's switch. */
export function deliverySettingsOf(config: PaperboyConfig, switches: { resendUnknown?: boolean | undefined } = {}): DeliverySettings {
  return {
    sender: { from: config.newsletter.from, replyTo: config.newsletter.replyTo, publicBaseUrl: config.newsletter.publicBaseUrl },
    render: renderSettingsOf(config),
    policy: sendPolicyOf(config.delivery, switches),
  };
}

export function transportSettingsOf(config: PaperboyConfig): TransportSettings {
  return { from: config.newsletter.from, smtp: config.delivery.smtp, resend: config.delivery.resend };
}

/** What `run` and `schedule` build alike from the config, the environment and the command line. */
export interface RunWiring {
  transportName: TransportName;
  createTransport: (batchDate: ISODate) => MailTransport;
  /** Reads a feed file or URL with the config's timeout, retries and user agent. */
  readFeed: (source: string) => Promise<string>;
  /** Reads an arXiv listing page (schedule.listingCheck), the same way. */
  readPage: (url: string) => Promise<string>;
  translation: TranslationSetup;
}

export function wireRun(
  config: PaperboyConfig,
  env: NodeJS.ProcessEnv,
  options: {
    outboxDir: string;
    /** --transport, already parsed; default: delivery.transport. */
    transport?: TransportName | undefined;
    /** A dry run gets a transport factory that refuses: it must send nothing. */
    dryRun?: boolean | undefined;
    retranslate?: boolean | undefined;
    onTranslateProgress?: ((done: number, total: number) => void) | undefined;
  },
): RunWiring {
  const transportName = options.transport ?? config.delivery.transport;
  // Checked before anything is prepared: a missing SMTP_URL or RESEND_API_KEY is a usage error, not a half run.
  const createTransport = options.dryRun
    ? () => {
        throw new UsageError('a dry run sends nothing');
      }
    : transportFactory(transportName, transportSettingsOf(config), env, { outboxDir: options.outboxDir });
  const fetchOptions = {
    timeoutMs: config.arxiv.timeoutSeconds * 1000,
    retries: config.arxiv.retries,
    userAgent: config.arxiv.userAgent,
  };
  return {
    transportName,
    createTransport,
    readFeed: (source) => readFeedSource(source, fetchOptions),
    readPage: (url) => readFeedSource(url, fetchOptions),
    translation: buildTranslationSetup(config.translation, env, {
      retranslate: options.retranslate,
      onProgress: options.onTranslateProgress,
    }),
  };
}

/**
 * The translations `preview` picks, as the run would pick them: the configured model's first (it is never called
 * there). Undefined without a provider.
 */
export function translationPreferenceOf(config: PaperboyConfig, env: NodeJS.ProcessEnv): ChineseOptions['prefer'] {
  const setup = buildTranslationSetup(config.translation, env, {});
  return setup.translator ? { model: setup.translator.model, promptVersion: promptVersionOf(setup.settings) } : undefined;
}
