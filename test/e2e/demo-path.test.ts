import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime, { type Email } from 'postal-mime';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { DEFAULT_DOMAINS } from '../../src/config/default-domains.ts';
import { verifyLinkToken } from '../../src/links/link-tokens.ts';
import { captureIO as captureWith } from '../support/capture-io.ts';

// The demo path end to end, through the real CLI (the steps of scripts/demo.ts): import the sample readers (and the
// one weekly reader of sample-weekly.csv), the recorded translations and the recorded TL;DRs and key points, run the sample day from the real feed fixture, then
// read every .eml back as a mail client would.

const SECRET = 'e2e-secret-0123456789abcdef0123456789abcdef';
const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';

const captureIO = () => captureWith({ PAPERBOY_SECRET: SECRET }, new Date('2025-11-14T06:00:00Z'));

const sample = readFileSync('subscribers/sample.csv', 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const email = line.split(',')[0] as string;
    const [topics, language] = line.split(',').slice(-2) as [string, string];
    return { email, topics: topics.split(';'), language: language || 'bilingual' };
  });

// The demo day is a Friday, the default digest day: the weekly reader's mail is the week's digest.
const WEEKLY_READER = 'liu.yang@example.org';

const header = (mail: Email, name: string) => mail.headers.find((h) => h.key === name)?.value;

describe('demo path: sample readers × sample day → outbox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-e2e-'));
  const common = ['--config', 'paperboy.config.example.yaml', '--db', join(dir, 'demo.db')];
  const outbox = join(dir, 'outbox');
  const mails = new Map<string, { raw: string; parsed: Email }>();
  let runIO: ReturnType<typeof captureIO>;
  let runExit: number;

  beforeAll(async () => {
    expect(await runCli([...common, 'subscribers', 'import', 'subscribers/sample.csv'], captureIO())).toBe(0);
    expect(await runCli([...common, 'subscribers', 'import', 'subscribers/sample-weekly.csv'], captureIO())).toBe(0);
    expect(await runCli([...common, 'translations', 'import', 'test/fixtures/zh-2025-11-14.json'], captureIO())).toBe(0);
    expect(await runCli([...common, 'translations', 'import', 'test/fixtures/summaries-2025-11-14.json'], captureIO())).toBe(0);
    runIO = captureIO();
    runExit = await runCli([...common, 'run', '--date', '2025-11-14', '--feed', FEED, '--outbox', outbox], runIO);
    const day = join(outbox, '2025-11-14');
    for (const file of readdirSync(day).filter((f) => f.endsWith('.eml'))) {
      const raw = readFileSync(join(day, file), 'utf8');
      const parsed = await PostalMime.parse(raw);
      mails.set(parsed.to?.[0]?.address ?? file, { raw, parsed });
    }
  });

  it('exits 0 and reports papers, segments and mails', () => {
    expect(runExit).toBe(0);
    const report = runIO.stdout.join('\n');
    expect(report).toContain('SENT');
    expect(report).toMatch(/mails: 9 planned, 9 sent, 0 already sent, 0 failed/);
    expect(report).toMatch(/papers: 20 in the batch/);
  });

  it('writes one mail per sample reader, the weekly one being the week\'s digest', () => {
    expect([...mails.keys()].sort()).toEqual([...sample.map((r) => r.email), WEEKLY_READER].sort());
    expect(mails.get(WEEKLY_READER)?.parsed.subject).toMatch(/arXiv 周报 .*arXiv weekly 10–14 Nov 2025/);
  });

  it('gives each reader only their topics, in their language', () => {
    for (const reader of sample) {
      const { parsed } = mails.get(reader.email)!;
      const html = parsed.html ?? '';
      for (const domain of DEFAULT_DOMAINS) {
        const anchor = `name="d-${domain.id}"`;
        if (reader.topics.includes(domain.id)) expect(html, `${reader.email} ${domain.id}`).toContain(anchor);
        else expect(html, `${reader.email} must not get ${domain.id}`).not.toContain(anchor);
      }
      const han = /\p{Script=Han}/u.test(parsed.subject ?? '');
      expect(han, `${reader.email} subject language`).toBe(reader.language !== 'en');
      if (reader.language === 'en') expect(parsed.text ?? '').not.toMatch(/\p{Script=Han}/u);
      else expect(parsed.text ?? '').toMatch(/\p{Script=Han}/u);
    }
  });

  it('builds real mails: multipart text + HTML, UTF-8, unsubscribe headers, stable ids', () => {
    for (const [email, { raw, parsed }] of mails) {
      expect(raw).toMatch(/^Content-Type: multipart\/alternative/m);
      expect(raw).toMatch(/charset=utf-8/i);
      expect(parsed.from?.address).toBe('digest@example.org');
      expect(parsed.subject).toMatch(/2025|14 Nov/);
      expect(parsed.text?.length).toBeGreaterThan(500);
      expect(parsed.messageId).toMatch(/^<paperboy\.2025-11-14\.\d+@example\.org>$/);
      expect(header(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      const unsubscribe = /^<(https:\/\/digest\.example\.org\/unsubscribe\/([^>]+))>$/.exec(header(parsed, 'list-unsubscribe') ?? '');
      expect(unsubscribe, email).not.toBeNull();
      const check = verifyLinkToken(unsubscribe![2]!, 'unsubscribe', SECRET, new Date());
      expect(check.ok).toBe(true);
      // The same link is in the body, for people; no placeholder is left anywhere.
      expect(parsed.html).toContain(unsubscribe![1]);
      expect(parsed.text).toContain(unsubscribe![1]);
      expect(raw).not.toContain('__PB_');
      expect(parsed.html).toContain(email);
      expect(Buffer.byteLength(parsed.html ?? '')).toBeLessThanOrEqual(90_000);
    }
  });

  it('links every paper to abs, PDF, HTML and papers.cool, and never shows translator notes', () => {
    const { parsed } = mails.get('reading-group@example.com')!;
    const html = parsed.html ?? '';
    const absIds = [...html.matchAll(/https:\/\/arxiv\.org\/abs\/(\d{4}\.\d{5})/g)].map((m) => m[1]);
    expect(new Set(absIds).size).toBeGreaterThan(10);
    for (const id of new Set(absIds)) {
      expect(html).toMatch(new RegExp(`https://arxiv\\.org/pdf/${id}v\\d`));
      expect(html).toMatch(new RegExp(`https://arxiv\\.org/html/${id}v\\d`));
      expect(html).toContain(`https://papers.cool/arxiv/${id}`);
    }
    for (const { parsed: m } of mails.values()) {
      for (const part of [m.html ?? '', m.text ?? '']) {
        expect(part).not.toMatch(/注：|解析：|翻译采用|译为/);
      }
    }
    // A cleaned title from the recorded replies reaches the mail.
    expect(html).toContain('大语言模型的黑盒在线策略蒸馏'); // the glossary's wording (issue 11): the recorded 大型语言模型 is normalised
  });

  it('shows every paper as a configured installation does: Chinese title, TL;DR and key points, no pending marker', () => {
    const shown = new Set<string>();
    for (const reader of sample) {
      const { parsed } = mails.get(reader.email)!;
      for (const part of [parsed.html ?? '', parsed.text ?? '']) {
        expect(part, reader.email).not.toContain('译文暂缺');
        expect(part, reader.email).not.toContain('Chinese translation pending');
      }
      // An entry of the text part: from its number to its abs link.
      const entries = [...(parsed.text ?? '').matchAll(/^\d+\. {1,2}[\s\S]*?^ {4}https:\/\/arxiv\.org\/abs\/(\S+)$/gmu)];
      expect(entries.length, reader.email).toBeGreaterThan(0);
      for (const [entry, id] of entries) {
        shown.add(id!);
        const where = `${reader.email} ${id}`;
        if (reader.language !== 'zh') expect(entry, where).toMatch(/^ {4}TL;DR: \S/mu);
        if (reader.language !== 'en') {
          expect(entry, where).toMatch(/^ {4}一句话总结：\S/mu);
          // The Chinese title: a line above the TL;DR with Chinese in it that is not the authors line ("… · cs.AI").
          const head = entry.slice(0, entry.search(/^ {4}(?:TL;DR|一句话总结)/mu)).split('\n');
          const chineseTitle = head.some((line) => !line.includes('·') && (line.match(/\p{Script=Han}/gu) ?? []).length >= 4);
          expect(chineseTitle, `${where}: no Chinese title in\n${head.join('\n')}`).toBe(true);
        }
        const points = entry.match(/^ {4}- \S/gmu) ?? [];
        expect(points.length, where).toBe(reader.language === 'bilingual' ? 6 : 3);
      }
    }
    expect(shown.size).toBeGreaterThan(10);
  });

  it('writes one browsable preview per segment', () => {
    const segments = join(outbox, '2025-11-14', 'segments');
    expect(existsSync(segments)).toBe(true);
    const html = readdirSync(segments).filter((f) => f.endsWith('.html'));
    // One per daily segment, and the weekly reader's `weekly.` one.
    expect(html).toHaveLength(new Set(sample.map((r) => `${r.language}.${[...r.topics].sort().join('+')}`)).size + 1);
    expect(html).toContain('weekly.bilingual.llm+reasoning.html');
  });

  it('sends nobody a second copy when the day is run again', async () => {
    const io = captureIO();
    expect(await runCli([...common, 'run', '--date', '2025-11-14', '--outbox', outbox], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/0 sent, 9 already sent/);
    expect(io.stderr.join('\n')).toContain('using the stored batch 2025-11-14');
  });
});
