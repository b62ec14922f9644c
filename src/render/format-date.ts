import { DateTime } from 'luxon';
import { RenderError } from '../errors.ts';
import type { ISODate, LocalizedText } from '../types.ts';

// en-US month names: en-GB abbreviates September as "Sept" in recent ICU.
// The issue date is a calendar date (the arXiv batch's New York date), not an instant: parse it in UTC so no
// zone shift can move it to the neighbouring day.
function parseIssueDate(date: ISODate): DateTime {
  const dt = DateTime.fromISO(date, { zone: 'utc' });
  if (!dt.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new RenderError(`invalid issue date "${date}" (expected YYYY-MM-DD)`);
  }
  return dt;
}

// Every mail of a run names the same day, several times (subject, preheader, masthead, text part): luxon's
// formatting is remembered per date rather than redone per mail (assembling 100 000 mails, issue 12 part 6).
const remembered = new Map<string, LocalizedText>();
function rememberDate(kind: string, date: ISODate, format: (date: ISODate) => LocalizedText): LocalizedText {
  const key = `${kind}|${date}`;
  let text = remembered.get(key);
  if (!text) {
    text = format(date);
    if (remembered.size > 256) remembered.clear();
    remembered.set(key, text);
  }
  return { ...text };
}

/** Header date: en "Friday, 14 November 2025", zh "2025年11月14日 星期五". */
export function formatIssueDate(date: ISODate): LocalizedText {
  return rememberDate('issue', date, formatIssueDateNow);
}

/** Subject and preheader date: en "Fri 14 Nov 2025", zh "2025年11月14日". */
export function formatShortDate(date: ISODate): LocalizedText {
  return rememberDate('short', date, formatShortDateNow);
}

function formatIssueDateNow(date: ISODate): LocalizedText {
  const dt = parseIssueDate(date);
  return {
    en: dt.setLocale('en-US').toFormat('cccc, d LLLL yyyy'),
    zh: dt.setLocale('zh-CN').toFormat("yyyy'年'M'月'd'日' cccc"),
  };
}

function formatShortDateNow(date: ISODate): LocalizedText {
  const dt = parseIssueDate(date);
  return {
    en: dt.setLocale('en-US').toFormat('ccc d LLL yyyy'),
    zh: dt.setLocale('zh-CN').toFormat("yyyy'年'M'月'd'日'"),
  };
}

/**
 * A weekly digest's days (issue 12, part 5): en "10–14 November 2025" (long) or "10–14 Nov 2025" (short), across
 * a month "27 October – 1 November 2025"; zh "2025年11月10日–14日", across a month "2025年10月27日–11月1日".
 */
export function formatWeekRange(from: ISODate, to: ISODate, length: 'long' | 'short' = 'long'): LocalizedText {
  const a = parseIssueDate(from).setLocale('en-US');
  const b = parseIssueDate(to).setLocale('en-US');
  const month = length === 'long' ? 'LLLL' : 'LLL';
  const sameYear = a.year === b.year;
  const sameMonth = sameYear && a.month === b.month;
  const en = sameMonth
    ? `${a.toFormat('d')}–${b.toFormat(`d ${month} yyyy`)}`
    : `${a.toFormat(sameYear ? `d ${month}` : `d ${month} yyyy`)} – ${b.toFormat(`d ${month} yyyy`)}`;
  const zhEnd = sameMonth ? b.toFormat("d'日'") : sameYear ? b.toFormat("M'月'd'日'") : b.toFormat("yyyy'年'M'月'd'日'");
  const zh = `${a.toFormat("yyyy'年'M'月'd'日'")}–${zhEnd}`;
  return { en, zh };
}
