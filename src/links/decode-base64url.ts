// Node's base64url decoder is lenient: it skips characters outside the alphabet, accepts `=` padding, and ignores
// the unused low bits of the last character, so `…Gjm4w` and `…Gjm4x` decode to the same bytes. A token must have
// exactly one spelling (a changed link must not still work, and a logged or rate-limited token must be the token),
// so the signature of every token is decoded here and refused unless it is the canonical encoding of its bytes.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** The bytes `text` encodes, or null unless `text` is exactly their unpadded base64url encoding. */
export function decodeBase64url(text: string): Buffer | null {
  // A length of 1 mod 4 cannot be produced by any byte string.
  if (!ALPHABET.test(text) || text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}
