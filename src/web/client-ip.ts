import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The address a request came from, for rate limits and consent evidence. Behind a reverse proxy every request
 * comes from the proxy, so with `trustProxy` the last X-Forwarded-For hop is used: the one the proxy itself
 * appended (earlier hops are whatever the client chose to send). Null when unknown (`app.request()` in tests).
 */
export function clientIpOf(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
    const last = hops.at(-1);
    if (last) return last.slice(0, 64);
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

/** A header a reverse proxy adds: a request carrying one came from elsewhere, whatever the socket says. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

/**
 * Whether a request comes straight from this machine: a loopback socket and no proxy header (behind a proxy on the
 * same machine, every request from the internet arrives on loopback too). False when unknown (`app.request()`).
 */
export function isDirectLoopback(c: Context): boolean {
  if (FORWARDING_HEADERS.some((name) => c.req.header(name) !== undefined)) return false;
  try {
    const address = getConnInfo(c).remote.address ?? '';
    return /^(127\.|::1$|::ffff:127\.)/.test(address);
  } catch {
    return false;
  }
}
