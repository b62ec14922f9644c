import type { Author } from '../types.ts';
import { detexify } from './detexify.ts';

export { detexify } from './detexify.ts';

const OPENERS: Readonly<Record<string, string>> = { '(': ')', '{': '}', '[': ']' };
const CLOSERS = new Set(Object.values(OPENERS));

const clean = (s: string): string => detexify(s.replace(/\s+/g, ' ').trim()).replace(/\s+/g, ' ').trim();

/**
 * Splits on commas outside any bracket. arXiv writes affiliations in parentheses after each name and an
 * affiliation may contain commas itself, so a plain `split(', ')` would tear it into fake authors.
 * Unbalanced brackets make depth meaningless; then every comma splits, which at worst over-splits.
 */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let balanced = true;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\') {
      i++; // `\{` is a literal brace, not a group
      continue;
    }
    if (OPENERS[ch] !== undefined) depth++;
    else if (CLOSERS.has(ch)) {
      depth--;
      if (depth < 0) balanced = false;
    } else if (ch === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  if (!balanced || depth !== 0) return s.split(',');
  return parts;
}

/** Index of the `(` matching the `)` that ends `s`, or -1. */
function matchingOpen(s: string): number {
  let depth = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    const ch = s[i];
    if (ch === ')') depth++;
    else if (ch === '(') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * Parses the one-string `dc:creator` of rss.arxiv.org, `"First Last (Aff 1, Dept), Other Name, Third (Aff)"`,
 * into authors with their parenthesised affiliations (each group kept whole), TeX accents turned into Unicode.
 */
export function parseAuthors(creator: string): Author[] {
  const authors: Author[] = [];
  for (const piece of splitTopLevel(creator)) {
    let name = piece.trim();
    const affiliations: string[] = [];
    while (name.endsWith(')')) {
      const open = matchingOpen(name);
      if (open < 0) break;
      const affiliation = clean(name.slice(open + 1, -1));
      if (affiliation !== '') affiliations.unshift(affiliation);
      name = name.slice(0, open).trim();
    }
    const cleanName = clean(name);
    if (cleanName === '') {
      // A bare `(…)` after a comma belongs to the author before it.
      const previous = authors.at(-1);
      if (previous !== undefined) previous.affiliations.push(...affiliations);
      continue;
    }
    authors.push({ name: cleanName, affiliations });
  }
  return authors;
}
