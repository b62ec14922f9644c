import { DateTime } from 'luxon';
import { addDays, feedDueAt, hasBatch, lastBatchOnOrBefore } from '../../src/arxiv/calendar.ts';
import type { AnnounceType, ISODate } from '../../src/types.ts';

// A fake rss.arxiv.org for the scheduler's tests: at any moment it serves what the real one would, in the real RSS
// shape (parsed by the real parser): the batch of the New York date once its midnight has passed, an empty feed on
// days without one, and, when told to, yesterday's batch for a while after midnight (a stale or late feed).

export interface FakePaper {
  id: string;
  version: number;
  type: AnnounceType;
  title: string;
}

/** Three new cs.CL papers a day, plus yesterday's first paper cross-listed again (the same id and version). */
export function papersOf(batchDate: ISODate, holidays: ReadonlySet<ISODate>): FakePaper[] {
  const serial = (date: ISODate) => date.replaceAll('-', '').slice(2); // 251114
  const own = [1, 2, 3].map((n) => ({
    id: `${serial(batchDate).slice(0, 4)}.${serial(batchDate).slice(4)}${n}0`,
    version: 1,
    type: 'new' as const,
    title: `Language model study ${n} of ${batchDate}`,
  }));
  const previous = lastBatchOnOrBefore(addDays(batchDate, -1), holidays);
  const repeat = { ...papersOfDay(previous)[0]!, type: 'cross' as const };
  return [...own, repeat];
}

function papersOfDay(batchDate: ISODate): FakePaper[] {
  const serial = batchDate.replaceAll('-', '').slice(2);
  return [{ id: `${serial.slice(0, 4)}.${serial.slice(4)}10`, version: 1, type: 'new', title: `Language model study 1 of ${batchDate}` }];
}

const rfc822 = (date: ISODate) =>
  DateTime.fromISO(date, { zone: 'America/New_York' }).startOf('day').toFormat("ccc, dd LLL yyyy HH:mm:ss ZZZ", { locale: 'en-US' });

export function rssFor(batchDate: ISODate, papers: readonly FakePaper[]): string {
  const items = papers
    .map(
      (p) => `<item>
<title>${p.title}</title>
<link>https://arxiv.org/abs/${p.id}</link>
<description>arXiv:${p.id}v${p.version} Announce Type: ${p.type}
Abstract: We study how a language model behaves in setting ${p.id}; results hold across seeds and datasets.</description>
<guid isPermaLink="false">oai:arXiv.org:${p.id}v${p.version}</guid>
<category>cs.CL</category>
<pubDate>${rfc822(batchDate)}</pubDate>
<arxiv:announce_type>${p.type}</arxiv:announce_type>
<dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
<dc:creator>Ada Lovelace, Alan Turing</dc:creator>
</item>`,
    )
    .join('\n');
  return `<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">
<channel>
<title>cs.CL updates on arXiv.org</title>
<link>http://rss.arxiv.org/rss/cs.CL</link>
<description>cs.CL updates on the arXiv.org e-print archive.</description>
<language>en-us</language>
<lastBuildDate>${rfc822(batchDate)}</lastBuildDate>
<pubDate>${rfc822(batchDate)}</pubDate>
${items}
</channel>
</rss>`;
}

export interface FakeArxivOptions {
  holidays: ReadonlySet<ISODate>;
  clock: () => Date;
  /** How long after midnight ET the previous batch is still served; default 0. */
  staleForMs?: (batchDate: ISODate) => number;
}

/** The feed as rss.arxiv.org would serve it at `clock()`, and a log of what was served when. */
export function fakeArxiv(options: FakeArxivOptions) {
  const served: Array<{ at: string; batch: ISODate | null }> = [];
  const read = async (_source: string): Promise<string> => {
    const now = options.clock();
    const today = DateTime.fromJSDate(now, { zone: 'America/New_York' }).toISODate()!;
    const stale = hasBatch(today, options.holidays) && now.getTime() - feedDueAt(today).getTime() < (options.staleForMs?.(today) ?? 0);
    const shown = stale ? lastBatchOnOrBefore(addDays(today, -1), options.holidays) : today;
    if (!hasBatch(shown, options.holidays)) {
      served.push({ at: now.toISOString(), batch: null });
      return rssFor(shown, []);
    }
    served.push({ at: now.toISOString(), batch: shown });
    return rssFor(shown, papersOf(shown, options.holidays));
  };
  return { read, served };
}
