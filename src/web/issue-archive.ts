import type { Kysely } from 'kysely';
import { addDays, isoWeekStart } from '../iso-date.ts';
import { buildSegmentIssue, papersOfWeek, selectPapers } from '../select/index.ts';
import { loadBatch } from '../store/batches.ts';
import type { Database } from '../store/schema.ts';
import { wasIssueSent } from '../store/sent-issues.ts';
import { listDigestBatches } from '../store/weekly-digests.ts';
import { chineseForPapers } from '../translate/index.ts';
import type { ChineseText, DigestWeek, Domain, ISODate, Paper, SegmentIssue } from '../types.ts';

// The web version of an issue is rebuilt from the stored day with the same selection as the mail, but without
// caps: it is where "and N more" leads, so it lists every selected paper. Rebuilding (instead of storing HTML)
// keeps old issues readable after a template change and shows translations added later.

/** Every domain without its cap: the archive shows all of a domain's papers. */
function uncapped(domains: readonly Domain[]): Domain[] {
  return domains.map((d) => ({ ...d, cap: Number.MAX_SAFE_INTEGER }));
}

/**
 * Pure: the archive issue of one day, either every domain (each paper once, in the domain it fits best, tagged
 * with the others) or one domain (all its papers, tagged with the other domains they also fall in).
 */
export function buildArchiveIssue(
  papers: readonly Paper[],
  domains: readonly Domain[],
  batchDate: ISODate,
  chineseOf: (paper: Paper) => ChineseText | null,
  domainId?: string,
): SegmentIssue {
  const selections = selectPapers([...papers], uncapped(domains));
  const topics = domainId === undefined ? domains.map((d) => d.id) : [domainId];
  const issue = buildSegmentIssue(selections, { topics, language: 'bilingual' }, batchDate, chineseOf);
  if (domainId === undefined) return issue;
  const domainsOf = new Map<string, string[]>();
  for (const selection of selections) {
    for (const match of selection.matches) {
      const list = domainsOf.get(match.paper.id) ?? [];
      list.push(selection.domain.id);
      domainsOf.set(match.paper.id, list);
    }
  }
  return {
    ...issue,
    sections: issue.sections.map((section) => ({
      ...section,
      entries: section.entries.map((entry) => ({
        ...entry,
        alsoIn: (domainsOf.get(entry.paper.id) ?? []).filter((id) => id !== domainId),
      })),
    })),
  };
}

/**
 * An archive page's issue, and the papers in the day's batch (the figure the archive index gives); for a week's page
 * (`issue.week` set), the papers of the week's batches it was chosen from, each once.
 */
export interface ArchiveDay {
  issue: SegmentIssue;
  inBatch: number;
}

/**
 * The archive issue of a day that was sent, with the stored Chinese text; null when the day is unknown, was never
 * sent, or the domain is not configured.
 */
export async function loadArchiveIssue(
  db: Kysely<Database>,
  domains: readonly Domain[],
  batchDate: ISODate,
  domainId?: string,
): Promise<ArchiveDay | null> {
  if (domainId !== undefined && !domains.some((d) => d.id === domainId)) return null;
  if (!(await wasIssueSent(db, batchDate))) return null;
  const batch = await loadBatch(db, batchDate);
  if (!batch) return null;
  const issue = await buildWithStoredChinese(db, batch.papers, domains, batchDate, domainId);
  return { issue, inBatch: batch.papers.length };
}

/** buildArchiveIssue with the stored Chinese text, looked up for the papers the page shows only. */
async function buildWithStoredChinese(
  db: Kysely<Database>,
  papers: readonly Paper[],
  domains: readonly Domain[],
  batchDate: ISODate,
  domainId: string | undefined,
): Promise<SegmentIssue> {
  const plain = buildArchiveIssue(papers, domains, batchDate, () => null, domainId);
  const shown = plain.sections.flatMap((s) => s.entries.map((e) => e.paper));
  const chinese = await chineseForPapers(db, shown);
  return buildArchiveIssue(papers, domains, batchDate, (paper) => chinese.get(paper.id) ?? null, domainId);
}

// ——— Weekly digests ———
// A weekly digest's web page is rebuilt the same way from the week's stored batches: the papers its planning takes in
// (papersOfWeek, Monday through the digest's batch, each paper once) through the same selection, uncapped. Its week
// ends at the first batch of the week that carried a sent digest: the digest day's (digestBatchOfWeek), unless that
// run never mailed one. A later run of the week mails digests only to readers who had none yet (a late sign-up);
// their mail covers a few more days than this page.

/** Pure: the weeks that had a digest, newest first, from the batches that carried one (see listDigestBatches). */
export function digestWeeksOf(digestBatches: readonly ISODate[]): DigestWeek[] {
  const firstOfWeek = new Map<ISODate, ISODate>();
  for (const batchDate of digestBatches) {
    const monday = isoWeekStart(batchDate);
    const first = firstOfWeek.get(monday);
    if (first === undefined || batchDate < first) firstOfWeek.set(monday, batchDate);
  }
  return [...firstOfWeek]
    .map(([from, to]) => ({ from, to }))
    .sort((a, b) => (a.from < b.from ? 1 : -1));
}

/** Whether `date` is a real calendar date and a Monday: the only dates a week's page is found under. */
export function isMonday(date: string): boolean {
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date && d.getUTCDay() === 1;
}

/** The weeks that had a digest, newest first (the archive index lists them). */
export async function listDigestWeeks(db: Kysely<Database>): Promise<DigestWeek[]> {
  return digestWeeksOf(await listDigestBatches(db));
}

/** The digest week of the ISO week starting `monday` (see digestWeeksOf), or null when no digest of it went out. */
export async function findDigestWeek(db: Kysely<Database>, monday: ISODate): Promise<DigestWeek | null> {
  const [week] = digestWeeksOf(await listDigestBatches(db, { from: monday, to: addDays(monday, 6) }));
  return week ?? null;
}

/**
 * The archive issue of the weekly digest of the ISO week starting `monday`, with the stored Chinese text; null when
 * `monday` is no Monday, no digest of that week went out, its batch is not stored, or the domain is not configured.
 */
export async function loadArchiveWeek(
  db: Kysely<Database>,
  domains: readonly Domain[],
  monday: ISODate,
  domainId?: string,
): Promise<ArchiveDay | null> {
  if (domainId !== undefined && !domains.some((d) => d.id === domainId)) return null;
  if (!isMonday(monday)) return null;
  const week = await findDigestWeek(db, monday);
  if (!week) return null;
  const digestBatch = await loadBatch(db, week.to);
  if (!digestBatch) return null;
  const papers = await papersOfWeek(db, week, digestBatch.papers);
  const issue = await buildWithStoredChinese(db, papers, domains, week.to, domainId);
  return { issue: { ...issue, week }, inBatch: papers.length };
}
