import { pino } from 'pino';
import { formatLogLine } from './format-log-line.ts';
import type { Logger, LogLevel } from './logger.ts';

// The CLI's logger: pino writing one record per line to `write` (stderr), as JSON lines for a log collector, or
// formatted for a person on a terminal. Records are written synchronously, in order with the other output.

export type LogFormat = 'human' | 'json';

export function createLogger(options: {
  level: LogLevel;
  format: LogFormat;
  /** Writes one line (without its newline). */
  write: (line: string) => void;
  /** The clock of the record times (injected: tests pin it). */
  now: () => Date;
}): Logger {
  const { format, write } = options;
  const destination = {
    write(chunk: string) {
      const line = chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk;
      write(format === 'json' ? line : formatLogLine(JSON.parse(line) as Record<string, unknown>));
    },
  };
  const logger = pino(
    {
      level: options.level,
      // No pid and hostname in every line: the service manager or the collector adds where a line came from.
      base: null,
      timestamp: () => `,"time":"${options.now().toISOString()}"`,
      // Level names, not pino's numbers: `"level":"warn"` needs no lookup table in the collector.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (msg: string, fields?: Record<string, unknown>) => {
      if (fields) logger[level](fields, msg);
      else logger[level](msg);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
