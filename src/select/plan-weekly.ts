import type { Kysely } from 'kysely';
import { addDays, isoWeekStart } from '../iso-date.ts';
import { loadBatch } from '../store/batches.ts';
import type { ReaderScope } from '../store/mailed-papers.ts';
import type { Database } from '../store/schema.ts';
import type { DigestWeek, Domain, DomainSelection, ISODate, Paper, SegmentKey } from '../types.ts';
import { planSegments, type SegmentPlan } from './plan-segments.ts';
import { selectPapers } from './select-papers.ts';

// A weekly digest's papers: every stored batch of its ISO week up to the digest's own batch. They are selected,
// placed and capped exactly like one day's papers (selectPapers, then planSegmentIssues with the `weekly.` segments),
// so "best papers per topic" means the same thing in both mails; never-twice then leaves out whatever a weekly
// reader was already mailed (say, as a daily reader earlier in the week).

/**
 * The week's papers, each once: a paper announced on several days of the week (new on Monday, a new version on
 * Thursday) keeps the latest version seen (its links point at it) and the announce type of its first appearance, so
 * a paper that was new this week still ranks as new. Batches are given oldest first. Pure.
 */
export function mergeWeekPapers(batches: ReadonlyArray<readonly Paper[]>): Paper[] {
  const merged = new Map<string, Paper>();
  for (const papers of batches) {
    for (const paper of papers) {
      const earlier = merged.get(paper.id);
      if (!earlier) merged.set(paper.id, paper);
      else if (paper.version >= earlier.version) merged.set(paper.id, { ...paper, announceType: earlier.announceType });
    }
  }
  return [...merged.values()];
}

/** The dates from `week.from` to `week.to`, oldest first. */
export function datesOfWeek(week: DigestWeek): ISODate[] {
  const dates: ISODate[] = [];
  for (let date = week.from; date <= week.to; date = addDays(date, 1)) dates.push(date);
  return dates;
}

/**
 * The papers of `week`: the stored batches of its days before `week.to`, then `today` (the run's own batch, which
 * the caller has in hand whether or not it was stored). A day without a stored batch (a holiday, a day no run
 * collected) simply adds nothing.
 */
export async function papersOfWeek(db: Kysely<Database>, week: DigestWeek, today: readonly Paper[]): Promise<Paper[]> {
  const earlier: Paper[][] = [];
  for (const date of datesOfWeek(week)) {
    if (date === week.to) continue;
    const batch = await loadBatch(db, date);
    if (batch) earlier.push(batch.papers);
  }
  return mergeWeekPapers([...earlier, today]);
}

/**
 * The plan of an issue's daily and weekly segments as one: daily segments from the day's selections, weekly ones
 * from the week's (the same domains, scoring and caps), each with never-twice from the same history query (a
 * segment's history is its readers' own, whatever kind of segment it is). `week` null with weekly segments present
 * (an issue frozen by an earlier run, the config changed since) still gives them their week: Monday to this batch.
 */
export async function planDailyAndWeekly(
  db: Kysely<Database>,
  batchDate: ISODate,
  day: { papers: readonly Paper[]; selections: readonly DomainSelection[]; domains: readonly Domain[] },
  segments: ReadonlyArray<{ segmentId: string; key: SegmentKey }>,
  options: { scope: ReaderScope; showUpdatedVersions: boolean; week: DigestWeek | null },
): Promise<SegmentPlan> {
  const isWeekly = (key: SegmentKey) => key.frequency === 'weekly';
  const common = { scope: options.scope, showUpdatedVersions: options.showUpdatedVersions };
  const daily = await planSegments(db, batchDate, day.selections, segments.filter((s) => !isWeekly(s.key)), {
    ...common,
    papers: day.papers,
  });
  const weeklySegments = segments.filter((s) => isWeekly(s.key));
  if (weeklySegments.length === 0) return daily;
  const week = options.week ?? { from: isoWeekStart(batchDate), to: batchDate };
  const papers = await papersOfWeek(db, week, day.papers);
  const weekly = await planSegments(db, batchDate, selectPapers(papers, day.domains), weeklySegments, { ...common, papers, week });
  const shown = new Map([...daily.shown, ...weekly.shown].map((p) => [p.id, p]));
  return {
    issueOf: (segmentId, key, chineseOf) => (isWeekly(key) ? weekly : daily).issueOf(segmentId, key, chineseOf),
    shown: [...shown.values()],
    repeats: {
      dropped: daily.repeats.dropped + weekly.repeats.dropped,
      updated: daily.repeats.updated + weekly.repeats.updated,
      segments: [...daily.repeats.segments, ...weekly.repeats.segments],
    },
  };
}
