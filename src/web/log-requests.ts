import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../log/logger.ts';

// One log record per request: method, path (tokens cut out), status, duration and a request id, which is also sent
// back in X-Request-Id so a reader's report ("it said error 3f2a…") or a proxy's log leads to the line.

/** A proxy's id is kept when it is a plain short token; anything else (long, odd characters) gets a fresh one. */
const ID_MAX_LENGTH = 64;
/** Paths come from the client: a long one is cut, so a request cannot make a megabyte log line. */
const PATH_MAX_LENGTH = 200;
/** Polled every few seconds by uptime checks and Prometheus: logged at debug so they do not bury the rest. */
const QUIET_PATHS = new Set(['/healthz', '/metrics']);

/** The path fit for a log: the signed token of a confirm, preferences or unsubscribe link is a key to a reader. */
export function redactPath(path: string): string {
  const redacted = path.replace(/\/(confirm|preferences|unsubscribe)\/[^/]+/, '/$1/…');
  return redacted.length > PATH_MAX_LENGTH ? `${redacted.slice(0, PATH_MAX_LENGTH)}…` : redacted;
}

export function logRequests(log: Logger): MiddlewareHandler {
  const assignId = requestId({ limitLength: ID_MAX_LENGTH });
  return (c, next) =>
    assignId(c, async () => {
      const started = performance.now();
      await next();
      const status = c.res.status;
      const fields = { status, ms: Math.round(performance.now() - started), requestId: c.get('requestId') };
      const line = `${c.req.method} ${redactPath(c.req.path)}`;
      if (status >= 500) log.error(line, fields);
      else if (QUIET_PATHS.has(c.req.path)) log.debug(line, fields);
      else log.info(line, fields);
    });
}
