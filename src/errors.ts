// The few typed errors paperboy throws. Library code throws them (with `{ cause }` when wrapping);
// only the CLI entry (src/cli/main.ts) catches them and turns them into a message and an exit code.

export const EXIT = {
  /** Done, or no issue today. */
  ok: 0,
  /** Failed, nothing sent. */
  failed: 1,
  /** Bad usage or config. */
  usage: 2,
  /** Sent with some failures (listed in the report). */
  partial: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class PaperboyError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  constructor(code: string, message: string, exitCode: ExitCode, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** The config file or an environment variable is wrong; the message names the key. */
export class ConfigError extends PaperboyError {
  readonly problems: string[];
  constructor(message: string, problems: string[] = [], options?: ErrorOptions) {
    super('CONFIG', message, EXIT.usage, options);
    this.problems = problems;
  }
}

/** The command line is wrong. */
export class UsageError extends PaperboyError {
  constructor(message: string, options?: ErrorOptions) {
    super('USAGE', message, EXIT.usage, options);
  }
}

/** One feed could not be fetched or parsed; the other feeds go on. */
export class FeedError extends PaperboyError {
  readonly feed: string;
  constructor(feed: string, message: string, options?: ErrorOptions) {
    super('FEED', `${feed}: ${message}`, EXIT.failed, options);
    this.feed = feed;
  }
}

/** Rendering broke (invalid MJML, a template bug). */
export class RenderError extends PaperboyError {
  constructor(message: string, options?: ErrorOptions) {
    super('RENDER', message, EXIT.failed, options);
  }
}

/** A server cannot listen where it was told to (the port is taken, needs privileges, or the host is not ours). */
export class ListenError extends PaperboyError {
  constructor(message: string, options?: ErrorOptions) {
    // Exit 2: the way out is another port or host (an option or the config), as for bad usage.
    super('LISTEN', message, EXIT.usage, options);
  }
}
