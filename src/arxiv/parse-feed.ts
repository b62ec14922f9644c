// Parses one rss.arxiv.org document (RSS 2.0 or Atom) into papers. Pure apart from rss-parser's own work:
// no I/O. Item-level trouble is reported as data; only a document that cannot be a usable feed throws.
import Parser from 'rss-parser';
import { FeedError } from '../errors.ts';
import { ANNOUNCE_TYPES, type AnnounceType, type ISODate, type Paper } from '../types.ts';
import { feedDateOf } from './calendar.ts';
import { detexify, parseAuthors } from './parse-authors.ts';
import { text } from './xml-text.ts';

export interface FeedItemProblem {
  /** Position of the item in the feed, from 0. */
  index: number;
  reason: string;
}

export interface ParsedFeed {
  /** URL or file path, used in every message. */
  source: string;
  title: string;
  /** ET date of the channel pubDate (RSS) or of the entries' `<published>` (Atom); null when nothing is dated. */
  batchDate: ISODate | null;
  /** De-duplicated by id (the higher version kept). */
  papers: Paper[];
  /** Items skipped; the rest still parse. */
  problems: FeedItemProblem[];
  /** Items dropped because an item with the same id came before. */
  duplicates: number;
}

/** What rss-parser hands back for an item, with our custom fields. Values are loose: XML is loose. */
interface RawItem {
  title?: unknown;
  link?: unknown;
  guid?: unknown;
  id?: unknown;
  content?: unknown;
  summary?: unknown;
  description?: unknown;
  pubDate?: unknown;
  published?: unknown;
  creator?: unknown;
  rights?: unknown;
  announceType?: unknown;
  doi?: unknown;
  journalRef?: unknown;
  categoryElements?: unknown;
}

interface RawFeed {
  title?: unknown;
  pubDate?: unknown;
  items: RawItem[];
}

const ITEM_FIELDS: Array<Array<string | { keepArray: boolean }>> = [
  ['arxiv:announce_type', 'announceType'],
  ['dc:creator', 'creator'],
  ['dc:rights', 'rights'],
  ['arxiv:DOI', 'doi'],
  ['arxiv:journal_reference', 'journalRef'],
  // Atom categories are `<category term=…/>`, which rss-parser does not map; keepArray or only one survives.
  ['category', 'categoryElements', { keepArray: true }],
  ['description', 'description'],
  ['summary', 'summary'],
  ['published', 'published'],
];

// Old ids (`hep-ex/0307015`, `math.AG/0601001`) as well as new ones.
export const ID_PATTERN = String.raw`(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})`;
const VERSIONED_ID = new RegExp(`^${ID_PATTERN}v(\\d+)$`);
const DESCRIPTION_ID = new RegExp(`arXiv:${ID_PATTERN}v(\\d+)`);
const LINK_ID = new RegExp(`arxiv\\.org/(?:abs|pdf)/${ID_PATTERN}(?:v(\\d+))?`);
const ANNOUNCE_IN_TEXT = /Announce Type:\s*([a-z-]+)/;
const ABSTRACT_PREFIX = /^\s*arXiv:\S+\s+Announce Type:\s*[a-z-]+\s*Abstract:\s*/;

function optionalText(value: unknown): string | undefined {
  const t = text(value).replace(/\s+/g, ' ').trim();
  return t === '' ? undefined : t;
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

function categoryTerms(value: unknown): string[] {
  const elements = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const terms: string[] = [];
  for (const el of elements) {
    let term = '';
    if (typeof el === 'string') term = el;
    else if (el !== null && typeof el === 'object') {
      const attrs = (el as { $?: { term?: unknown } }).$;
      term = typeof attrs?.term === 'string' ? attrs.term : text(el);
    }
    term = term.trim();
    if (term !== '' && !terms.includes(term)) terms.push(term);
  }
  return terms;
}

/**
 * arXiv abstracts mark a new paragraph with a newline plus indentation; inside a paragraph, line breaks are
 * just wrapping. Keep paragraphs (blank line between), collapse the rest. `$…$` math is left alone.
 */
function cleanAbstract(description: string): string {
  const body = description.replace(ABSTRACT_PREFIX, '');
  return body
    .split(/\n[ \t]+|\n\s*\n/)
    .map(collapse)
    .filter((p) => p !== '')
    .join('\n\n');
}

function isAnnounceType(s: string): s is AnnounceType {
  return (ANNOUNCE_TYPES as readonly string[]).includes(s);
}

function identify(item: RawItem, description: string): { id: string; version: number } | null {
  const tail = text(item.guid).trim() || text(item.id).trim();
  const fromGuid = VERSIONED_ID.exec(tail.slice(tail.lastIndexOf(':') + 1));
  if (fromGuid) return { id: fromGuid[1]!, version: Number(fromGuid[2]) };
  const fromDescription = DESCRIPTION_ID.exec(description);
  if (fromDescription) return { id: fromDescription[1]!, version: Number(fromDescription[2]) };
  const fromLink = LINK_ID.exec(text(item.link));
  // The abs link carries no version; an item this bare is the first version as far as anyone can tell.
  if (fromLink) return { id: fromLink[1]!, version: fromLink[2] === undefined ? 1 : Number(fromLink[2]) };
  return null;
}

function toPaper(item: RawItem): Paper | string {
  const description = text(item.description) || text(item.summary) || text(item.content);
  const ident = identify(item, description);
  if (ident === null) return 'no arXiv id in guid/id, description or link';
  const title = detexify(collapse(text(item.title))).replace(/\s+/g, ' ').trim();
  if (title === '') return `${ident.id}: no title`;

  const announced = collapse(text(item.announceType)) || ANNOUNCE_IN_TEXT.exec(description)?.[1] || '';
  if (!isAnnounceType(announced)) {
    return announced === ''
      ? `${ident.id}: no announce type`
      : `${ident.id}: unknown announce type ${JSON.stringify(announced)}`;
  }

  const { id, version } = ident;
  const journalRef = optionalText(item.journalRef);
  return {
    id,
    version,
    title,
    abstract: cleanAbstract(description),
    authors: parseAuthors(text(item.creator)),
    categories: categoryTerms(item.categoryElements),
    announceType: announced,
    links: {
      abs: `https://arxiv.org/abs/${id}`,
      pdf: `https://arxiv.org/pdf/${id}v${version}`,
      html: `https://arxiv.org/html/${id}v${version}`,
      papersCool: `https://papers.cool/arxiv/${id}`,
    },
    license: optionalText(item.rights),
    doi: optionalText(item.doi),
    journalRef: journalRef === undefined ? undefined : detexify(journalRef),
  };
}

function dateOf(value: unknown): ISODate | null {
  const raw = text(value).trim();
  if (raw === '') return null;
  const d = new Date(raw);
  return Number.isNaN(d.getTime()) ? null : feedDateOf(d);
}

/**
 * The batch a feed carries: the channel pubDate (RSS), else the date most items were published (Atom has
 * no channel date; all entries of one batch share it).
 */
function batchDateOf(feed: RawFeed): ISODate | null {
  const channel = dateOf(feed.pubDate);
  if (channel !== null) return channel;
  const counts = new Map<ISODate, number>();
  for (const item of feed.items) {
    const d = dateOf(item.published) ?? dateOf(item.pubDate);
    if (d !== null) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best: ISODate | null = null;
  let bestCount = 0;
  for (const [d, n] of counts) {
    if (n > bestCount || (n === bestCount && best !== null && d > best)) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** The name of the document's root element, skipping the prolog, comments and a doctype. */
function rootElement(xml: string): string | null {
  const stripped = xml
    .replace(/^\uFEFF/, '')
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!DOCTYPE[^>]*>/i, '')
    .trimStart();
  const m = /^<([A-Za-z_][\w.:-]*)/.exec(stripped);
  return m ? m[1]! : null;
}

function describeParserError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // sax reports "Unclosed root tag\nLine: 1232\nColumn: 84\nChar: "; fold it into one line.
  const [reason = message, ...rest] = message.split('\n');
  const where = rest
    .map((l) => /^(Line|Column): (\d+)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]!.toLowerCase()} ${Number(m[2]) + (m[1] === 'Line' ? 1 : 0)}`);
  return where.length > 0 ? `${reason.trim()} at ${where.join(', ')}` : reason.trim();
}

/** Parses one arXiv feed document. Throws FeedError when the document is not a usable arXiv feed. */
export async function parseFeed(xml: string, source: string): Promise<ParsedFeed> {
  if (xml.trim() === '') throw new FeedError(source, 'the feed document is empty (0 bytes of XML)');
  const root = rootElement(xml);
  if (root !== 'rss' && root !== 'feed') {
    const found = root === null ? 'no XML element at the start' : `root element <${root}>`;
    throw new FeedError(source, `not an RSS 2.0 or Atom feed (${found}); was an error page or another format served?`);
  }

  // A new parser each time: xml2js keeps state after a failed parse.
  const parser: Parser<Record<string, unknown>, RawItem> = new Parser({
    customFields: { item: ITEM_FIELDS },
  });
  let feed: RawFeed;
  try {
    feed = (await parser.parseString(xml)) as unknown as RawFeed;
  } catch (err) {
    throw new FeedError(
      source,
      `the feed XML is malformed or truncated (${describeParserError(err)}); the download may have been cut off`,
      { cause: err },
    );
  }

  const title = collapse(text(feed.title));
  if (title.startsWith('Feed error for query')) {
    throw new FeedError(
      source,
      `arXiv rejected the category list ("${title}"); check the categories of the configured domains`,
    );
  }

  const problems: FeedItemProblem[] = [];
  const byId = new Map<string, Paper>();
  let duplicates = 0;
  feed.items.forEach((item, index) => {
    const paper = toPaper(item);
    if (typeof paper === 'string') {
      problems.push({ index, reason: paper });
      return;
    }
    const seen = byId.get(paper.id);
    if (seen === undefined) {
      byId.set(paper.id, paper);
      return;
    }
    duplicates++;
    if (paper.version > seen.version) byId.set(paper.id, paper); // Map keeps the first position
  });

  return { source, title, batchDate: batchDateOf(feed), papers: [...byId.values()], problems, duplicates };
}
