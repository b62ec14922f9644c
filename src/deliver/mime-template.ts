import nodemailer from 'nodemailer';
import MimeNode from 'nodemailer/lib/mime-node/index.js';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp/index.js';
import { READER_PLACEHOLDERS, type ReaderFields } from '../render/index.ts';
import type { ISODate, RenderedMail } from '../types.ts';
import { domainOfAddress, issueHeaders, type OutgoingMail } from './compose-mail.ts';
import { escapeHtml } from '../render/index.ts';

// Building a MIME message costs nodemailer 1–4 ms per mail (quoted-printable encoding of ~50 KB of mostly
// Chinese HTML), which caps a run near 300 mails/s. Every mail of a segment is the same except the reader's
// address, Message-ID, date and three links, so the message is encoded once per segment, with each per-reader
// value on a quoted-printable line of its own, and a reader's mail is string filling: ~100× cheaper.

/** What differs from one reader's copy to the next. */
export interface TemplateReader {
  subscriberId: number;
  to: string;
  fields: ReaderFields;
  date: Date;
}

export interface MimeTemplate {
  /**
   * The reader's RFC 5322 message with CRLF line ends, or null when the address is not plain ASCII. A Buffer:
   * the ~30 KB of a mail stay outside the JavaScript heap while the mail waits for a connection.
   */
  fill(reader: TemplateReader, options?: { dotStuffed?: boolean }): Buffer | null;
  /**
   * The same message as consecutive pieces, most of them the segment's own shared bytes: written to a socket one
   * after another (writev), a reader's ~30 KB message is never copied into a buffer of its own.
   */
  fillPieces(reader: TemplateReader, options?: { dotStuffed?: boolean }): Buffer[] | null;
}

const DOT = 0x2e;
const LF = 0x0a;
const NEWLINE_DOT = Buffer.from('\n.');

/**
 * SMTP's transparency (RFC 5321 4.5.2): a line that starts with "." gets a second one, so that it cannot end the
 * DATA. `atLineStart`: the bytes follow a line end (or start the message), so a leading "." counts. Searches with
 * Buffer.indexOf (native) and copies only when a line needs it; returns `bytes` itself when none does.
 */
export function dotStuff(bytes: Buffer, atLineStart = true): Buffer {
  const cuts: number[] = [];
  if (atLineStart && bytes[0] === DOT) cuts.push(0);
  for (let at = bytes.indexOf(NEWLINE_DOT); at >= 0; at = bytes.indexOf(NEWLINE_DOT, at + 1)) cuts.push(at + 1);
  if (cuts.length === 0) return bytes;
  const out = Buffer.allocUnsafe(bytes.length + cuts.length);
  let from = 0;
  let to = 0;
  for (const cut of cuts) {
    to += bytes.copy(out, to, from, cut);
    out[to++] = DOT;
    from = cut;
  }
  bytes.copy(out, to, from);
  return out;
}

/** Joins message pieces; with `stuffed`, each piece is dot-stuffed where it starts a line (their insides already are). */
function joinPieces(pieces: Buffer[], stuffed: boolean): Buffer[] {
  if (!stuffed) return pieces;
  const out: Buffer[] = [];
  let lineStart = true;
  for (const piece of pieces) {
    if (piece.length === 0) continue;
    if (lineStart && piece[0] === DOT) out.push(DOT_BYTE);
    out.push(piece);
    lineStart = piece[piece.length - 1] === LF;
  }
  return out;
}
const DOT_BYTE = Buffer.from('.');

export interface TemplateEnvelope {
  from: string;
  replyTo?: string | undefined;
  batchDate: ISODate;
  segmentId: string;
}

// Quoted-printable lines are at most 76 characters including a trailing "=": pieces are wrapped one short so a
// soft break can always be appended.
const QP_LINE = 75;
const SOFT_BREAK = '=\r\n';

// Header placeholders: no spaces, so header folding never splits them.
const TO = 'pb-reader@placeholder.invalid';
const ID = '__PB_SUBSCRIBER_ID__';
const DATE = '__PB_DATE__';
/** A dot-atom address: what the subscriber import accepts, and what can go into a header unencoded. */
const PLAIN_ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9.-]+$/;

type Field = keyof ReaderFields;
/** Encoded text, or a slot for a reader's value; `soft` ends it with a soft line break (all but a part's last). */
type Piece = string | { field: Field; html: boolean; soft: boolean };

const FIELDS = Object.keys(READER_PLACEHOLDERS) as Field[];
const TOKEN_PATTERN = new RegExp(`(${FIELDS.map((f) => READER_PLACEHOLDERS[f]).join('|')})`);
const FIELD_OF_TOKEN = new Map(FIELDS.map((f) => [READER_PLACEHOLDERS[f] as string, f]));

/** One body part as quoted-printable pieces: encoded text, and slots for the reader's values. */
function encodePart(content: string, html: boolean): Piece[] {
  const chunks = content
    .replace(/\r?\n/g, '\r\n')
    .split(TOKEN_PATTERN)
    .filter((c) => c !== '');
  return chunks.map((chunk, index) => {
    const soft = index < chunks.length - 1;
    const field = FIELD_OF_TOKEN.get(chunk);
    if (field) return { field, html, soft };
    const encoded = qpWrap(qpEncode(chunk), QP_LINE);
    // A piece that ends a line needs no soft break; the last piece of a part takes none either.
    return soft && !encoded.endsWith('\r\n') ? encoded + SOFT_BREAK : encoded;
  });
}

function encodeValue(value: string, soft: boolean): string {
  const encoded = qpWrap(qpEncode(value), QP_LINE);
  return soft ? encoded + SOFT_BREAK : encoded;
}

/**
 * Encodes a segment's rendered mail (with READER_PLACEHOLDERS still in it) into a multipart/alternative
 * message template: text and HTML parts in quoted-printable UTF-8, headers built by nodemailer.
 */
export function buildMimeTemplate(mail: RenderedMail, envelope: TemplateEnvelope): MimeTemplate {
  const root = new MimeNode('multipart/alternative');
  root.setHeader('From', envelope.from);
  root.setHeader('To', TO);
  if (envelope.replyTo) root.setHeader('Reply-To', envelope.replyTo);
  root.setHeader('Subject', mail.subject);
  root.setHeader('Message-ID', `<paperboy.${envelope.batchDate}.${ID}@${domainOfAddress(envelope.from)}>`);
  root.setHeader('Date', DATE);
  const headers = issueHeaders({ ...envelope, unsubscribeUrl: READER_PLACEHOLDERS.unsubscribeUrl });
  for (const [key, value] of Object.entries(headers)) root.setHeader(key, value);
  const headerBlock = root.buildHeaders();
  const boundary = root.boundary;
  if (typeof boundary !== 'string') throw new Error('nodemailer built no multipart boundary');

  const partHead = (type: string) =>
    `--${boundary}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`;
  const pieces: Piece[] = [
    `\r\n\r\n${partHead('text/plain')}`,
    ...encodePart(mail.text, false),
    `\r\n${partHead('text/html')}`,
    ...encodePart(mail.html, true),
    `\r\n--${boundary}--\r\n`,
  ];
  // Header slots are filled by plain replacement: the header block is short.
  const headerParts = headerBlock.split(new RegExp(`(${[TO, ID, DATE, READER_PLACEHOLDERS.unsubscribeUrl].join('|')})`));
  // The encoded text is all ASCII: kept as bytes once, copied into each reader's message.
  const bodyPieces = pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece));
  // The same pieces dot-stuffed inside, once per segment: a reader's SMTP copy then only checks where pieces meet.
  const stuffedPieces = bodyPieces.map((piece) => (Buffer.isBuffer(piece) ? dotStuff(piece, false) : piece));

  const template: MimeTemplate = {
    fill(reader, options = {}) {
      const pieces = template.fillPieces(reader, options);
      return pieces && Buffer.concat(pieces);
    },
    fillPieces(reader, options = {}) {
      const stuffed = options.dotStuffed ?? false;
      if (!PLAIN_ADDRESS.test(reader.to)) return null;
      const headerValues: Record<string, string> = {
        [TO]: reader.to,
        [ID]: String(reader.subscriberId),
        [DATE]: reader.date.toUTCString().replace(/GMT/, '+0000'),
        [READER_PLACEHOLDERS.unsubscribeUrl]: reader.fields.unsubscribeUrl,
      };
      const encoded = new Map<string, string>();
      const slot = ({ field, html, soft }: { field: Field; html: boolean; soft: boolean }) => {
        const cacheKey = `${field}:${html}:${soft}`;
        let value = encoded.get(cacheKey);
        if (value === undefined) {
          value = encodeValue(html ? escapeHtml(reader.fields[field]) : reader.fields[field], soft);
          encoded.set(cacheKey, value);
        }
        return value;
      };
      let head = '';
      for (const part of headerParts) head += headerValues[part] ?? part;
      const headBytes = Buffer.from(head, 'utf8');
      const chunks: Buffer[] = [stuffed ? dotStuff(headBytes, false) : headBytes];
      for (const piece of stuffed ? stuffedPieces : bodyPieces) {
        if (Buffer.isBuffer(piece)) chunks.push(piece);
        else {
          const value = Buffer.from(slot(piece), 'latin1');
          chunks.push(stuffed ? dotStuff(value, false) : value);
        }
      }
      return joinPieces(chunks, stuffed);
    },
  };
  return template;
}

let composer: ReturnType<typeof nodemailer.createTransport> | undefined;

/**
 * The slow path, for an address the template cannot write unencoded (non-ASCII): nodemailer composes the
 * whole message from the mail's fields.
 */
export async function composeRaw(mail: OutgoingMail, date: Date): Promise<Buffer> {
  composer ??= nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await composer.sendMail({
    from: mail.from,
    to: mail.to,
    replyTo: mail.replyTo,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    date,
    headers: mail.headers,
    textEncoding: 'quoted-printable',
  });
  return (info as unknown as { message: Buffer }).message;
}
