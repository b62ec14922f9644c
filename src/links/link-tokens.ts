import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeBase64url } from './decode-base64url.ts';

// Signed, opaque tokens for the links in every mail. The token alone identifies the reader and what the link may
// do (RFC 8058: a one-click POST carries no cookies), so it is an HMAC over the purpose and the subscriber id; it
// never contains the address. Confirm tokens expire; unsubscribe and preferences links in old mails keep working.
// Below deliver/ (which signs the links it puts in mails) and web/ (which checks them): it imports neither.

export type LinkPurpose = 'unsubscribe' | 'preferences' | 'confirm';

export interface LinkClaims {
  purpose: LinkPurpose;
  subscriberId: number;
  /** Expiry, seconds since the epoch; absent for links that must keep working in old mails. */
  expiresAt?: number;
}

const b64 = (buf: Buffer): string => buf.toString('base64url');

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(`paperboy-link.v1.${body}`).digest().subarray(0, 16);
}

export function signLinkToken(claims: LinkClaims, secret: string): string {
  const parts = [claims.purpose[0], claims.subscriberId.toString(36)];
  if (claims.expiresAt !== undefined) parts.push(Math.floor(claims.expiresAt).toString(36));
  const body = parts.join('.');
  return `${body}.${b64(mac(secret, body))}`;
}

const PURPOSE_BY_INITIAL: Record<string, LinkPurpose> = { u: 'unsubscribe', p: 'preferences', c: 'confirm' };

export type TokenCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'wrong-purpose' | 'expired' };

export function verifyLinkToken(token: string, expected: LinkPurpose, secret: string, now: Date): TokenCheck {
  const parts = token.split('.');
  if (parts.length < 3 || parts.length > 4) return { ok: false, reason: 'malformed' };
  const signature = parts.pop() as string;
  const body = parts.join('.');
  const given = decodeBase64url(signature);
  const wanted = mac(secret, body);
  if (!given || given.length !== wanted.length || !timingSafeEqual(given, wanted)) return { ok: false, reason: 'bad-signature' };
  const [initial, id, expiry] = parts as [string, string, string | undefined];
  const purpose = PURPOSE_BY_INITIAL[initial];
  const subscriberId = Number.parseInt(id, 36);
  if (!purpose || !Number.isSafeInteger(subscriberId) || subscriberId <= 0) return { ok: false, reason: 'malformed' };
  if (purpose !== expected) return { ok: false, reason: 'wrong-purpose' };
  const claims: LinkClaims = { purpose, subscriberId };
  if (expiry !== undefined) {
    claims.expiresAt = Number.parseInt(expiry, 36);
    if (now.getTime() / 1000 > claims.expiresAt) return { ok: false, reason: 'expired' };
  }
  return { ok: true, claims };
}

/** The per-reader URLs a mail carries. */
export function readerLinks(publicBaseUrl: string, subscriberId: number, secret: string) {
  return {
    unsubscribeUrl: `${publicBaseUrl}/unsubscribe/${signLinkToken({ purpose: 'unsubscribe', subscriberId }, secret)}`,
    preferencesUrl: `${publicBaseUrl}/preferences/${signLinkToken({ purpose: 'preferences', subscriberId }, secret)}`,
  };
}

/** The link in a confirmation mail; unlike the links in issues it stops working at `expiresAt`. */
export function confirmLink(publicBaseUrl: string, subscriberId: number, secret: string, expiresAt: Date): string {
  const token = signLinkToken({ purpose: 'confirm', subscriberId, expiresAt: expiresAt.getTime() / 1000 }, secret);
  return `${publicBaseUrl}/confirm/${token}`;
}
