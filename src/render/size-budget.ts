import { RenderError } from '../errors.ts';
import type { IssueSection, SegmentIssue } from '../types.ts';
import { listedIn } from './paper-counts.ts';

// The 90 KB size budget (Gmail clips at ~102 KB): which papers lose their summaries or leave the mail for
// "and N more". One ladder and one search for both ways of rendering a mail (the full MJML render and the
// assembly from blocks, assemble-mail.ts), so both stop at the same step for the same byte counts.

export const DEFAULT_MAX_HTML_BYTES = 90_000;

export interface Degradation {
  issue: SegmentIssue;
  titleOnly: string[];
  degraded: number;
  dropped: number;
}

/** Each topic's best few papers keep their summaries until every lower-ranked paper has left the mail. */
const KEEP_FULL_PER_TOPIC = 3;

type Step = { kind: 'unlist' | 'title-only' | 'drop'; section: number; entry: number };

/**
 * The degrade ladder, one paper at a time. First the title-only lines after each topic's entries go behind
 * "and N more", lowest-listed first across all topics (so every topic keeps its first lines longest); then
 * lower-ranked entries (rank ≥ KEEP_FULL_PER_TOPIC) lose their summaries, then leave the mail for "and N more";
 * only then do the top papers go the same way. Within a phase the lowest rank goes first across all topics (ties:
 * the later topic), so no topic is emptied before another is touched.
 */
function degradeLadder(issue: SegmentIssue): Step[] {
  const byRank = (a: { section: number; entry: number }, b: { section: number; entry: number }): number =>
    b.entry - a.entry || b.section - a.section;
  const lines = issue.sections.flatMap((s, section) =>
    (s.listed ?? []).slice(0, listedIn(s)).map((_, entry) => ({ section, entry })),
  );
  lines.sort(byRank);
  const all = issue.sections.flatMap((s, section) => s.entries.map((_, entry) => ({ section, entry })));
  all.sort(byRank);
  const low = all.filter((p) => p.entry >= KEEP_FULL_PER_TOPIC);
  const top = all.filter((p) => p.entry < KEEP_FULL_PER_TOPIC);
  const steps = (kind: Step['kind'], ps: typeof all): Step[] => ps.map((p) => ({ kind, ...p }));
  return [
    ...steps('unlist', lines),
    ...steps('title-only', low),
    ...steps('drop', low),
    ...steps('title-only', top),
    ...steps('drop', top),
  ];
}

/** The issue after the first `d` steps of the ladder. Deterministic, and (nearly) monotone in size. */
function degrade(issue: SegmentIssue, ladder: Step[], d: number): Degradation {
  const applied = ladder.slice(0, d);
  const key = (p: { section: number; entry: number }): string => `${p.section}/${p.entry}`;
  const dropped = new Set(applied.filter((s) => s.kind === 'drop').map(key));
  const unlisted = issue.sections.map(() => 0);
  for (const step of applied) if (step.kind === 'unlist') unlisted[step.section] = (unlisted[step.section] ?? 0) + 1;
  const titleOnly = applied
    .filter((s) => s.kind === 'title-only' && !dropped.has(key(s)))
    .map((s) => issue.sections[s.section]?.entries[s.entry]?.paper.id ?? '');
  const sections: IssueSection[] = issue.sections.map((s, si) => {
    const kept = s.entries.filter((_, ei) => !dropped.has(`${si}/${ei}`));
    // Lines go from the end of the list, so what stays is its best-ranked start.
    const listed = (s.listed ?? []).slice(0, Math.max(0, listedIn(s) - (unlisted[si] ?? 0)));
    return { ...s, entries: kept, listed, more: s.more + (s.entries.length - kept.length) };
  });
  return {
    issue: { ...issue, sections },
    titleOnly,
    degraded: titleOnly.length + dropped.size,
    dropped: dropped.size,
  };
}

/**
 * The fewest steps down the degrade ladder that bring the mail within `maxBytes`, with that step's rendering.
 * `attempt` renders the issue after some steps and says how many bytes its HTML has; the search is the same
 * whatever renders, so two renderers that agree on the bytes agree on the step.
 */
export async function fitToBudget<A extends { bytes: number }>(
  issue: SegmentIssue,
  maxBytes: number,
  attempt: (plan: Degradation) => A | Promise<A>,
): Promise<{ plan: Degradation; rendered: A }> {
  const ladder = degradeLadder(issue);
  const at = async (d: number): Promise<{ plan: Degradation; rendered: A }> => {
    const plan = degrade(issue, ladder, d);
    return { plan, rendered: await attempt(plan) };
  };

  const first = await at(0);
  if (first.rendered.bytes <= maxBytes) return first;
  // Search the ladder for the first step that fits. Size falls almost linearly within each phase, so
  // interpolating between the known ends needs ~4 renders where bisection needs ~log2(2N); bisection is the
  // fallback whenever interpolation stops making progress. `fit` always holds a rendered, fitting result.
  let lo = { d: 0, bytes: first.rendered.bytes };
  let fit = await at(ladder.length);
  if (fit.rendered.bytes > maxBytes) {
    throw new RenderError(
      `${issue.segmentId}: ${fit.rendered.bytes} bytes even with every paper moved to "and N more" (budget ${maxBytes})`,
    );
  }
  let hi = { d: ladder.length, bytes: fit.rendered.bytes };
  let interpolate = true;
  while (hi.d - lo.d > 1) {
    const guess = interpolate
      ? lo.d + Math.ceil(((lo.bytes - maxBytes) / Math.max(1, lo.bytes - hi.bytes)) * (hi.d - lo.d))
      : Math.floor((lo.d + hi.d) / 2);
    const d = Math.min(hi.d - 1, Math.max(lo.d + 1, guess));
    const candidate = await at(d);
    const span = hi.d - lo.d;
    if (candidate.rendered.bytes <= maxBytes) {
      hi = { d, bytes: candidate.rendered.bytes };
      fit = candidate;
    } else {
      lo = { d, bytes: candidate.rendered.bytes };
    }
    // Interpolation that only shaved one step off a wide interval is stuck on a kink: bisect next.
    interpolate = hi.d - lo.d < span - 1 || span <= 2;
  }
  return fit;
}
