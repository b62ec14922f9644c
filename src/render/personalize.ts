import type { RenderedMail } from '../types.ts';
import { READER_PLACEHOLDERS, type ReaderFields } from './issue-copy.ts';

// Filling one reader's links and address into a segment's mail. Its own small module so that sending (which mostly
// reuses a kept render) and the preview do not load MJML and React just to fill in three values.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/gu, (c) => HTML_ESCAPES[c] ?? c);
}

/** Fills one reader's URLs and address into a segment's mail. split/join: `replaceAll` would expand `$&`. */
export function personalize(mail: RenderedMail, reader: ReaderFields): RenderedMail {
  let { html, text } = mail;
  for (const key of Object.keys(READER_PLACEHOLDERS) as Array<keyof typeof READER_PLACEHOLDERS>) {
    const token = READER_PLACEHOLDERS[key];
    html = html.split(token).join(escapeHtml(reader[key]));
    text = text.split(token).join(reader[key]);
  }
  return { ...mail, html, text };
}

/**
 * The links a segment's browsable copy gets instead of a reader's: harmless sample pages. The run's preview files
 * and `paperboy preview` both use them, so the two show the same mail byte for byte.
 */
export function sampleReader(publicBaseUrl: string): ReaderFields {
  return {
    unsubscribeUrl: `${publicBaseUrl}/unsubscribe/preview`,
    preferencesUrl: `${publicBaseUrl}/preferences/preview`,
    email: 'reader@example.org',
  };
}
