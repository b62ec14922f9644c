import { LANGUAGES, type Language, type LocalizedText } from '../types.ts';
import type { SubscribeForm } from './pages/subscribe-page.ts';
import { COPY } from './web-copy.ts';

// Pure checks of what a form sent. Values come from `parseBody({ all: true })`: a field is a string, a file, or a
// list of them when repeated. Anything but strings is treated as absent.

export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART = 64;
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

// Deliberately plain: one @, no spaces or mail-syntax specials in the local part, a dotted host name of letters,
// digits and hyphens. The confirmation mail is the real test of an address.
const LOCAL = /^[^\s@<>()[\]\\,;:"\p{Cc}]+$/u;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function checkEmail(email: string): LocalizedText | null {
  if (email.length > MAX_EMAIL_LENGTH) return COPY.errEmailLong;
  const at = email.lastIndexOf('@');
  if (at <= 0) return COPY.errEmail;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > MAX_LOCAL_PART || !LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return COPY.errEmail;
  }
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1) ?? '')) return COPY.errEmail;
  return null;
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
  const rawEmail = field(body, 'email').trim();
  const emailProblem = checkEmail(rawEmail);
  if (emailProblem) errors.push(emailProblem);
  const rawName = cleanName(field(body, 'name'));
  if (rawName.length > MAX_NAME_LENGTH) errors.push(COPY.errName);
  const { choice, errors: choiceErrors } = parseTopicChoice(body, knownTopics);
  errors.push(...choiceErrors);
  return {
    // Shown again in the form: cut, so a megabyte of input is not echoed back.
    form: { email: rawEmail.slice(0, MAX_EMAIL_LENGTH), name: rawName.slice(0, MAX_NAME_LENGTH), ...choice },
    errors,
  };
}

/** The honeypot: a field people never see; bots fill every field they find. */
export function isHoneypotFilled(body: FormBody): boolean {
  return field(body, 'website').trim() !== '';
}
