import { describe, expect, it } from 'vitest';
import { confirmLink, readerLinks, signLinkToken, verifyLinkToken } from '../../src/web/link-tokens.ts';

const secret = 'test-secret-0123456789abcdef0123456789';
const now = new Date('2026-01-01T00:00:00Z');

describe('link tokens', () => {
  it('round-trips and hides the address', () => {
    const token = signLinkToken({ purpose: 'unsubscribe', subscriberId: 42 }, secret);
    expect(token).not.toContain('@');
    expect(verifyLinkToken(token, 'unsubscribe', secret, now)).toEqual({
      ok: true,
      claims: { purpose: 'unsubscribe', subscriberId: 42 },
    });
  });

  it.each([
    ['another secret', (t: string) => t, 'other-secret-0123456789abcdef012345', 'bad-signature'],
    ['an altered subscriber', (t: string) => t.replace(/^u\.[^.]+/, 'u.2b'), secret, 'bad-signature'],
    ['a truncated signature', (t: string) => t.slice(0, -3), secret, 'bad-signature'],
    ['garbage', () => 'hello', secret, 'malformed'],
  ])('rejects %s', (_name, mutate, key, reason) => {
    const token = mutate(signLinkToken({ purpose: 'unsubscribe', subscriberId: 7 }, secret));
    expect(verifyLinkToken(token, 'unsubscribe', key, now)).toEqual({ ok: false, reason });
  });

  it('does not let one purpose stand in for another', () => {
    const token = signLinkToken({ purpose: 'preferences', subscriberId: 7 }, secret);
    expect(verifyLinkToken(token, 'unsubscribe', secret, now)).toEqual({ ok: false, reason: 'wrong-purpose' });
  });

  it('expires confirm tokens', () => {
    const token = signLinkToken({ purpose: 'confirm', subscriberId: 7, expiresAt: now.getTime() / 1000 + 60 }, secret);
    expect(verifyLinkToken(token, 'confirm', secret, now).ok).toBe(true);
    expect(verifyLinkToken(token, 'confirm', secret, new Date(now.getTime() + 61_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('builds https links under the public base URL', () => {
    const links = readerLinks('https://digest.example.org', 3, secret);
    expect(links.unsubscribeUrl).toMatch(/^https:\/\/digest\.example\.org\/unsubscribe\/u\.3\.[\w-]+$/);
    expect(links.preferencesUrl).toMatch(/^https:\/\/digest\.example\.org\/preferences\/p\.3\.[\w-]+$/);
  });

  it('builds confirmation links that expire at the given time', () => {
    const url = confirmLink('https://digest.example.org', 5, secret, new Date(now.getTime() + 3600_000));
    const token = /^https:\/\/digest\.example\.org\/confirm\/(c\.5\.[0-9a-z]+\.[\w-]+)$/.exec(url)?.[1];
    expect(token).toBeDefined();
    expect(verifyLinkToken(token!, 'confirm', secret, now)).toEqual({
      ok: true,
      claims: { purpose: 'confirm', subscriberId: 5, expiresAt: now.getTime() / 1000 + 3600 },
    });
    expect(verifyLinkToken(token!, 'confirm', secret, new Date(now.getTime() + 3601_000))).toEqual({ ok: false, reason: 'expired' });
  });
});
