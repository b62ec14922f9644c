import { domainToASCII } from 'node:url';
import { describeHiddenCharacter, findHiddenCharacter, type HiddenCharacter } from '../hidden-characters.ts';

// The one rule for a reader's address, used by the web sign-up form (src/web/validate-form.ts) and the CSV import
// (parse-subscriber-csv.ts), so an address one accepts the other accepts too, spelt the same.
//
// Policy, and why:
// - Nothing hidden: an address with a control, invisible or bidi character (`ad\u202emin@…` shows as another
//   address, `a\u200bb@…` looks like `ab@…`) is refused with the character and its position, never cleaned up:
//   guessing what was meant would mail someone else.
// - The mailbox name (before the @) is plain ASCII (RFC 5322 dot-atom). Internationalized mailbox names need
//   SMTPUTF8 (RFC 6531) at every hop; many servers and mail APIs refuse them, and paperboy writes To: unencoded
//   on the fast path (src/deliver/mime-template.ts). Accepting what cannot be delivered would only hide the
//   problem until the first issue.
// - The domain may be internationalized (`例え.jp`): it is stored in its ASCII form (`xn--r8jz45g.jp`, UTS #46 as
//   browsers do), which every mail server and transport accepts, so nothing later has to know about IDNs.
// - Normalised the same way everywhere: surrounding spaces, tabs and line ends dropped, NFC, then lower case. The
//   whole address is lower-cased (not only the domain) because the store has one reader per lower-cased address
//   (src/store/subscribers.ts normalizeEmail); no mailbox provider tells `Ada@` from `ada@`.

export const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_PART = 64;
const DOT_ATOM = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export type AddressCheck =
  | { ok: true; address: string }
  | { ok: false; problem: 'missing' | 'too-long' | 'non-ascii-mailbox' | 'invalid'; reason: string }
  | { ok: false; problem: 'hidden-character'; hidden: HiddenCharacter; reason: string };

const refuse = (problem: 'missing' | 'too-long' | 'non-ascii-mailbox' | 'invalid', reason: string): AddressCheck => ({
  ok: false,
  problem,
  reason,
});

/**
 * Checks and normalises one address as typed or imported. `reason` completes a sentence about the address
 * ("… is not a valid email address"); it never repeats the address, so callers decide how to show it.
 */
export function checkAddress(input: string): AddressCheck {
  const typed = input.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  if (typed === '') return refuse('missing', 'is missing');
  const hidden = findHiddenCharacter(typed);
  if (hidden) return { ok: false, problem: 'hidden-character', hidden, reason: `contains ${describeHiddenCharacter(hidden)}` };
  const text = typed.normalize('NFC');
  if (text.length > MAX_ADDRESS_LENGTH) return refuse('too-long', `is longer than ${MAX_ADDRESS_LENGTH} characters`);

  const at = text.lastIndexOf('@');
  if (at <= 0) return refuse('invalid', 'is not a valid email address');
  const local = text.slice(0, at);
  if (/[^\x00-\x7f]/.test(local)) {
    return refuse(
      'non-ascii-mailbox',
      'has non-ASCII characters before the @: only plain ASCII mailbox names are accepted, because many mail ' +
        'servers cannot deliver to others (SMTPUTF8)',
    );
  }
  if (local.length > MAX_LOCAL_PART || !DOT_ATOM.test(local)) return refuse('invalid', 'is not a valid email address');

  const rawDomain = text.slice(at + 1);
  // Only for a domain with non-ASCII letters: for an ASCII one, UTS #46 would also read `0x7f.1` as an IPv4 address.
  const domain = /^[\x21-\x7e]*$/.test(rawDomain) ? rawDomain.toLowerCase() : domainToASCII(rawDomain);
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l)) || /^\d+$/.test(labels.at(-1) ?? '')) {
    return refuse('invalid', 'is not a valid email address');
  }
  const address = `${local.toLowerCase()}@${domain}`;
  if (address.length > MAX_ADDRESS_LENGTH) return refuse('too-long', `is longer than ${MAX_ADDRESS_LENGTH} characters`);
  return { ok: true, address };
}
