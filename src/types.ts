// Domain nouns shared by every stage. Glossary:
// - batch: one arXiv announcement, named by its feed date (the ET date of the RSS pubDate, Mon–Fri).
// - domain: a topic readers can pick (LLM, agents, …), defined by a rule over papers.
// - segment: the readers who picked the same topics and the same language; one rendered mail per segment.
// - issue: what one segment receives for one batch.
// - delivery: one mail of one issue to one reader.

/** A calendar date, `YYYY-MM-DD`. */
export type ISODate = string;

export type AnnounceType = 'new' | 'cross' | 'replace' | 'replace-cross';
export const ANNOUNCE_TYPES = ['new', 'cross', 'replace', 'replace-cross'] as const satisfies readonly AnnounceType[];

/** What a reader reads: both languages, Chinese only (English title kept), or English only. */
export type Language = 'bilingual' | 'zh' | 'en';
export const LANGUAGES = ['bilingual', 'zh', 'en'] as const satisfies readonly Language[];

/** How often a reader gets mail: every issue, or one weekly digest (issue 12, part 5). */
export type Frequency = 'daily' | 'weekly';
export const FREQUENCIES = ['daily', 'weekly'] as const satisfies readonly Frequency[];

/**
 * The days a weekly digest covers: Monday of the digest's ISO week through the batch it goes out with (batch dates,
 * America/New_York). The papers of the stored batches dated in this range make the digest.
 */
/** The weekdays a digest can be set to (`digest.weeklyOn`): the days that carry an arXiv batch (feed dates Mon–Fri). */
export const DIGEST_WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;
export type DigestWeekday = (typeof DIGEST_WEEKDAYS)[number];

export interface DigestWeek {
  from: ISODate;
  to: ISODate;
}

export interface Author {
  name: string;
  /** Affiliations as written in parentheses after the name; may themselves contain commas. */
  affiliations: string[];
}

export interface PaperLinks {
  abs: string;
  pdf: string;
  html: string;
  papersCool: string;
}

export interface Paper {
  /** arXiv id without version: `2511.10593`, `hep-ex/0307015`. */
  id: string;
  version: number;
  title: string;
  /** Abstract without the `arXiv:… Announce Type: … Abstract:` prefix. */
  abstract: string;
  authors: Author[];
  /** Primary category first. */
  categories: string[];
  announceType: AnnounceType;
  links: PaperLinks;
  license?: string | undefined;
  doi?: string | undefined;
  journalRef?: string | undefined;
}

/** What arXiv's export API adds to a paper version the feed already gave us. */
export interface PaperDetails {
  id: string;
  version: number;
  /** The authors' free-text comment ("14 pages, 6 figures; accepted at NeurIPS 2025; code at …"). */
  comment: string | null;
  journalRef: string | null;
  doi: string | null;
}

/** What a mail and the paper page show beyond the feed, read from the abstract and the arXiv API details. */
export interface PaperExtras {
  /** A repository (GitHub, GitLab, Hugging Face, …) named in the abstract or comment. */
  codeUrl: string | null;
  /** A project or home page the comment or abstract calls one. */
  projectUrl: string | null;
  /** "NeurIPS 2025", "Findings of EMNLP 2025", a journal reference; null when none is named. */
  venue: string | null;
}

export interface LocalizedText {
  en: string;
  zh: string;
}

/** An include pattern with its own weight (negative: evidence against), optionally counted in one place only. */
export interface WeightedPattern {
  pattern: string;
  weight?: number | undefined;
  in?: 'title' | 'abstract' | 'anywhere' | undefined;
}

export type IncludePattern = string | WeightedPattern;

/** A topic readers can pick, and the rule that selects its papers. */
export interface Domain {
  id: string;
  name: LocalizedText;
  description: LocalizedText;
  /** A paper must be in at least one of these (any position). Empty: any category. */
  categories: string[];
  /**
   * Evidence that a paper is about the topic: words or phrases matched as whole words, each worth its weight (1 for
   * a plain string) per mention in the abstract and more in the title. Empty: every paper in the categories.
   */
  include: IncludePattern[];
  /** A paper matching any of these is left out. */
  exclude: string[];
  /** The score a paper needs to be selected (default 1: any one mention of a plain pattern). */
  minScore?: number | undefined;
  /** Added to the score of a paper listed in the category (any position): a prior, not a requirement. */
  categoryWeights?: Record<string, number> | undefined;
  announceTypes: AnnounceType[];
  /** Most papers shown with summaries in one mail; the rest are counted in "and N more". */
  cap: number;
}

/** Chinese text for one paper, after cleaning. A null field was never translated (or failed validation). */
export interface ChineseText {
  titleZh: string | null;
  abstractZh: string | null;
  tldrEn?: string | null;
  tldrZh?: string | null;
  /** Up to 3 checked key points in English and in Chinese; null or empty: none passed the checks. */
  pointsEn?: string[] | null;
  pointsZh?: string[] | null;
}

/** Why a paper was picked for a domain: its score, and where its evidence was found. */
export interface DomainMatch {
  paper: Paper;
  domainId: string;
  score: number;
  matchedIn: 'title' | 'abstract' | 'category';
  keywords: string[];
}

/** One domain's ranked papers for a batch (all of them, before caps). */
export interface DomainSelection {
  domain: Domain;
  matches: DomainMatch[];
}

/**
 * The ids of a reader's own sections (followed authors, keywords) start with this; configured domain ids start with
 * a letter, so the two never meet. Such a section has no page of its own in the web archive.
 */
export const PERSONAL_SECTION_PREFIX = '~';

export interface SegmentKey {
  /** Domain ids, in config order. */
  topics: string[];
  language: Language;
  /** The readers' own keywords, exclusions and authors; absent when they follow none (most readers). */
  interests?: ReaderInterests | undefined;
  /** `weekly` for a weekly digest's segment; absent for the daily mail (so daily segment ids never changed). */
  frequency?: 'weekly' | undefined;
}

export interface IssueEntry {
  paper: Paper;
  chinese: ChineseText | null;
  /** Code link, project page and venue; absent when nothing is known (no details step, or nothing named). */
  extras?: PaperExtras | undefined;
  /** Other domains of this reader the paper also falls in (ids). */
  alsoIn: string[];
}

export interface IssueSection {
  domain: Domain;
  entries: IssueEntry[];
  /**
   * Papers behind this section's "and N more": every one of the reader's domains they match was full, and this is
   * the one they fit best (each paper sits in one section; see buildSegmentIssue).
   */
  more: number;
  /**
   * Of the `more` papers, those the mail lists compactly (title only, one line each) after the entries, best first;
   * "and N more" counts the rest (`more - listed.length`). buildSegmentIssue lists them all; the renderer keeps
   * as many as the size budget allows. Absent: none listed.
   */
  listed?: IssueEntry[];
  /** All papers of this domain in the batch, before de-duplication and cap (the archive page lists them). */
  total: number;
}

/** What one segment receives for one batch: the input of the render stage. */
export interface SegmentIssue {
  /** Stable id of the segment, e.g. `bilingual.agents+llm`. */
  segmentId: string;
  key: SegmentKey;
  batchDate: ISODate;
  sections: IssueSection[];
  /** For a weekly digest: the days its papers come from (the mail says "This week · 本周" with these dates). */
  week?: DigestWeek | undefined;
}

/** Links and sender facts the template needs; per-reader URLs are placeholders filled after rendering. */
export interface NewsletterSite {
  name: string;
  publicBaseUrl: string;
  postalAddress: string;
  fromAddress: string;
}

export interface RenderedMail {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

export interface Subscriber {
  id: number;
  email: string;
  name: string | null;
  topics: string[];
  language: Language;
  status: SubscriberStatus;
  /** Keywords, exclusions and followed authors; absent when the reader follows none (or the query did not ask). */
  interests?: ReaderInterests | undefined;
  /** Daily (every issue) or one weekly digest; absent means daily. */
  frequency?: Frequency | undefined;
}

/**
 * What a reader follows beyond topics: keywords (whole words or phrases, as domains match them), keywords that
 * keep a paper out of their mail, and authors (matched on the name with accents and case folded). Up to 20 each.
 */
export interface ReaderInterests {
  keywords: string[];
  exclude: string[];
  authors: string[];
}

export type SubscriberStatus = 'pending' | 'active' | 'unsubscribed' | 'bounced' | 'complained';
