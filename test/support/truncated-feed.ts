import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A download of the cs.AI Atom feed of 2025-08-20 that stopped in the middle of an entry, made from the full
// fixture instead of kept as a second 178 KB copy of it. It is what the old truncated.xml fixture was: every entry
// of the full feed, no closing </feed>, then the first five lines of one more entry (up to its <link …/>, with no
// newline after it), so the parser gives up at the same place, "Unclosed root tag at line 1233". The old file's
// last, cut-off entry is not in the full fixture, so the head of the feed's last entry stands in for it.

export const FULL_ATOM_FEED = join(import.meta.dirname, '..', 'fixtures', 'atom-cs.AI-2025-08-20.xml');
/** The name the old fixture had; tests name the source after it. */
export const TRUNCATED_NAME = 'atom-cs.AI-2025-08-20.truncated.xml';

/** The full feed's text, cut in the middle of an entry as described above. */
export function truncatedAtomFeed(full = readFileSync(FULL_ATOM_FEED, 'utf8')): string {
  const end = full.lastIndexOf('</feed>');
  const lastEntry = full.lastIndexOf('  <entry>', end);
  const link = full.indexOf('<link ', lastEntry);
  if (end < 0 || lastEntry < 0 || link < 0 || link > end) throw new Error('not the Atom feed this cut was made for');
  const cut = full.indexOf('/>', link) + '/>'.length;
  return full.slice(0, end) + full.slice(lastEntry, cut);
}

/** Writes the cut feed to a new temporary folder under its old name; returns the file's path. */
export function writeTruncatedAtomFeed(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'paperboy-truncated-')), TRUNCATED_NAME);
  writeFileSync(file, truncatedAtomFeed());
  return file;
}
