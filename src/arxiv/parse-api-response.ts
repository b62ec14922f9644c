// Parses one export.arxiv.org/api/query response (Atom) into the details the feed lacks: comment, journal reference,
// DOI. Pure apart from rss-parser's own work. Entries are matched by id, never by order, and the namespace prefix
// may sit on each element (older responses) or on the feed: both reach us as `arxiv:…` element names.
import Parser from 'rss-parser';
import { FeedError } from '../errors.ts';
import type { PaperDetails } from './paper-details.ts';
import { ID_PATTERN } from './parse-feed.ts';
import { text } from './xml-text.ts';

export interface ApiResponse {
  details: PaperDetails[];
  /** Entries that could not be read (or API error entries), with why. */
  problems: string[];
}

interface RawEntry {
  id?: unknown;
  title?: unknown;
  summary?: unknown;
  comment?: unknown;
  journalRef?: unknown;
  doi?: unknown;
}

const ENTRY_FIELDS: Array<[string, string]> = [
  ['id', 'id'],
  ['arxiv:comment', 'comment'],
  ['arxiv:journal_ref', 'journalRef'],
  ['arxiv:doi', 'doi'],
  ['summary', 'summary'],
];

const parser = new Parser<Record<string, unknown>, RawEntry>({ customFields: { item: ENTRY_FIELDS } });

const ENTRY_ID = new RegExp(`arxiv\\.org/abs/${ID_PATTERN}v(\\d+)$`);

/** Comments are hard-wrapped in the response; one line each is what authors wrote. */
function optional(value: unknown): string | null {
  const collapsed = text(value).replace(/\s+/g, ' ').trim();
  return collapsed === '' ? null : collapsed;
}

export async function parseApiResponse(xml: string, source: string): Promise<ApiResponse> {
  let feed: Awaited<ReturnType<typeof parser.parseString>>;
  try {
    feed = await parser.parseString(xml);
  } catch (error) {
    throw new FeedError(source, `not an arXiv API response (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
  const details: PaperDetails[] = [];
  const problems: string[] = [];
  for (const [index, entry] of feed.items.entries()) {
    const rawId = text(entry.id).trim();
    // The API answers a bad request with a feed holding one entry titled "Error", its id under /api/errors.
    if (rawId.includes('/api/errors')) {
      problems.push(`API error: ${optional(entry.summary) ?? rawId}`);
      continue;
    }
    const match = ENTRY_ID.exec(rawId);
    if (match === null) {
      problems.push(`entry ${index + 1}: no versioned arXiv id in <id> (${rawId || 'empty'})`);
      continue;
    }
    details.push({
      id: match[1]!,
      version: Number(match[2]),
      comment: optional(entry.comment),
      journalRef: optional(entry.journalRef),
      doi: optional(entry.doi),
    });
  }
  return { details, problems };
}
