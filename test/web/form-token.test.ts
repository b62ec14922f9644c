import { describe, expect, it } from 'vitest';
import { FORM_TOKEN_TTL_MS, isSameSiteRequest, signFormToken, verifyFormToken } from '../../src/web/form-token.ts';

const secret = 'form-secret-0123456789abcdef0123456789';
const now = new Date('2026-03-02T09:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);

describe('form tokens', () => {
  const token = signFormToken(secret, '/preferences/p.1.abc', now);

  it.each([
    ['the same path, at once', token, '/preferences/p.1.abc', secret, now, { ok: true }],
    ['the same path, just before expiry', token, '/preferences/p.1.abc', secret, later(FORM_TOKEN_TTL_MS - 1000), { ok: true }],
    ['after expiry', token, '/preferences/p.1.abc', secret, later(FORM_TOKEN_TTL_MS + 1000), { ok: false, reason: 'expired' }],
    ['from the future', token, '/preferences/p.1.abc', secret, later(-10 * 60_000), { ok: false, reason: 'expired' }],
    ['another path', token, '/preferences/p.2.abc', secret, now, { ok: false, reason: 'bad-signature' }],
    ['another secret', token, '/preferences/p.1.abc', `${secret}x`, now, { ok: false, reason: 'bad-signature' }],
    ['a changed time', token.replace(/^[0-9a-z]+/, (t) => (Number.parseInt(t, 36) + 1).toString(36)), '/preferences/p.1.abc', secret, now, { ok: false, reason: 'bad-signature' }],
    ['no token', undefined, '/', secret, now, { ok: false, reason: 'missing' }],
    ['an empty token', '', '/', secret, now, { ok: false, reason: 'missing' }],
    ['a list of tokens', [token, token], '/preferences/p.1.abc', secret, now, { ok: false, reason: 'missing' }],
    ['garbage', 'x.y', '/', secret, now, { ok: false, reason: 'malformed' }],
    // Only the canonical spelling of the signature: the shared strict decoder of every token (decode-base64url.ts).
    ['"==" padding', `${token}==`, '/preferences/p.1.abc', secret, now, { ok: false, reason: 'malformed' }],
    ['a standard base64 "+"', `${token.slice(0, -1)}+`, '/preferences/p.1.abc', secret, now, { ok: false, reason: 'malformed' }],
    ['a character outside base64url', `${token.slice(0, -1)}!`, '/preferences/p.1.abc', secret, now, { ok: false, reason: 'malformed' }],
  ])('checks %s', (_name, given: unknown, action, key, at, expected) => {
    expect(verifyFormToken(key, action, given, at)).toEqual(expected);
  });
});

describe('isSameSiteRequest', () => {
  const hosts = ['digest.example.org', '127.0.0.1:8787'];
  it.each([
    ['no browser headers (curl, old browsers)', {}, true],
    ['our public origin', { origin: 'https://digest.example.org', secFetchSite: 'same-origin' }, true],
    ['the host the proxy forwarded to', { origin: 'http://127.0.0.1:8787' }, true],
    ['a typed URL (Sec-Fetch-Site none)', { secFetchSite: 'none' }, true],
    ['another site', { origin: 'https://evil.example' }, false],
    ['a sibling subdomain', { origin: 'https://x.example.org', secFetchSite: 'same-site' }, false],
    ['a cross-site fetch without Origin', { secFetchSite: 'cross-site' }, false],
    ['an opaque origin', { origin: 'null' }, false],
    ['a look-alike host', { origin: 'https://digest.example.org.evil.example' }, false],
  ])('%s → %s', (_name, headers, expected) => {
    expect(isSameSiteRequest(headers, hosts)).toBe(expected);
  });
});
