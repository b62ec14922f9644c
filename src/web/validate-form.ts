import { codePointLabel } from '../hidden-characters.ts';
import { type InterestProblem, parseInterests } from '../subscribers/reader-interests.ts';
import { type AddressCheck, checkAddress, MAX_ADDRESS_LENGTH } from '../subscribers/validate-address.ts';
import { FREQUENCIES, LANGUAGES, type Frequency, type Language, type LocalizedText, type ReaderInterests } from '../types.ts';
import type { InterestTexts } from './pages/choice-fields.ts';
import type { SubscribeForm } from './pages/subscribe-page.ts';
import { COPY } from './web-copy.ts';

// Pure checks of what a form sent. Values come from `parseBody({ all: true })`: a field is a string, a file, or a
// list of them when repeated. Anything but strings is treated as absent.

export const MAX_NAME_LENGTH = 100;

export type FormBody = Record<string, unknown>;

function field(body: FormBody, name: string): string {
  const value = body[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

function fields(body: FormBody, name: string): string[] {
  const value = body[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string');
}

/**
 * What is wrong with a typed address, in both languages, or null. The rule is the CSV import's too
 * (src/subscribers/validate-address.ts); the confirmation mail is the real test of an address.
 */
export function emailError(check: AddressCheck): LocalizedText | null {
  if (check.ok) return null;
  switch (check.problem) {
    case 'too-long':
      return COPY.errEmailLong;
    case 'non-ascii-mailbox':
      return COPY.errEmailAscii;
    case 'hidden-character': {
      const where = { code: codePointLabel(check.hidden.codePoint), position: check.hidden.position };
      return {
        en: `${COPY.errEmailHidden.en} (${where.code}, character ${where.position}). ${COPY.errEmailRetype.en}`,
        zh: `${COPY.errEmailHidden.zh}（${where.code}，第 ${where.position} 个字符）。${COPY.errEmailRetype.zh}`,
      };
    }
    default:
      return COPY.errEmail;
  }
}

/** Control characters out, runs of white space to one space, trimmed. */
function cleanName(name: string): string {
  return name.replace(/\p{Cc}+/gu, ' ').replace(/\s+/gu, ' ').trim();
}

export interface TopicChoice {
  topics: string[];
  language: Language;
}

/** Topics (known ids only, at least one) and a language. Unknown ids are an error, never silently dropped. */
export function parseTopicChoice(
  body: FormBody,
  knownTopics: readonly string[],
): { choice: TopicChoice; errors: LocalizedText[] } {
  const errors: LocalizedText[] = [];
  const known = new Set(knownTopics);
  const picked = [...new Set(fields(body, 'topics').map((t) => t.trim()))].filter((t) => t !== '');
  const topics = knownTopics.filter((id) => picked.includes(id));
  if (picked.some((t) => !known.has(t))) errors.push(COPY.errUnknownTopic);
  else if (topics.length === 0) errors.push(COPY.errNoTopic);
  const rawLanguage = field(body, 'language');
  const language = (LANGUAGES as readonly string[]).includes(rawLanguage) ? (rawLanguage as Language) : null;
  if (!language) errors.push(COPY.errLanguage);
  return { choice: { topics, language: language ?? 'bilingual' }, errors };
}

/** The sign-up form: what to show again (trimmed, length-capped) and what is wrong with it. */
export function parseSubscribeForm(
  body: FormBody,
  knownTopics: readonly string[],
): { form: SubscribeForm; errors: LocalizedText[] } {
  const errors: LocalizedText[] = [];
  const rawEmail = field(body, 'email');
  const address = checkAddress(rawEmail);
  const emailProblem = emailError(address);
  if (emailProblem) errors.push(emailProblem);
  const rawName = cleanName(field(body, 'name'));
  if (rawName.length > MAX_NAME_LENGTH) errors.push(COPY.errName);
  const { choice, errors: choiceErrors } = parseTopicChoice(body, knownTopics);
  errors.push(...choiceErrors);
  // No field at all (a page from before the choice existed) is the old default, daily; a forged value is an error.
  const { frequency, errors: frequencyErrors } = parseFrequencyChoice(body);
  errors.push(...frequencyErrors);
  return {
    // Shown again in the form: cut, so a megabyte of input is not echoed back.
    form: {
      email: address.ok ? address.address : rawEmail.trim().slice(0, MAX_ADDRESS_LENGTH),
      name: rawName.slice(0, MAX_NAME_LENGTH),
      ...choice,
      frequency: frequency ?? 'daily',
    },
    errors,
  };
}

/**
 * Daily or weekly. Undefined when the form had no such field (a page from before it existed): keep what is stored;
 * any other value is an error, never silently taken as daily.
 */
export function parseFrequencyChoice(body: FormBody): { frequency: Frequency | undefined; errors: LocalizedText[] } {
  if (!('frequency' in body)) return { frequency: undefined, errors: [] };
  const raw = field(body, 'frequency');
  if ((FREQUENCIES as readonly string[]).includes(raw)) return { frequency: raw as Frequency, errors: [] };
  return { frequency: undefined, errors: [COPY.errFrequency] };
}

/** The honeypot: a field people never see; bots fill every field they find. */
export function isHoneypotFilled(body: FormBody): boolean {
  return field(body, 'website').trim() !== '';
}

const INTEREST_LABELS = { keywords: COPY.keywordsLabel, exclude: COPY.excludeLabel, authors: COPY.authorsLabel };
const INTEREST_REASONS: Record<InterestProblem['code'], LocalizedText> = {
  'hidden-character': COPY.errInterestHidden,
  length: COPY.errInterestLength,
  regex: COPY.errInterestRegex,
  'no-letter': COPY.errInterestNoLetter,
  'too-many': COPY.errInterestTooMany,
};
/** A typed value inside a message: cut, so a long paste is not echoed back whole. */
const shown = (value: string) => (value.length > 40 ? `${value.slice(0, 40)}…` : value);

/**
 * The three interest boxes: what to show again (as typed, capped) and what to store. A bad value is an error
 * naming the box and the value, in both languages; nothing is saved until all of them are good.
 */
export function parseInterestForm(body: FormBody): {
  texts: InterestTexts;
  /** Undefined when the form had no interest boxes at all (a page from before they existed): keep what is stored. */
  interests: ReaderInterests | undefined;
  errors: LocalizedText[];
} {
  const texts: InterestTexts = {
    keywords: field(body, 'keywords').slice(0, 2000),
    exclude: field(body, 'exclude').slice(0, 2000),
    authors: field(body, 'authors').slice(0, 2000),
  };
  const { interests, problems } = parseInterests(texts);
  const errors = problems.map((problem) => {
    const label = INTEREST_LABELS[problem.kind];
    const reason = INTEREST_REASONS[problem.code];
    const value = problem.value === undefined ? '' : `“${shown(problem.value)}”`;
    return { en: `${label.en}${value && ` ${value}`}: ${reason.en}.`, zh: `${label.zh}${value}：${reason.zh}。` };
  });
  const sent = ['keywords', 'exclude', 'authors'].some((name) => name in body);
  return { texts, interests: sent ? interests : undefined, errors };
}

/** The reader's stored interests as the boxes show them: one per line. */
export function interestTexts(interests: ReaderInterests): InterestTexts {
  return { keywords: interests.keywords.join('\n'), exclude: interests.exclude.join('\n'), authors: interests.authors.join('\n') };
}
