// arXiv's listing page `/list/<category>/new?show=2000` (arxiv.md §7): the batch date arXiv states itself, and the
// ids of the new, cross and replacement submissions. Pure: HTML in, data out. The page is plain server-rendered
// markup with a stable shape (`<h3>` headings, one `<dt>` per paper with `arXiv:<id>`), so a few patterns read it.
import { DateTime } from 'luxon';
import type { ISODate } from '../types.ts';

export type ListingSectionName = 'new' | 'cross' | 'replace';

export interface ListingSection {
  ids: string[];
  /** "showing N of M entries": N and M. N < M means the page was cut (ask for show=2000). */
  shown: number;
  total: number;
}

export interface Listing {
  /** From "Showing new listings for Wednesday, 12 August 2026"; null when the heading is missing or unreadable. */
  batchDate: ISODate | null;
  sections: Partial<Record<ListingSectionName, ListingSection>>;
}

const SECTION_NAMES: Readonly<Record<string, ListingSectionName>> = {
  new: 'new',
  cross: 'cross',
  replacement: 'replace',
};

function decode(text: string): string {
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "Wednesday, 12 August 2026" → 2026-08-12; the weekday must agree with the date. */
function readDate(text: string): ISODate | null {
  const m = /Showing new listings for\s+([A-Za-z]+),\s+(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})/i.exec(text);
  if (!m) return null;
  const date = DateTime.fromFormat(`${m[2]} ${m[3]} ${m[4]}`, 'd MMMM yyyy', { locale: 'en-US', zone: 'utc' });
  if (!date.isValid) return null;
  if (date.toFormat('cccc', { locale: 'en-US' }).toLowerCase() !== m[1]!.toLowerCase()) return null;
  return date.toISODate();
}

export function parseListing(html: string): Listing {
  const headings = [...html.matchAll(/<h3[^>]*>([\s\S]*?)<\/h3>/gi)].map((m) => ({
    text: decode(m[1] ?? ''),
    start: m.index ?? 0,
    end: (m.index ?? 0) + m[0].length,
  }));
  let batchDate: ISODate | null = null;
  const sections: Listing['sections'] = {};
  headings.forEach((heading, i) => {
    batchDate ??= readDate(heading.text);
    const m = /^(New|Cross|Replacement) submissions\s*\(showing (?:first )?(\d+) of (\d+) entries\)/i.exec(heading.text);
    if (!m) return;
    const name = SECTION_NAMES[m[1]!.toLowerCase()];
    if (!name) return;
    const body = html.slice(heading.end, headings[i + 1]?.start ?? html.length);
    const ids = [...body.matchAll(/arXiv:\s*([a-z-]+(?:\.[A-Z]{2})?\/\d{7}|\d{4}\.\d{4,5})/g)].map((id) => id[1]!);
    sections[name] = { ids: [...new Set(ids)], shown: Number(m[2]), total: Number(m[3]) };
  });
  return { batchDate, sections };
}

export function listingUrl(baseUrl: string, category: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/list/${encodeURIComponent(category)}/new?show=2000`;
}

/**
 * What the listing of one category says against the feed: the dates must agree, and every new or cross-listed id
 * of the listing must be in the feed (any announce type: a combined feed labels a paper by its best category).
 * Empty when they agree.
 */
export function compareListing(
  category: string,
  listing: Listing,
  expected: ISODate,
  feedIds: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  if (listing.batchDate === null) {
    problems.push(`${category}: the listing page has no "Showing new listings for …" date (page changed?)`);
  } else if (listing.batchDate !== expected) {
    problems.push(`${category}: the listing page shows the batch of ${listing.batchDate}, not ${expected}`);
  }
  const announced = [...(listing.sections.new?.ids ?? []), ...(listing.sections.cross?.ids ?? [])];
  const missing = announced.filter((id) => !feedIds.has(id));
  if (missing.length > 0) {
    const some = missing.slice(0, 5).join(', ');
    problems.push(
      `${category}: ${missing.length} of ${announced.length} new and cross-listed papers of the listing are not in the feed (${some}${missing.length > 5 ? ', …' : ''})`,
    );
  }
  for (const name of ['new', 'cross'] as const) {
    const section = listing.sections[name];
    if (!section) continue;
    if (section.shown < section.total) {
      problems.push(`${category}: the listing shows ${section.shown} of ${section.total} ${name} entries (cut short)`);
    }
    // The page says how many it lists: reading fewer means the page changed under the parser, not a quiet day.
    if (section.ids.length !== section.shown) {
      problems.push(`${category}: read ${section.ids.length} ${name} ids where the listing says it shows ${section.shown}`);
    }
  }
  return problems;
}
