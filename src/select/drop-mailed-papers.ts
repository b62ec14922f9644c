import type { AnnounceType, DomainSelection, Paper } from '../types.ts';

// Never the same paper twice: a paper a segment's readers were already mailed (any version) leaves that segment's
// selections before its issue is built, so caps, "and N more" and "also in" are computed on what is left. With
// `showUpdatedVersions`, a newer version than the one mailed stays, relabelled as an update.

/** How a paper that comes back in a newer version is labelled: the template shows `replace*` as "updated / 新版本". */
const UPDATED_LABEL: Readonly<Record<AnnounceType, AnnounceType>> = {
  new: 'replace',
  replace: 'replace',
  cross: 'replace-cross',
  'replace-cross': 'replace-cross',
};

export interface MailedFilter {
  selections: DomainSelection[];
  /** Ids left out: mailed before in this version or a newer one (or in any version, without showUpdatedVersions). */
  dropped: string[];
  /** Ids kept because they are a newer version than the one mailed, relabelled as updated. */
  updated: string[];
}

/**
 * `mailed`: paper id → highest version the segment's readers got in another issue. Pure; the selections given are
 * not changed.
 */
export function withoutMailedPapers(
  selections: readonly DomainSelection[],
  mailed: ReadonlyMap<string, number>,
  options: { showUpdatedVersions: boolean },
): MailedFilter {
  const dropped = new Set<string>();
  const updated = new Map<string, Paper>();
  const verdict = (paper: Paper): Paper | null => {
    const version = mailed.get(paper.id);
    if (version === undefined) return paper;
    if (options.showUpdatedVersions && paper.version > version) {
      const relabelled = updated.get(paper.id) ?? { ...paper, announceType: UPDATED_LABEL[paper.announceType] };
      updated.set(paper.id, relabelled);
      return relabelled;
    }
    dropped.add(paper.id);
    return null;
  };
  const filtered = selections.map((selection) => ({
    domain: selection.domain,
    matches: selection.matches.flatMap((match) => {
      const paper = verdict(match.paper);
      return paper === null ? [] : [paper === match.paper ? match : { ...match, paper }];
    }),
  }));
  return { selections: filtered, dropped: [...dropped], updated: [...updated.keys()] };
}
