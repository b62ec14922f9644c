import { escapeForTerminal } from '../hidden-characters.ts';

// How a log record reads on a terminal: `14:03:22 WARN  message key=value …`, the local time of day first (the
// date is in the messages that need one). A multi-line field (a stack) follows on its own indented lines. Messages
// quote feeds, files and requests, so hidden characters are shown escaped: none may drive the terminal. Pure.

const RESERVED = new Set(['level', 'time', 'msg']);

const pad = (n: number) => String(n).padStart(2, '0');

function timeOfDay(time: unknown): string {
  const date = new Date(typeof time === 'string' || typeof time === 'number' ? time : Number.NaN);
  if (Number.isNaN(date.getTime())) return '--:--:--';
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A value as `key=value` writes it: bare when that cannot be misread, JSON otherwise. */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value) ?? String(value);
}

export function formatLogLine(record: Record<string, unknown>): string {
  const level = String(record.level ?? 'info').toUpperCase().padEnd(5);
  const pairs: string[] = [];
  const blocks: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (RESERVED.has(key) || value === undefined) continue;
    if (typeof value === 'string' && value.includes('\n')) blocks.push(value.replace(/^/gm, '    '));
    else pairs.push(`${key}=${formatValue(value)}`);
  }
  const head = [timeOfDay(record.time), level, String(record.msg ?? ''), ...pairs].join(' ');
  return escapeForTerminal([head, ...blocks].join('\n'), { keepLineBreaks: true });
}
