import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.ts';
import type { PaperboyConfig } from '../../src/config/schema.ts';
import { renderSettingsOf } from '../../src/run-wiring.ts';
import { renderIssue } from '../../src/render/render-issue.ts';
import { buildSegmentIssue, segmentIdOf } from '../../src/select/build-segment-issue.ts';
import { selectPapers } from '../../src/select/select-papers.ts';
import { checkChinese } from '../../src/translate/clean-translation.ts';
import { parseRecordedTranslations } from '../../src/translate/import-translations.ts';
import type { ChineseText, DomainSelection, Language, Paper } from '../../src/types.ts';
import { sampleDayPapers } from '../support/builders.ts';

// The newsletter as it is mailed, pinned: the HTML and text parts of a few segments of the demo day (Fri
// 2025-11-14: the sample feed, the recorded Chinese, the built-in config), rendered with the reader placeholders
// still in (what the run keeps and personalizes per reader). A change to the template, the copy or the selection
// shows as a diff of the files in __snapshots__/newsletter/; review it, then accept it with `npx vitest run -u
// test/render/newsletter-snapshots.test.ts`. Nothing here reads a clock: the batch date is fixed, so the output
// is the same on every run and Node version (CI=true refuses to write a missing snapshot).

const BATCH = '2025-11-14';
const SEGMENTS: Array<{ topics: string[]; language: Language }> = [
  { topics: ['llm', 'evaluation'], language: 'en' },
  { topics: ['multimodal', 'vision'], language: 'zh' },
  { topics: ['llm', 'agents', 'reasoning'], language: 'bilingual' },
];

let config: PaperboyConfig;
let selections: DomainSelection[];
let chinese: Map<string, ChineseText>;

/** The recorded translations as the run shows them: cleaned on import, each field checked against the English. */
function recordedChinese(papers: Paper[]): Map<string, ChineseText> {
  const data: unknown = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'zh-2025-11-14.json'), 'utf8'));
  const rows = new Map(parseRecordedTranslations(data).rows.map((row) => [row.paperId, row]));
  const result = new Map<string, ChineseText>();
  for (const paper of papers) {
    const row = rows.get(paper.id);
    if (!row) continue;
    const titleZh = row.titleZh && checkChinese(row.titleZh, paper.title).length === 0 ? row.titleZh : null;
    const abstractZh = row.abstractZh && checkChinese(row.abstractZh, paper.abstract).length === 0 ? row.abstractZh : null;
    if (titleZh || abstractZh) result.set(paper.id, { titleZh, abstractZh, tldrEn: null, tldrZh: null });
  }
  return result;
}

beforeAll(async () => {
  const validated = validateConfig({});
  if (!validated.config) throw new Error(String(validated.errors));
  config = validated.config;
  const papers = await sampleDayPapers();
  selections = selectPapers(papers, config.domains);
  chinese = recordedChinese(papers);
});

describe('the newsletter of 2025-11-14, pinned', () => {
  it.each(SEGMENTS.map((key) => [segmentIdOf(key), key] as const))('%s', async (_, key) => {
    const issue = buildSegmentIssue(selections, key, BATCH, (paper) => chinese.get(paper.id) ?? null);
    expect(issue.sections.flatMap((s) => s.entries).length).toBeGreaterThan(0);
    const { site, options } = renderSettingsOf(config);
    const mail = await renderIssue(issue, site, options);
    await expect(mail.html).toMatchFileSnapshot(`__snapshots__/newsletter/${issue.segmentId}.html`);
    await expect(`Subject: ${mail.subject}\nPreheader: ${mail.preheader}\n\n${mail.text}`).toMatchFileSnapshot(
      `__snapshots__/newsletter/${issue.segmentId}.txt`,
    );
  });
});
