import { READER_PLACEHOLDERS, type ReaderFields } from '../render/issue-copy.ts';
import type { RenderedMail } from '../types.ts';

// Filling one reader's links and address into a segment's mail: the same substitution as `personalize` in
// src/render/render-issue.ts, kept here so that sending (which mostly reuses a kept render) does not load MJML and
// React at all. Both iterate READER_PLACEHOLDERS, so a new placeholder is filled by both.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/gu, (c) => HTML_ESCAPES[c] ?? c);
}

/** split/join rather than replaceAll: a value containing `$&` must not be expanded. */
export function fillReader(mail: RenderedMail, reader: ReaderFields): RenderedMail {
  let { html, text } = mail;
  for (const key of Object.keys(READER_PLACEHOLDERS) as Array<keyof typeof READER_PLACEHOLDERS>) {
    const token = READER_PLACEHOLDERS[key];
    html = html.split(token).join(escapeHtml(reader[key]));
    text = text.split(token).join(reader[key]);
  }
  return { ...mail, html, text };
}
