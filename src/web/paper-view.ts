import type { Kysely } from 'kysely';
import { extrasOf } from '../arxiv/index.ts';
import { findStoredDetails } from '../store/paper-details.ts';
import { findTranslationCandidates } from '../store/translation-cache.ts';
import { loadPaper } from '../store/papers.ts';
import type { Database } from '../store/schema.ts';
import { wasIssueSent } from '../store/sent-issues.ts';
import { isoWeekStart } from '../iso-date.ts';
import type { DigestWeek, ISODate } from '../types.ts';
import { findDigestWeek } from './issue-archive.ts';
import { chineseForPapers, type Glossary } from '../translate/index.ts';
import type { PaperPageInput } from './pages/paper-page.ts';

// What a paper's page shows, gathered from the store: the paper, its Chinese text and summary, what the arXiv API
// said about it, and the sent issues that carried it. A paper no sent issue carried has no page (the archive is
// public; unsent days are not). A weekly digest's page counts as one: a paper of its week up to the digest's batch
// is on it, though that day's own issue may have mailed no one (a newsletter of weekly readers only).

/** arXiv ids as the route takes them: `2511.10621`, or an old-style `hep-ex/0307015`. No version. */
export const PAPER_ID_ROUTE = String.raw`[0-9]{4}\.[0-9]{4,5}|[a-z-]+(?:\.[A-Z]{2})?/[0-9]{7}`;

export async function loadPaperView(db: Kysely<Database>, id: string, glossary?: Glossary): Promise<PaperPageInput | null> {
  const stored = await loadPaper(db, id);
  if (!stored) return null;
  const sentDates = [];
  for (const date of stored.batchDates) if (await wasIssueSent(db, date)) sentDates.push(date);
  const weeks = await digestWeeksCarrying(db, stored.batchDates);
  if (sentDates.length === 0 && weeks.length === 0) return null;
  const { paper } = stored;
  const candidates = await findTranslationCandidates(db, [paper]);
  const chinese = (await chineseForPapers(db, [paper], { glossary, candidates })).get(paper.id) ?? null;
  // The analysis is checked before it is stored (translate/check-summary.ts); the newest stored one is shown.
  const records = candidates.get(paper.id) ?? [];
  const analysis = records.find((t) => t.analysis && Object.keys(t.analysis).length > 0)?.analysis ?? null;
  const details = (await findStoredDetails(db, [paper])).get(paper.id);
  return {
    paper,
    chinese,
    extras: { ...extrasOf(paper, details), comment: details?.comment ?? null },
    analysis,
    batchDates: sentDates,
    weeks,
  };
}

/** The weeks whose digest page lists papers of one of `batchDates` (see loadArchiveWeek), newest first. */
async function digestWeeksCarrying(db: Kysely<Database>, batchDates: readonly ISODate[]): Promise<DigestWeek[]> {
  const weeks: DigestWeek[] = [];
  for (const monday of new Set(batchDates.map(isoWeekStart))) {
    const week = await findDigestWeek(db, monday);
    if (week && batchDates.some((d) => d >= week.from && d <= week.to)) weeks.push(week);
  }
  return weeks.sort((a, b) => (a.from < b.from ? 1 : -1));
}
