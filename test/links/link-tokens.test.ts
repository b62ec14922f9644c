import { describe, expect, it } from 'vitest';
import { decodeBase64url } from '../../src/links/decode-base64url.ts';
import { confirmLink, readerLinks, signLinkToken, verifyLinkToken } from '../../src/links/link-tokens.ts';

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

  // 16 signature bytes take 22 base64url characters, the last of which carries 4 unused bits: flipping one of them
  // (…Gjm4w → …Gjm4x) changes the text but not the bytes Node decodes, as do padding and characters Node skips.
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const flipUnusedBit = (t: string) => t.slice(0, -1) + ALPHABET[ALPHABET.indexOf(t.at(-1)!) ^ 1];
  it.each([
    ['its last character changed in the unused bits', flipUnusedBit],
    ['"==" padding', (t: string) => `${t}==`],
    ['one "=" of padding', (t: string) => `${t}=`],
    ['a character outside base64url', (t: string) => `${t}!`],
    ['a space inside the signature', (t: string) => `${t.slice(0, -4)} ${t.slice(-4)}`],
    ['standard base64 "+" and "/" for "-" and "_"', (t: string) => t.replace(/\.([^.]+)$/, (_m, sig: string) => `.${sig.replace(/-/g, '+').replace(/_/g, '/')}`)],
    ['a line break', (t: string) => `${t}\n`],
  ])('refuses a signature with %s (same bytes, not the canonical spelling)', (_name, mutate) => {
    // A signature with both "-" and "_" is needed for the "+/" case to mean anything: find such a reader.
    let id = 7;
    const sign = (n: number) => signLinkToken({ purpose: 'unsubscribe', subscriberId: n }, secret);
    while (!/[-_]/.test(sign(id).split('.').pop()!)) id++;
    const token = sign(id);
    const mutated = mutate(token);
    expect(mutated).not.toBe(token);
    // The case is real: Node's lenient decoder reads the same signature bytes from the mutated text.
    expect(Buffer.from(mutated.split('.').pop()!, 'base64url')).toEqual(Buffer.from(token.split('.').pop()!, 'base64url'));
    expect(verifyLinkToken(token, 'unsubscribe', secret, now).ok).toBe(true);
    expect(verifyLinkToken(mutated, 'unsubscribe', secret, now)).toEqual({ ok: false, reason: 'bad-signature' });
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

describe('decodeBase64url', () => {
  it.each([
    ['', Buffer.alloc(0)],
    ['AA', Buffer.from([0])],
    ['AAE', Buffer.from([0, 1])],
    ['_-8', Buffer.from([0xff, 0xef])],
    ['AB', null], // unused bits set
    ['AAF', null],
    ['AA==', null], // padding
    ['AA=', null],
    ['A', null], // no byte string has this length
    ['A+8', null], // standard base64, not base64url
    ['A/8', null],
    ['AA AA', null],
    ['AA\n', null],
    ['ÀA', null],
  ])('%j → %j', (text, bytes) => {
    expect(decodeBase64url(text)).toEqual(bytes);
  });
});
