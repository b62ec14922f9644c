import { ConfigError } from '../errors.ts';
import type {
  ChineseText,
  DomainMatch,
  DomainSelection,
  ISODate,
  IssueSection,
  Language,
  Paper,
  SegmentIssue,
  SegmentKey,
} from '../types.ts';
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
 * id does not move when the config is reordered). Safe as a file name. Throws a ConfigError for an empty topic list.
 */
export function segmentIdOf(key: SegmentKey): string {
  if (key.topics.length === 0) throw new ConfigError(`A ${key.language} segment has no topics.`);
  const topics = [...new Set(key.topics)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `${key.language}.${topics.map(encodeTopic).join('+')}`;
}

/** A reader's choice as a segment key: unknown topics dropped, duplicates removed, config order. */
export function segmentKeyOf(
  topics: readonly string[],
  language: Language,
  domainOrder: readonly string[],
): SegmentKey {
  const picked = new Set(topics);
  return { topics: [...new Set(domainOrder)].filter((id) => picked.has(id)), language };
}

/** The readers of one segment. */
export interface SegmentGroup<T> {
  key: SegmentKey;
  readers: T[];
}

export interface SegmentGroups<T> {
  /** Readers by segment id, segments in the order their first reader came. */
  segments: Map<string, SegmentGroup<T>>;
  /** Readers none of whose topics is a configured domain: they get no issue. */
  noTopics: T[];
}

/** Groups readers who picked the same known topics and language; see SegmentGroups. */
export function groupIntoSegments<T extends { topics: readonly string[]; language: Language }>(
  readers: Iterable<T>,
  domainOrder: readonly string[],
): SegmentGroups<T> {
  const segments = new Map<string, SegmentGroup<T>>();
  const noTopics: T[] = [];
  for (const reader of readers) {
    const key = segmentKeyOf(reader.topics, reader.language, domainOrder);
    if (key.topics.length === 0) {
      noTopics.push(reader);
      continue;
    }
    const id = segmentIdOf(key);
    const segment = segments.get(id);
    if (segment) segment.readers.push(reader);
    else segments.set(id, { key, readers: [reader] });
  }
  return { segments, noTopics };
}

interface Placement {
  /** The match of the domain the paper is shown in. */
  match: DomainMatch;
  /** Indexes of every reader domain the paper matched. */
  all: number[];
}

/**
 * What one segment receives: the reader's domains in config order (the order of `selections`), each paper once,
 * in the domain it fits best (title over abstract over category, then score; a tie goes to the earlier domain),
 * with `alsoIn` naming the reader's other domains it matched. Each section shows at most `domain.cap` entries.
 * `chineseOf` is not consulted for an `en` segment: those readers get no Chinese, so entries carry `chinese: null`.
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

  const placements = new Map<string, Placement>();
  mine.forEach(({ ranked }, index) => {
    for (const match of ranked) {
      const placement = placements.get(match.paper.id);
      if (!placement) {
        placements.set(match.paper.id, { match, all: [index] });
        continue;
      }
      if (placement.all.includes(index)) continue;
      placement.all.push(index);
      // Domains are visited in config order, so only a strictly better fit moves the paper.
      if (compareFit(match, placement.match) < 0) {
        placement.match = match;
      }
    }
  });

  const sections: IssueSection[] = mine.map(({ domain, ranked }, index) => {
    const shown = ranked.filter((match) => placements.get(match.paper.id)?.match === match);
    const cap = Math.max(0, domain.cap);
    const entries = shown.slice(0, cap).map((match) => {
      const placement = placements.get(match.paper.id);
      const alsoIn = (placement?.all ?? [])
        .filter((other) => other !== index)
        .sort((a, b) => a - b)
        .map((other) => mine[other]?.domain.id)
        .filter((id): id is string => id !== undefined);
      return { paper: match.paper, chinese: key.language === 'en' ? null : chineseOf(match.paper), alsoIn };
    });
    return { domain, entries, more: shown.length - entries.length, total: ranked.length };
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
