import { resolve } from 'node:path';
import { transportFactory } from '../../deliver/index.ts';
import { ConfigError, UsageError, type ExitCode, EXIT } from '../../errors.ts';
import { pruneRateLimits } from '../../store/web-rate-limits.ts';
import { removeExpiredSignups } from '../../store/web-subscribers.ts';
import { createApp } from '../../web/app.ts';
import { transportSettingsOf } from '../../run-wiring.ts';
import { startServer } from '../../web/start-server.ts';
import { createWebOutboxTransport } from '../../web/web-outbox.ts';
import { type CliIO, type GlobalOptions, signingSecretOf, withContext } from '../context.ts';

export interface ServeCommandOptions extends GlobalOptions {
  port?: string;
  host?: string;
  outbox?: string;
}

/** How often unconfirmed sign-ups and spent rate-limit windows are cleared while the server runs. */
const CLEANUP_EVERY_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port > 65_535) {
    throw new UsageError(`--port ${JSON.stringify(value)} is not a port: expected 0–65535 (0 picks a free one)`);
  }
  return port;
}

/** The secret Resend signs webhooks with (whsec_…); absent means the webhook route is off. */
export function readWebhookSecret(env: NodeJS.ProcessEnv): string | undefined {
  return env.RESEND_WEBHOOK_SECRET?.trim() || undefined;
}

/** Lets a Prometheus elsewhere read /metrics; absent: only direct requests from this machine. */
export function readMetricsToken(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.PAPERBOY_METRICS_TOKEN?.trim();
  if (!token) return undefined;
  if (token.length < 16) {
    throw new ConfigError('PAPERBOY_METRICS_TOKEN is too short: use at least 16 characters (`openssl rand -hex 16`)');
  }
  return token;
}

/**
 * Runs the web front until SIGINT or SIGTERM (or `stop`, for tests), then closes the server and the database.
 * Prints one line with the address it listens on, so a supervisor or a test can find a port picked with --port 0.
 */
export async function serveCommand(options: ServeCommandOptions, io: CliIO, stop?: Promise<void>): Promise<ExitCode> {
  const portOverride = options.port === undefined ? undefined : parsePort(options.port);
  return withContext(options, io, async (context) => {
    const { config, db, log } = context;
    const secret = signingSecretOf(context);
    const webhookSecret = readWebhookSecret(io.env);
    const metricsToken = readMetricsToken(io.env);
    const outboxDir = resolve(options.outbox ?? config.delivery.outboxDir);
    // The configured transport carries the confirmation mails too; the outbox files them under web/<kind>/ so
    // they never mix with (or overwrite) an issue's mails.
    const transport =
      config.delivery.transport === 'outbox'
        ? createWebOutboxTransport({ dir: outboxDir })
        : transportFactory(config.delivery.transport, transportSettingsOf(config), io.env, { outboxDir })(io.now().toISOString().slice(0, 10));
    const app = createApp({
      db,
      config,
      secret,
      webhookSecret,
      transport,
      now: io.now,
      log,
      metricsToken,
    });

    const cleanUp = async () => {
      try {
        const removed = await removeExpiredSignups(db, io.now(), config.web.pendingHours * 60 * 60 * 1000);
        await pruneRateLimits(db, io.now(), DAY_MS);
        if (removed.readers + removed.requests > 0) {
          log.info(`removed ${removed.readers} unconfirmed sign-ups and ${removed.requests} expired requests`);
        }
      } catch (error) {
        log.error(`clean-up of unconfirmed sign-ups failed: ${(error as Error).message}`);
      }
    };
    await cleanUp();

    const server = await startServer(app, { host: options.host ?? config.web.host, port: portOverride ?? config.web.port, configSection: 'web' });
    io.out(`paperboy serve: listening on ${server.url} (public address ${config.newsletter.publicBaseUrl})`);
    log.info(
      config.delivery.transport === 'outbox'
        ? `mail from the web pages goes to the outbox: ${outboxDir}/web/`
        : `mail from the web pages goes out through ${config.delivery.transport}`,
    );
    if (!webhookSecret) log.info('RESEND_WEBHOOK_SECRET is not set: /webhooks/resend is off');
    log.info(
      metricsToken
        ? '/metrics answers requests with the bearer token PAPERBOY_METRICS_TOKEN'
        : '/metrics answers direct requests from this machine only (PAPERBOY_METRICS_TOKEN lets a scraper elsewhere in)',
    );

    const timer = setInterval(() => void cleanUp(), CLEANUP_EVERY_MS);
    timer.unref();
    const stopped =
      stop ??
      new Promise<void>((done) => {
        process.once('SIGINT', () => done());
        process.once('SIGTERM', () => done());
      });
    await stopped;
    clearInterval(timer);
    await server.close();
    await transport.close();
    log.info('paperboy serve: stopped');
    return EXIT.ok;
  }, { configWarnings: true });
}
