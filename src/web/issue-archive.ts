import type { Kysely } from 'kysely';
import { buildSegmentIssue, selectPapers } from '../select/index.ts';
import { loadBatch } from '../store/batches.ts';
import type { Database } from '../store/schema.ts';
import { wasIssueSent } from '../store/sent-issues.ts';
import { chineseForPapers } from '../translate/index.ts';
import type { ChineseText, Domain, ISODate, Paper, SegmentIssue } from '../types.ts';

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

/** An archive page's issue, and the papers in the day's batch (the figure the archive index gives). */
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
  const plain = buildArchiveIssue(batch.papers, domains, batchDate, () => null, domainId);
  const shown = plain.sections.flatMap((s) => s.entries.map((e) => e.paper));
  const chinese = await chineseForPapers(db, shown);
  const issue = buildArchiveIssue(batch.papers, domains, batchDate, (paper) => chinese.get(paper.id) ?? null, domainId);
  return { issue, inBatch: batch.papers.length };
}
