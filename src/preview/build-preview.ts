// What `paperboy preview` shows for one batch: every segment's mail built on the same path as delivery (stored
// batch → select → never-twice → stored Chinese → the segment's issue → renderIssue with the run's settings, or
// the mail a run already kept for the issue), with sample links where each reader's own links go. Reads only:
// nothing is frozen, rendered into the store, translated or sent.
import type { Kysely } from 'kysely';
import { detailsForRun, digestWeekOf } from '../arxiv/index.ts';
import { holidaysOf } from '../config/load-config.ts';
import type { PaperboyConfig } from '../config/schema.ts';
import { silentLogger } from '../log/logger.ts';
import { loadAssembler, personalize, sampleReader, type MailAssembler } from '../render/index.ts';
import { renderSettingsOf } from '../run-wiring.ts';
import { activeReadersBySegment, attachExtras, planDailyAndWeekly, READER_PAGE, selectPapers, surveyAudience } from '../select/index.ts';
import { loadBatch } from '../store/batches.ts';
import { findIssue, listIssueSegments, loadSegmentRender } from '../store/issues.ts';
import type { Database } from '../store/schema.ts';
import { chineseForPapers, type ChineseOptions } from '../translate/index.ts';
import type { ISODate, Language, Paper, SegmentKey } from '../types.ts';
import { baselineFileOf, checkCompatibility, type CompatBaseline, type CompatReport } from './check-compatibility.ts';
import { checkLinks, type LinkReport } from './check-links.ts';

/** Gmail shows "[Message clipped]" past about 102 KB of HTML (rendering.md §6; measured 102–105 KB). */
export const GMAIL_CLIP_BYTES = 102 * 1024;

export interface MissingChinese {
  id: string;
  title: string;
  missing: Array<'title' | 'summary'>;
}

export interface PreviewSegment {
  segmentId: string;
  key: SegmentKey;
  readers: number;
  /** `kept`: the mail a run of this issue already rendered and keeps sending; `rendered`: rendered now. */
  source: 'kept' | 'rendered';
  subject: string;
  preheader: string;
  /** With the sample reader's links, as the run's preview files have them. */
  html: string;
  text: string;
  htmlBytes: number;
  textBytes: number;
  papers: number;
  /** Entries shortened to fit render.maxHtmlBytes. */
  degraded: number;
  /** Papers of this mail shown without a Chinese title or summary (never for `en` readers). */
  missingChinese: MissingChinese[];
  /** Left out as already mailed to these readers, and kept as updated versions. */
  repeats: { dropped: string[]; updated: string[] };
  links: LinkReport;
  compatibility: CompatReport;
}

export interface PreviewIssue {
  batchDate: ISODate;
  papers: number;
  /** `frozen`: the issue's audience is fixed (a run prepared it); `current`: the active readers as they are now. */
  audience: 'frozen' | 'current';
  budgetBytes: number;
  clipBytes: number;
  segments: PreviewSegment[];
  notes: string[];
}

function missingChineseOf(language: Language, papers: Array<{ paper: Paper; chinese: { titleZh: string | null; abstractZh: string | null } | null }>) {
  if (language === 'en') return [];
  return papers.flatMap(({ paper, chinese }) => {
    const missing: MissingChinese['missing'] = [];
    if (!chinese?.titleZh) missing.push('title');
    if (!chinese?.abstractZh) missing.push('summary');
    return missing.length > 0 ? [{ id: paper.id, title: paper.title, missing }] : [];
  });
}

export async function buildPreview(
  db: Kysely<Database>,
  config: PaperboyConfig,
  batchDate: ISODate,
  options: {
    baseline: CompatBaseline | null;
    compatibility?: boolean | undefined;
    /** The run's live model and prompt (when a provider is configured): their translations win, as in the run. */
    prefer?: ChineseOptions['prefer'];
  },
): Promise<PreviewIssue | null> {
  const batch = await loadBatch(db, batchDate);
  if (!batch) return null;
  const notes: string[] = [];
  const selections = selectPapers(batch.papers, config.domains);
  const domainOrder = config.domains.map((d) => d.id);
  const issue = await findIssue(db, batchDate);
  const frozen = Boolean(issue?.preparedAt);
  // On the week's digest batch the preview shows the weekly readers' `weekly.` segments too, as the run sends them.
  const week = digestWeekOf(batchDate, config.digest.weeklyOn, holidaysOf(config));
  const segments = frozen
    ? (await listIssueSegments(db, batchDate)).filter((s) => s.readers > 0)
    : (await surveyAudience(db, domainOrder, READER_PAGE, week)).segments;
  if (segments.length === 0) notes.push('no active reader has a configured topic: there is no segment to show');
  const plan = await planDailyAndWeekly(db, batchDate, { papers: batch.papers, selections, domains: config.domains }, segments, {
    scope: frozen ? { kind: 'ledger' } : await activeReadersBySegment(db, domainOrder, week),
    showUpdatedVersions: config.schedule.showUpdatedVersions,
    week,
  });
  // Stored translations, picked as the run picks them; the preview never calls the translator itself.
  const chinese = await chineseForPapers(db, plan.shown, {
    tldr: config.translation.summaries,
    prefer: options.prefer,
    glossary: config.translation.glossary,
  });
  const chineseOf = (paper: Paper) => chinese.get(paper.id) ?? null;
  // Code links and venues as the run found them: the cached API details and the abstracts (no request here).
  const { extras } = await detailsForRun(db, plan.shown, {
    fetch: { enabled: false, reason: 'preview' },
    log: silentLogger,
  });
  const { site, options: renderOptions } = renderSettingsOf(config);

  const out: PreviewSegment[] = [];
  let kept = 0;
  // One assembler for the whole preview, as a run has: readers with their own interests share its pieces.
  let assembler: Promise<MailAssembler> | undefined;
  for (const segment of segments) {
    const segmentIssue = attachExtras(plan.issueOf(segment.segmentId, segment.key, chineseOf), extras);
    const stored = frozen ? await loadSegmentRender(db, batchDate, segment.segmentId) : null;
    const mail = stored ?? (await (await (assembler ??= loadAssembler({ site, options: renderOptions }))).render(segmentIssue));
    if (stored) kept += 1;
    const sample = personalize(mail, sampleReader(site.publicBaseUrl));
    const entries = segmentIssue.sections.flatMap((s) => s.entries);
    const repeats = plan.repeats.segments.find((r) => r.id === segment.segmentId);
    out.push({
      segmentId: segment.segmentId,
      key: segment.key,
      readers: segment.readers,
      source: stored ? 'kept' : 'rendered',
      subject: sample.subject,
      preheader: sample.preheader,
      html: sample.html,
      text: sample.text,
      htmlBytes: Buffer.byteLength(mail.html),
      textBytes: Buffer.byteLength(mail.text),
      papers: entries.length,
      degraded: stored ? stored.degraded : 'degraded' in mail ? mail.degraded : 0,
      missingChinese: missingChineseOf(segment.key.language, entries),
      repeats: { dropped: repeats?.dropped ?? [], updated: repeats?.updated ?? [] },
      links: checkLinks(sample),
      compatibility:
        options.compatibility === false
          ? { fresh: [], known: 0, unavailable: 'not checked' }
          : await checkCompatibility(mail.html, config.preview.emailClients, options.baseline),
    });
  }
  if (kept > 0) notes.push(`${kept} of ${out.length} mails were kept from a run of this issue: readers still due get exactly these`);
  if (!frozen) notes.push('no run has frozen this issue yet: segments are the active readers as they are now');
  if (options.baseline === null) notes.push(`no compatibility baseline at ${baselineFileOf(config.preview.compatibilityBaseline)}: every finding is shown`);
  return {
    batchDate,
    papers: batch.papers.length,
    audience: frozen ? 'frozen' : 'current',
    budgetBytes: config.render.maxHtmlBytes,
    clipBytes: GMAIL_CLIP_BYTES,
    segments: out,
    notes,
  };
}
