// Which of a batch's papers one reader's own interests pick or forbid: papers by an author they follow, papers
// naming one of their keywords, and papers naming an excluded keyword (never in their mail). Pure; each distinct
// keyword is compiled once and run over a batch once (keywordHits), whatever number of readers name it.
import type { Paper, ReaderInterests } from '../types.ts';
import { type CompiledKeyword, compileKeywords, type KeywordMatcher } from './match-keywords.ts';

export interface InterestMatcher {
  keywords: KeywordMatcher;
  exclude: KeywordMatcher;
  /** Followed authors as compared (accents, case and punctuation folded), with the name as the reader wrote it. */
  authors: Map<string, string>;
}

export interface AuthorMatch {
  paper: Paper;
  /** The followed names found among the paper's authors, as the reader wrote them. */
  authors: string[];
}

export interface KeywordMatch {
  paper: Paper;
  keywords: string[];
  /** How many of them the title names: a title mention ranks above the abstract's. */
  inTitle: number;
}

export interface InterestMatches {
  byAuthor: AuthorMatch[];
  /** Papers by a followed author are not repeated here. */
  byKeyword: KeywordMatch[];
  /** Ids of papers the reader excluded: no section of their mail may show them. */
  excluded: Set<string>;
}

/**
 * A name as compared: accents folded ("Müller" = "Muller", "Łukasz" = "Lukasz"), case and punctuation ignored,
 * "Last, First" turned round. Feeds write names as the authors typed them, so this is the best key there is.
 */
export function normalizeAuthorName(name: string): string {
  let text = name.trim();
  const comma = /^([^,]+),\s*([^,]+)$/.exec(text);
  if (comma) text = `${comma[2]} ${comma[1]}`;
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[łŁ]/g, 'l')
    .replace(/[øØ]/g, 'o')
    .replace(/ß/g, 'ss')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function compileInterests(interests: ReaderInterests): InterestMatcher {
  // Readers' keywords are plain words or phrases (validated in src/subscribers/reader-interests.ts); a leading and
  // trailing slash would make the matcher read a regex, so such a value is matched as the words inside.
  const literal = (values: readonly string[]) => values.map((v) => (v.startsWith('/') && v.endsWith('/') ? v.slice(1, -1) : v));
  return {
    keywords: compileKeywords(literal(interests.keywords)),
    exclude: compileKeywords(literal(interests.exclude)),
    authors: new Map(interests.authors.map((name) => [normalizeAuthorName(name), name])),
  };
}

/** Which papers of a batch one keyword finds: in the title or abstract, and in the title. */
interface KeywordHits {
  text: ReadonlySet<Paper>;
  title: ReadonlySet<Paper>;
}

/** What every reader's matching needs of one batch, worked out once: see batchOf. */
interface BatchFacts {
  /** Each paper's title and abstract as one text (a phrase may run from the title's end into the abstract). */
  texts: readonly string[];
  /** Each paper's author names as compared (normalizeAuthorName). */
  authors: ReadonlyArray<readonly string[]>;
  byKeyword: Map<string, KeywordHits>;
}

// Readers' keywords repeat across a list ("diffusion", "RLHF"), and a list of 100 000 readers each alone in their
// segment would otherwise run every reader's every keyword over every paper of the batch, and fold every author's
// name once per reader who follows someone. So each distinct keyword is run over a batch once, each name folded
// once, and a reader's matches are looked up. Kept per batch (the papers array) and let go with it.
const factsByBatch = new WeakMap<readonly Paper[], BatchFacts>();

function batchOf(papers: readonly Paper[]): BatchFacts {
  let batch = factsByBatch.get(papers);
  if (!batch) {
    batch = {
      texts: papers.map((paper) => `${paper.title}\n${paper.abstract}`),
      authors: papers.map((paper) => paper.authors.map((a) => normalizeAuthorName(a.name))),
      byKeyword: new Map(),
    };
    factsByBatch.set(papers, batch);
  }
  return batch;
}

function keywordHits(papers: readonly Paper[], keyword: CompiledKeyword): KeywordHits {
  const batch = batchOf(papers);
  // The expression, not the pattern as written, says what it finds ("LLM" and "llm" find the same papers).
  const key = keyword.regex.source;
  let hits = batch.byKeyword.get(key);
  if (!hits) {
    const text = new Set<Paper>();
    const title = new Set<Paper>();
    papers.forEach((paper, i) => {
      if (keyword.regex.test(batch.texts[i] as string)) text.add(paper);
      if (keyword.regex.test(paper.title)) title.add(paper);
    });
    hits = { text, title };
    batch.byKeyword.set(key, hits);
  }
  return hits;
}

/** The patterns of `matcher` (in its order) whose hits hold `paper`. */
function patternsFound(hits: readonly KeywordHits[], matcher: KeywordMatcher, paper: Paper, where: 'text' | 'title'): string[] {
  const found: string[] = [];
  hits.forEach((hit, i) => {
    if (hit[where].has(paper)) found.push((matcher.keywords[i] as CompiledKeyword).pattern);
  });
  return found;
}

/** The reader's author and keyword papers, best first, and the papers they excluded. */
export function matchInterests(matcher: InterestMatcher, papers: readonly Paper[]): InterestMatches {
  const byAuthor: AuthorMatch[] = [];
  const byKeyword: KeywordMatch[] = [];
  const excluded = new Set<string>();
  const excludeHits = matcher.exclude.keywords.map((k) => keywordHits(papers, k));
  const keywordHitsOf = matcher.keywords.keywords.map((k) => keywordHits(papers, k));
  const { authors } = batchOf(papers);
  for (const [i, paper] of papers.entries()) {
    if (excludeHits.some((hit) => hit.text.has(paper))) {
      excluded.add(paper.id);
      continue;
    }
    if (matcher.authors.size > 0) {
      const followed = (authors[i] as readonly string[])
        .map((name) => matcher.authors.get(name))
        .filter((name): name is string => name !== undefined);
      if (followed.length > 0) {
        byAuthor.push({ paper, authors: [...new Set(followed)] });
        continue;
      }
    }
    if (keywordHitsOf.length > 0) {
      const keywords = patternsFound(keywordHitsOf, matcher.keywords, paper, 'text');
      if (keywords.length > 0) {
        byKeyword.push({ paper, keywords, inTitle: patternsFound(keywordHitsOf, matcher.keywords, paper, 'title').length });
      }
    }
  }
  // More keywords first, then title mentions; the batch's order (by id) breaks ties so the result is stable.
  byKeyword.sort((a, b) => b.keywords.length - a.keywords.length || b.inTitle - a.inTitle);
  return { byAuthor, byKeyword, excluded };
}
