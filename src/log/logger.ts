import { UsageError } from '../errors.ts';

// What the pipeline logs through: a small interface, so library code and tests need no logging library (tests
// pass plain objects). The CLI's implementation is create-logger.ts (pino, loaded only by commands that log).

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Facts for machines, beside the message for people (JSON keys; `key=value` on a terminal). */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** A line redrawn in place on a terminal (a progress bar), beside the log; see src/cli/terminal-output.ts. */
export interface StatusLine {
  /** Replaces the status line with `text`, in place. */
  show(text: string): void;
  /** Ends the status line, leaving it visible; nothing when none is shown. The next output starts a line. */
  end(): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Whether a logger at `level` writes records of `record` level. */
export function isLevelShown(level: LogLevel, record: Exclude<LogLevel, 'silent'>): boolean {
  return LOG_LEVELS.indexOf(record) >= LOG_LEVELS.indexOf(level);
}

/**
 * The level of a command: `--quiet` (warnings and errors), `--verbose` (debug), else `LOG_LEVEL`, else info. The
 * flags win over the environment, so a one-off `--verbose` works under a service's `LOG_LEVEL=warn`.
 */
export function resolveLogLevel(options: { quiet?: boolean | undefined; verbose?: boolean | undefined }, env: NodeJS.ProcessEnv): LogLevel {
  if (options.quiet) return 'warn';
  if (options.verbose) return 'debug';
  const value = env.LOG_LEVEL?.trim().toLowerCase();
  if (!value) return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new UsageError(`LOG_LEVEL ${JSON.stringify(env.LOG_LEVEL)} is not a level: expected ${LOG_LEVELS.join(', ')}`);
  }
  return value as LogLevel;
}
