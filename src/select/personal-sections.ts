// A reader's own sections, ahead of their topics: papers by authors they follow and papers naming their keywords,
// from the whole batch (inside or outside their topics), and the papers their exclusions keep out of every section.
// Pure. The sections are domain selections of their own (ids that no configured domain can have), so placement,
// caps, "listed by title" and "and N more" work for them exactly as for topics; their matches outrank any topic's,
// so a paper that is both a topic's and an author's sits under the author, tagged with the topic.
import { PERSONAL_SECTION_PREFIX, type Domain, type DomainMatch, type DomainSelection, type Paper, type ReaderInterests } from '../types.ts';
import { compileInterests, matchInterests } from './match-interests.ts';

/** Configured domain ids start with a letter (config/schema.ts), so these never collide with one. */
export const AUTHORS_SECTION_ID = `${PERSONAL_SECTION_PREFIX}authors`;
export const KEYWORDS_SECTION_ID = `${PERSONAL_SECTION_PREFIX}keywords`;

const personalDomain = (id: string, name: Domain['name'], description: Domain['description'], cap: number): Domain => ({
  id,
  name,
  description,
  categories: [],
  include: [],
  exclude: [],
  announceTypes: ['new', 'cross', 'replace', 'replace-cross'],
  cap,
});

export const AUTHORS_DOMAIN = personalDomain(
  AUTHORS_SECTION_ID,
  { en: 'Authors you follow', zh: '关注的作者' },
  { en: 'New papers by the authors you follow.', zh: '你关注的作者的新论文。' },
  8,
);
export const KEYWORDS_DOMAIN = personalDomain(
  KEYWORDS_SECTION_ID,
  { en: 'Your keywords', zh: '你的关键词' },
  { en: 'New papers that name your keywords.', zh: '提到你关键词的新论文。' },
  6,
);

/** Far above any topic score: a reader's own pick wins the placement of a paper that is also a topic's. */
const PERSONAL_SCORE = 1_000_000;

export interface PersonalSelections {
  /** The non-empty personal sections, authors first. */
  selections: DomainSelection[];
  /** The topic selections without the papers the reader excluded. */
  topics: DomainSelection[];
}

export function personalSelections(
  interests: ReaderInterests,
  papers: readonly Paper[],
  topics: readonly DomainSelection[],
): PersonalSelections {
  const found = matchInterests(compileInterests(interests), papers);
  // Best first as matchInterests ranked them; the scores keep that order and win every placement.
  const section = (domain: Domain, picks: ReadonlyArray<{ paper: Paper; why: string[] }>): DomainSelection[] =>
    picks.length === 0
      ? []
      : [
          {
            domain,
            matches: picks.map(({ paper, why }, rank): DomainMatch => ({
              paper,
              domainId: domain.id,
              score: PERSONAL_SCORE - rank,
              matchedIn: 'title',
              keywords: why,
            })),
          },
        ];
  const selections = [
    ...section(AUTHORS_DOMAIN, found.byAuthor.map(({ paper, authors }) => ({ paper, why: authors }))),
    ...section(KEYWORDS_DOMAIN, found.byKeyword.map(({ paper, keywords }) => ({ paper, why: keywords }))),
  ];
  const kept = (selection: DomainSelection): DomainSelection =>
    found.excluded.size === 0
      ? selection
      : { ...selection, matches: selection.matches.filter((m) => !found.excluded.has(m.paper.id)) };
  return { selections, topics: topics.map(kept) };
}
