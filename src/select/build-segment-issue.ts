import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.ts';
import type {
  ChineseText,
  DomainMatch,
  DomainSelection,
  Frequency,
  ISODate,
  IssueEntry,
  IssueSection,
  Language,
  Paper,
  PaperExtras,
  ReaderInterests,
  SegmentIssue,
  SegmentKey,
} from '../types.ts';
import { hasInterests } from '../store/reader-interests.ts';
import { WEEKLY_SEGMENT_PREFIX } from '../store/weekly-digests.ts';
import { normalizeAuthorName } from './match-interests.ts';
import { compareFit, compareMatches } from './select-papers.ts';

// Characters kept as they are in a segment id; everything else is hex-escaped with `~` so that any domain id
// gives a file name that is valid everywhere and two different topic lists never share an id.
const SAFE_ID_CHAR = /[A-Za-z0-9_-]/;

function encodeTopic(topic: string): string {
  let out = '';
  for (const char of topic) {
    if (SAFE_ID_CHAR.test(char)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) out += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Stable id of a segment, e.g. `bilingual.agents+llm`: the language, then the topics sorted by code unit (so the
 * id does not move when the config is reordered); a weekly digest's segment has `weekly.` in front
 * (`weekly.bilingual.agents+llm`), so it never shares a mail or a history with the daily one. Safe as a file name.
 * Throws a ConfigError for an empty topic list.
 */
export function segmentIdOf(key: SegmentKey): string {
  if (key.topics.length === 0) throw new ConfigError(`A ${key.language} segment has no topics.`);
  const topics = [...new Set(key.topics)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const base = `${key.language}.${topics.map(encodeTopic).join('+')}`;
  const id = key.interests ? `${base}.i${interestsHash(key.interests)}` : base;
  return key.frequency === 'weekly' ? `${WEEKLY_SEGMENT_PREFIX}${id}` : id;
}

/**
 * A short name for a set of interests: the same lists (in any order, any case, authors however spelt) give the
 * same name, so readers who follow the same things share a segment and its one rendered mail.
 */
function interestsHash(interests: ReaderInterests): string {
  const canonical = (values: readonly string[], fold: (v: string) => string) => [...new Set(values.map(fold))].sort();
  const lower = (v: string) => v.toLowerCase();
  const text = JSON.stringify([
    canonical(interests.keywords, lower),
    canonical(interests.exclude, lower),
    canonical(interests.authors, normalizeAuthorName),
  ]);
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** A reader's choice as a segment key: unknown topics dropped, duplicates removed, config order. */
export function segmentKeyOf(
  topics: readonly string[],
  language: Language,
  domainOrder: readonly string[],
  interests?: ReaderInterests,
  frequency?: Frequency,
): SegmentKey {
  const picked = new Set(topics);
  const key: SegmentKey = { topics: [...new Set(domainOrder)].filter((id) => picked.has(id)), language };
  const withInterests = interests && hasInterests(interests) ? { ...key, interests } : key;
  return frequency === 'weekly' ? { ...withInterests, frequency } : withInterests;
}

/** One paper's matches in the reader's domains, best fit first (see `placePapers`). */
interface Candidate {
  /** Indexes into the reader's domains with the paper's match there, best fit first; ties keep config order. */
  choices: Array<{ index: number; match: DomainMatch }>;
  /** How far down `choices` the paper has gone. */
  next: number;
}

/**
 * Where each paper goes in one reader's mail: `placed[i]` holds the papers shown in domain `i` (at most its cap),
 * `overflow[i]` those behind its "and N more" (papers whose every domain was full, under their best one).
 *
 * A paper goes to the best-fitting of its domains that still has room. "Room" depends on which papers came first,
 * so a plain first-come loop would depend on input order, and could show a domain's weaker paper while a stronger
 * one of the same domain sits behind "and N more". Instead papers ask their domains in order of fit (compareFit,
 * ties to the earlier domain), and a full domain keeps the papers it ranks highest (compareMatches) and sends the
 * weakest one on to its next domain (deferred acceptance, as in matching residents to hospitals). The outcome is
 * the same whatever order the papers are visited in, and each domain shows its best-ranked papers among those
 * that did not fit better elsewhere.
 */
function placePapers(ranked: ReadonlyArray<{ domain: { cap: number }; ranked: DomainMatch[] }>): {
  placed: DomainMatch[][];
  overflow: DomainMatch[][];
} {
  const candidates = new Map<string, Candidate>();
  ranked.forEach(({ ranked: matches }, index) => {
    for (const match of matches) {
      const candidate = candidates.get(match.paper.id) ?? { choices: [], next: 0 };
      if (!candidate.choices.some((c) => c.index === index)) candidate.choices.push({ index, match });
      candidates.set(match.paper.id, candidate);
    }
  });
  for (const candidate of candidates.values()) {
    candidate.choices.sort((a, b) => compareFit(a.match, b.match) || a.index - b.index);
  }

  const caps = ranked.map(({ domain }) => Math.max(0, domain.cap));
  const placed: DomainMatch[][] = ranked.map(() => []);
  const overflow: DomainMatch[][] = ranked.map(() => []);
  const waiting = [...candidates.values()];
  for (let candidate = waiting.pop(); candidate; candidate = waiting.pop()) {
    const choice = candidate.choices[candidate.next];
    if (!choice) {
      // Every domain of the paper is full of papers it ranks higher: behind "and N more" of its best one.
      const best = candidate.choices[0];
      if (best) overflow[best.index]?.push(best.match);
      continue;
    }
    candidate.next += 1;
    const shown = placed[choice.index] ?? [];
    shown.push(choice.match);
    // Sorted only when over the cap: an uncapped domain (the web archive) never pays for it.
    if (shown.length > (caps[choice.index] ?? 0)) {
      shown.sort(compareMatches);
      const bumped = shown.pop();
      if (bumped) waiting.push(candidates.get(bumped.paper.id) as Candidate);
    }
  }
  for (const list of [...placed, ...overflow]) list.sort(compareMatches);
  return { placed, overflow };
}

/**
 * What one segment receives: the reader's domains in config order (the order of `selections`), each paper once,
 * in the best-fitting domain (title over abstract over category, then score; a tie goes to the earlier domain)
 * that still has room under its cap (see placePapers), with `alsoIn` naming the reader's other domains it matched.
 * Each section shows at most `domain.cap` entries; `more` counts the papers behind its "and N more", `total` every
 * paper of the domain.
 * For an `en` segment entries carry only the English TL;DR and key points of `chineseOf`'s record (null when it has
 * none): those readers get no Chinese. Each section's `listed` holds the papers behind its "and N more", best first.
 * Throws a ConfigError when the key names a topic that has no selection.
 */
export function buildSegmentIssue(
  selections: readonly DomainSelection[],
  key: SegmentKey,
  batchDate: ISODate,
  chineseOf: (paper: Paper) => ChineseText | null,
): SegmentIssue {
  const segmentId = segmentIdOf(key);
  const wanted = new Set(key.topics);
  const known = new Set(selections.map((selection) => selection.domain.id));
  const unknown = key.topics.filter((topic) => !known.has(topic));
  if (unknown.length > 0) {
    throw new ConfigError(`Segment ${segmentId} names domains with no selection: ${unknown.join(', ')}.`, unknown);
  }
  const mine = selections
    .filter((selection) => wanted.has(selection.domain.id))
    .map((selection) => ({ domain: selection.domain, ranked: [...selection.matches].sort(compareMatches) }));

  const domainsOf = new Map<string, number[]>();
  mine.forEach(({ ranked }, index) => {
    for (const match of ranked) {
      const list = domainsOf.get(match.paper.id) ?? [];
      if (!list.includes(index)) list.push(index);
      domainsOf.set(match.paper.id, list);
    }
  });
  const { placed, overflow } = placePapers(mine);

  // English readers get no Chinese, but the English TL;DR and key points come in the same record (issue 11).
  const englishSummaryOf = (paper: Paper): ChineseText | null => {
    const record = chineseOf(paper);
    if (!record?.tldrEn && !record?.pointsEn?.length) return null;
    return { titleZh: null, abstractZh: null, tldrEn: record.tldrEn ?? null, pointsEn: record.pointsEn ?? null };
  };
  const entryOf = (match: DomainMatch, index: number): IssueEntry => {
    const alsoIn = (domainsOf.get(match.paper.id) ?? [])
      .filter((other) => other !== index)
      .sort((a, b) => a - b)
      .map((other) => mine[other]?.domain.id)
      .filter((id): id is string => id !== undefined);
    const chinese = key.language === 'en' ? englishSummaryOf(match.paper) : chineseOf(match.paper);
    return { paper: match.paper, chinese, alsoIn };
  };
  const sections: IssueSection[] = mine.map(({ domain, ranked }, index) => {
    const entries = (placed[index] ?? []).map((match) => entryOf(match, index));
    // The papers behind "and N more" travel with the issue, so the mail can list them by title (issue 12, part 3).
    const listed = (overflow[index] ?? []).map((match) => entryOf(match, index));
    return { domain, entries, more: listed.length, listed, total: ranked.length };
  });

  return { segmentId, key, batchDate, sections };
}

/**
 * The papers some segment will show with a summary (each reader's topics × caps, after de-duplication): the ones
 * worth translating. Papers only behind "and N more" are left out.
 */
export function papersShownIn(
  keys: Iterable<SegmentKey>,
  selections: readonly DomainSelection[],
  batchDate: ISODate,
): Paper[] {
  const shown = new Map<string, Paper>();
  for (const key of keys) {
    for (const section of buildSegmentIssue(selections, key, batchDate, () => null).sections) {
      for (const entry of section.entries) shown.set(entry.paper.id, entry.paper);
    }
  }
  return [...shown.values()];
}

/** The issue with each paper's code link, project page and venue attached (entries and title-only lines alike). */
export function attachExtras(issue: SegmentIssue, extras: ReadonlyMap<string, PaperExtras>): SegmentIssue {
  if (extras.size === 0) return issue;
  const withExtras = (entry: IssueEntry): IssueEntry => {
    const found = extras.get(entry.paper.id);
    return found ? { ...entry, extras: found } : entry;
  };
  return {
    ...issue,
    sections: issue.sections.map((section) => ({
      ...section,
      entries: section.entries.map(withExtras),
      ...(section.listed ? { listed: section.listed.map(withExtras) } : {}),
    })),
  };
}
