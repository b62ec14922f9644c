// What a paper's arXiv comment and its abstract say beyond the feed: where its code or project page lives and where
// it was published. Pure: text in, links and a short venue line out.
import type { Paper, PaperDetails, PaperExtras } from '../types.ts';

export type { PaperDetails, PaperExtras };


// Hosts whose links are code (or models and data next to code), whatever the sentence around them says.
const CODE_HOSTS = [
  /^github\.com$/,
  /^gitlab\.com$/,
  /^huggingface\.co$/,
  /^bitbucket\.org$/,
  /^codeberg\.org$/,
  /^anonymous\.4open\.science$/,
  /^gitee\.com$/,
];
// Sites that host project pages; other sites count only when the text around the link says "project page" etc.
const PROJECT_HOSTS = [/\.github\.io$/, /\.gitlab\.io$/, /\.pages\.dev$/];
const PROJECT_WORDS = /\b(project|home|homepage|website|web ?page|demo)\b|项目主页|主页/i;
const CODE_WORDS = /\b(code|codes|implementation|repository|repo|source code)\b|代码/i;

// Authors often drop the scheme for the big code hosts ("code: github.com/…").
const URL_PATTERN =
  /(?:https?:\/\/|www\.|\b(?:github\.com|gitlab\.com|huggingface\.co)\/)[^\s<>"'\u3000-\u303f\uff00-\uffef]+/gi;

/** A URL as an author typed it in running text, without the sentence's own punctuation or TeX wrapping. */
export function cleanUrl(raw: string): string | null {
  let url = raw.replace(/\\(?:url|href)\{?/g, '');
  // Trailing sentence punctuation, and closing brackets that have no opening one inside the URL.
  for (;;) {
    const last = url.at(-1);
    if (last === undefined) return null;
    if ('.,;:!?\'"'.includes(last)) {
      url = url.slice(0, -1);
      continue;
    }
    const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
    const open = pairs[last];
    if (open !== undefined && count(url, open) < count(url, last)) {
      url = url.slice(0, -1);
      continue;
    }
    break;
  }
  if (!/^https?:\/\//i.test(url)) url = `https://${url}`;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    if (!parsed.hostname.includes('.')) return null;
    return parsed.toString();
  } catch {
    return null;
  }
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n += 1;
  return n;
}

function hostOf(url: string): string {
  return new URL(url).hostname.toLowerCase().replace(/^www\./, '');
}

interface FoundLink {
  url: string;
  /** The words just before the link, where authors say what it is. */
  lead: string;
}

function linksIn(text: string): FoundLink[] {
  const found: FoundLink[] = [];
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = cleanUrl(match[0]);
    if (url === null) continue;
    const lead = text.slice(Math.max(0, match.index - 60), match.index);
    found.push({ url, lead: lead.slice(lead.search(/[^.;]*$/)) });
  }
  return found;
}

/** The code and project links of a paper: the comment first (the authors' own line), then the abstract. */
export function findLinks(abstract: string, comment: string | null): Pick<PaperExtras, 'codeUrl' | 'projectUrl'> {
  let codeUrl: string | null = null;
  let projectUrl: string | null = null;
  for (const { url, lead } of [...linksIn(comment ?? ''), ...linksIn(abstract)]) {
    const host = hostOf(url);
    if (host === 'arxiv.org' || host.endsWith('.arxiv.org') || host === 'doi.org') continue;
    if (CODE_HOSTS.some((h) => h.test(host))) {
      codeUrl ??= url;
    } else if (PROJECT_HOSTS.some((h) => h.test(host)) || PROJECT_WORDS.test(lead)) {
      projectUrl ??= url;
    } else if (CODE_WORDS.test(lead)) {
      codeUrl ??= url;
    }
  }
  return { codeUrl, projectUrl };
}

// Conference and journal names as authors write them in comments. Matched as whole words with a year, so "RSS"
// (Robotics: Science and Systems) needs "RSS 2025", and a stray acronym without a year is not a venue.
const VENUES = [
  'NeurIPS', 'NIPS', 'ICML', 'ICLR', 'CVPR', 'ICCV', 'ECCV', 'WACV', 'BMVC', 'ACCV', 'ACL', 'EMNLP', 'NAACL', 'EACL',
  'COLING', 'AACL', 'COLM', 'CoNLL', 'LREC', 'AAAI', 'IJCAI', 'KDD', 'WWW', 'SIGIR', 'CIKM', 'WSDM', 'RecSys',
  'AISTATS', 'UAI', 'COLT', 'CoRL', 'RSS', 'ICRA', 'IROS', 'Humanoids', 'MICCAI', 'ISBI', 'MIDL', 'ICASSP',
  'Interspeech', 'ACM MM', 'ACM Multimedia', 'SIGGRAPH', 'SIGGRAPH Asia', '3DV', 'ICDE', 'VLDB', 'SIGMOD', 'TPAMI',
  'IJCV', 'TMLR', 'JMLR', 'TACL', 'TIP', 'TNNLS', 'TOG', 'ICSE', 'FSE', 'ASE', 'USENIX Security', 'CCS', 'NDSS',
  'ICDM', 'ECAI', 'AAMAS', 'ICAPS', 'L4DC', 'ALT', 'ICME',
];
const VENUE_NAMES = VENUES.map((v) => v.replace(/ /g, '\\s+')).join('|');
const VENUE_WITH_YEAR = new RegExp(
  `\\b((?:Findings\\s+of\\s+(?:the\\s+)?)?(?:${VENUE_NAMES})(?:\\s*['’]?\\s*(?:20)?\\d{2})\\b(?:\\s+(?:Findings|Workshops?|Main(?:\\s+Conference)?|Oral|Spotlight|Poster|Datasets\\s+and\\s+Benchmarks(?:\\s+Track)?))?)`,
  'i',
);
const ACCEPTED = /\b(?:accepted|to appear|published|appear(?:s|ed|ing)?|presented|camera[- ]ready|in proceedings)\b/i;
const NOT_YET = /\b(?:submitted|under review|in submission|preprint for|rejected)\b/i;
const MAX_VENUE_LENGTH = 80;

/** The venue a comment or journal reference names, in a few words; null when it names none or only a submission. */
export function findVenue(comment: string | null, journalRef: string | null): string | null {
  if (journalRef !== null && journalRef.trim() !== '') return shorten(journalRef.replace(/\s+/g, ' ').trim());
  if (comment === null) return null;
  // One clause at a time: "Submitted to ICLR 2026; workshop version at NeurIPS 2025" names one venue, not two.
  for (const clause of comment.replace(/\s+/g, ' ').split(/[;,]|\.\s/)) {
    if (NOT_YET.test(clause)) continue;
    const named = VENUE_WITH_YEAR.exec(clause);
    if (named === null) continue;
    // A clause that starts with the venue ("ICLR 2026", "NeurIPS 2025 Workshop on …") is how most authors say
    // accepted; an explicit "submitted" was skipped above.
    if (ACCEPTED.test(clause) || clause.trimStart().startsWith(named[1]!)) {
      return shorten(named[1]!.replace(/\s+/g, ' '));
    }
  }
  return null;
}

function shorten(text: string): string {
  if (text.length <= MAX_VENUE_LENGTH) return text;
  const cut = text.slice(0, MAX_VENUE_LENGTH);
  const space = cut.lastIndexOf(' ');
  return `${cut.slice(0, space > 40 ? space : MAX_VENUE_LENGTH - 1)}…`;
}

/** Everything the mail and the paper page show beyond the feed, from the paper and its API details (if any). */
export function extrasOf(paper: Paper, details: PaperDetails | undefined): PaperExtras {
  const comment = details?.comment ?? null;
  const journalRef = details?.journalRef ?? paper.journalRef ?? null;
  return { ...findLinks(paper.abstract, comment), venue: findVenue(comment, journalRef) };
}
