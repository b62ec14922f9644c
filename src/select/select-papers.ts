import type { AnnounceType, Domain, DomainMatch, DomainSelection, Paper } from '../types.ts';
import { compileKeywords, matchKeywords } from './match-keywords.ts';
import { compileInclude, scorePaper, type WeightedKeyword } from './score-paper.ts';

const TIER: Record<DomainMatch['matchedIn'], number> = { title: 0, abstract: 1, category: 2 };
// Between papers that fit equally well: new before cross-lists before replacements (a cross-list is someone else's
// paper, a replacement one readers may already have seen).
const ANNOUNCE_ORDER: Record<AnnounceType, number> = { new: 0, cross: 1, replace: 2, 'replace-cross': 3 };

const NEW_STYLE_ID = /^(\d{2})(\d{2})\.(\d{4,5})$/;
const OLD_STYLE_ID = /^[a-z-]+(?:\.[A-Z]{2})?\/(\d{2})(\d{2})(\d{3})$/;

/** `[yyyymm, sequence]` of an arXiv id, or null for an id of neither known shape. */
function idAge(id: string): [number, number] | null {
  const modern = NEW_STYLE_ID.exec(id);
  if (modern) return [(2000 + Number(modern[1])) * 100 + Number(modern[2]), Number(modern[3])];
  const old = OLD_STYLE_ID.exec(id);
  if (old) {
    const yy = Number(old[1]);
    // Old-style ids ran from 1991 to March 2007.
    const year = yy >= 91 ? 1900 + yy : 2000 + yy;
    return [year * 100 + Number(old[2]), Number(old[3])];
  }
  return null;
}

/** Newer ids first; ids of an unknown shape after known ones, in reverse string order. */
export function compareIdsNewestFirst(a: string, b: string): number {
  const ageA = idAge(a);
  const ageB = idAge(b);
  if (ageA && ageB) return ageB[0] - ageA[0] || ageB[1] - ageA[1];
  if (ageA) return -1;
  if (ageB) return 1;
  return a < b ? 1 : a > b ? -1 : 0;
}

/** A mail entry is a summary: a paper without an abstract has none to show, so it goes after those that do. */
const hasAbstract = (match: DomainMatch): number => (match.paper.abstract.trim() === '' ? 0 : 1);

/**
 * The reading order of a domain: papers with an abstract first, then by score (how much evidence the paper gives for
 * the domain), then new before cross-lists before replacements, then newer ids first so the order is total.
 */
export function compareMatches(a: DomainMatch, b: DomainMatch): number {
  return (
    hasAbstract(b) - hasAbstract(a) ||
    b.score - a.score ||
    ANNOUNCE_ORDER[a.paper.announceType] - ANNOUNCE_ORDER[b.paper.announceType] ||
    compareIdsNewestFirst(a.paper.id, b.paper.id)
  );
}

/**
 * How strongly one paper fits, ignoring its announce type: used to pick the one domain a paper is shown in when
 * it falls in several. Negative when `a` fits better. Scores of different domains are on different scales, so
 * where the evidence is (title over abstract over category) decides first.
 */
export function compareFit(a: DomainMatch, b: DomainMatch): number {
  return TIER[a.matchedIn] - TIER[b.matchedIn] || b.score - a.score;
}

interface CompiledDomain {
  domain: Domain;
  categories: ReadonlySet<string>;
  announceTypes: ReadonlySet<AnnounceType>;
  include: WeightedKeyword[];
  exclude: ReturnType<typeof compileKeywords>;
  minScore: number;
  categoryWeights: Readonly<Record<string, number>>;
}

function compileDomain(domain: Domain): CompiledDomain {
  return {
    domain,
    categories: new Set(domain.categories),
    announceTypes: new Set(domain.announceTypes),
    include: compileInclude(domain.include),
    exclude: compileKeywords(domain.exclude),
    minScore: domain.minScore ?? 1,
    categoryWeights: domain.categoryWeights ?? {},
  };
}

function matchPaper(rule: CompiledDomain, paper: Paper): DomainMatch | null {
  if (!rule.announceTypes.has(paper.announceType)) return null;
  if (rule.categories.size > 0 && !paper.categories.some((category) => rule.categories.has(category))) return null;
  if (rule.exclude.keywords.length > 0) {
    if (matchKeywords(rule.exclude, paper.title).length > 0) return null;
    if (matchKeywords(rule.exclude, paper.abstract).length > 0) return null;
  }
  const { score, inTitle, inAbstract } = scorePaper(rule.include, rule.categoryWeights, paper);
  // An empty include takes every paper of the categories; the category priors still order them.
  if (rule.include.length > 0 && score < rule.minScore) return null;
  return {
    paper,
    domainId: rule.domain.id,
    score,
    matchedIn: inTitle.length > 0 ? 'title' : inAbstract.length > 0 ? 'abstract' : 'category',
    keywords: [...new Set([...inTitle, ...inAbstract])],
  };
}

/**
 * Every domain's papers for one batch, ranked (see compareMatches), one selection per domain in the given order,
 * empty ones included. A paper id seen twice (the same paper fetched from two feeds) counts once, first copy wins.
 * Throws a ConfigError when a domain keyword is not a valid pattern.
 */
export function selectPapers(papers: readonly Paper[], domains: readonly Domain[]): DomainSelection[] {
  const unique = new Map<string, Paper>();
  for (const paper of papers) if (!unique.has(paper.id)) unique.set(paper.id, paper);
  return domains.map(compileDomain).map((rule) => {
    const matches: DomainMatch[] = [];
    for (const paper of unique.values()) {
      const match = matchPaper(rule, paper);
      if (match) matches.push(match);
    }
    return { domain: rule.domain, matches: matches.sort(compareMatches) };
  });
}
