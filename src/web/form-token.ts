import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeBase64url } from '../links/decode-base64url.ts';

// CSRF protection without a session or a cookie, in two layers:
// 1. every form carries a token signed for the path it posts to and the time it was shown (it expires), so a
//    form can only be submitted as this server issued it, and only to the page it was made for;
// 2. a browser's POST must not come from another site: `Sec-Fetch-Site` must be same-origin (or absent, for old
//    browsers and non-browsers) and `Origin`, when sent, must be this site.
// A token fetched by an attacker's own server is useless in a victim's browser because of (2); a direct request
// from the attacker's server is no forgery at all and meets the rate limits like anyone else.

/** How long a shown form may be submitted. */
export const FORM_TOKEN_TTL_MS = 6 * 60 * 60 * 1000;
/** Clock skew tolerated for a token "from the future" (several server processes). */
const SKEW_MS = 5 * 60 * 1000;

function mac(secret: string, action: string, issuedAt: string): Buffer {
  return createHmac('sha256', secret).update(`paperboy-form.v1|${action}|${issuedAt}`).digest().subarray(0, 18);
}

export function signFormToken(secret: string, action: string, now: Date): string {
  const issuedAt = Math.floor(now.getTime() / 1000).toString(36);
  return `${issuedAt}.${mac(secret, action, issuedAt).toString('base64url')}`;
}

export type FormTokenCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'bad-signature' | 'expired' };

export function verifyFormToken(secret: string, action: string, token: unknown, now: Date): FormTokenCheck {
  if (typeof token !== 'string' || token === '') return { ok: false, reason: 'missing' };
  const match = /^([0-9a-z]{1,12})\.([\w-]{24})$/.exec(token);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, issuedAt, signature] = match as unknown as [string, string, string];
  const given = decodeBase64url(signature);
  const wanted = mac(secret, action, issuedAt);
  if (!given || given.length !== wanted.length || !timingSafeEqual(given, wanted)) return { ok: false, reason: 'bad-signature' };
  const age = now.getTime() - Number.parseInt(issuedAt, 36) * 1000;
  if (age > FORM_TOKEN_TTL_MS || age < -SKEW_MS) return { ok: false, reason: 'expired' };
  return { ok: true };
}

/**
 * Whether the request's browser context says it comes from this site. `allowedHosts` are the public host (from
 * newsletter.publicBaseUrl) and the host the request was addressed to (a proxy may rewrite Host).
 */
export function isSameSiteRequest(headers: { origin?: string | undefined; secFetchSite?: string | undefined }, allowedHosts: readonly string[]): boolean {
  const site = headers.secFetchSite?.toLowerCase();
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  if (headers.origin === undefined) return true;
  let host: string;
  try {
    host = new URL(headers.origin).host.toLowerCase();
  } catch {
    // "null" (a sandboxed frame, a privacy-sensitive redirect) names no site: not ours.
    return false;
  }
  return allowedHosts.some((allowed) => allowed.toLowerCase() === host);
}
