// The `Retry-After` header (RFC 9110 §10.2.3) in one place: a delay in seconds or an HTTP date, read as the
// milliseconds to wait from `now`. Pure (no clock, no I/O); what to do with a long wait is the caller's decision
// (the feed download caps it, the translator fails fast past its limit, the Resend transport waits it out).
//
// Two readings, because the three callers read it differently before they shared this rule, and each caller's
// behaviour is kept:
//
// - 'strict' (arXiv feed downloads): delay-seconds is 1*DIGIT as the RFC says, after trimming spaces; an HTTP date
//   must name its month. So "1.5", "-3", "1e3", "0x10", "" and an ISO date without a month name read as null and the
//   download falls back to its own jittered backoff: a garbled header from a server under load never turns into
//   a zero wait, and Date.parse never reads "-3" as the year 2003.
// - 'number' (OpenAI-compatible APIs and Resend): whatever JavaScript's Number reads is seconds, so fractions work
//   ("0.5" → 500 ms, which both APIs' tests rely on), a negative delay waits 0, and an empty value is 0 s (Number('')
//   is 0; the translator treats an empty header as absent before it asks, Resend's transport never did). Anything
//   else Date.parse reads (ISO dates too) is a date. "1e400" is Infinity, not finite: it is then read as a date,
//   which fails, so null.
//
// In both readings a date in the past waits 0, an unreadable value is null, and a huge delay is returned as it is
// (Infinity for more digits than a double holds): capping is the caller's.

export type RetryAfterSyntax = 'strict' | 'number';

/** Milliseconds to wait that `header` asks for at `now` (ms since the epoch), or null when absent or unreadable. */
export function parseRetryAfter(
  header: string | null | undefined,
  now: number,
  syntax: RetryAfterSyntax = 'strict',
): number | null {
  if (header === null || header === undefined) return null;
  return syntax === 'strict' ? strict(header, now) : lenient(header, now);
}

function strict(header: string, now: number): number | null {
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its month; without that check Date.parse reads "-3" as a year.
  if (!/[A-Za-z]{3}/.test(value)) return null;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

function lenient(header: string, now: number): number | null {
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
