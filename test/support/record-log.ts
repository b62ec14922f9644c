import type { Logger, LogFields } from '../../src/log/logger.ts';

/** A Logger that keeps `<level>: <message>` lines (and the fields of each), with an optional prefix such as a clock. */
export function recordLog(lines: string[], prefix: () => string = () => '', fields: LogFields[] = []): Logger {
  const at = (level: string) => (msg: string, extra?: LogFields) => {
    lines.push(`${prefix()}${level}: ${msg}`);
    fields.push(extra ?? {});
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
