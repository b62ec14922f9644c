import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime, { type Email } from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { MISSING_ZH_MARKER } from '../../src/render/issue-copy.ts';
import { DEFAULT_GLOSSARY } from '../../src/config/default-glossary.ts';
import { cleanTitleZh } from '../../src/translate/clean-translation.ts';
import { normalizeGlossary } from '../../src/translate/normalize-glossary.ts';
import { loadZhFixture, startOpenAITestServer, type OpenAITestServer } from '../support/openai-test-server.ts';
import { SAMPLE_FEED, samplePapers } from './fixture-papers.ts';
import { captureIO as captureWith } from '../support/capture-io.ts';

// `paperboy run` on the sample day with LLM_BASE_URL pointing at the local OpenAI-compatible server: the selected
// papers are translated live (recorded replies, notes and all), cleaned, cached, and what reaches each reader's mail
// is Chinese or the marker. A second run of the day makes no request.

const SECRET = 'translate-e2e-secret-0123456789abcdef0123456789';
const NOTES = /注：|注:|解析：|翻译采用|译为|Translator|\*\*/;
const zh = loadZhFixture();

const captureIO = (env: Record<string, string>) =>
  captureWith({ PAPERBOY_SECRET: SECRET, ...env }, new Date('2025-11-14T06:00:00Z'));

interface Entry {
  id: string;
  text: string;
}

/** The papers of a plain-text part: each numbered block up to its arXiv link. */
function entriesOf(text: string): Entry[] {
  return [...text.matchAll(/^\d+\.\s+([\s\S]*?)^\s*https:\/\/arxiv\.org\/abs\/(\S+)$/gm)].map((m) => ({ id: m[2] ?? '', text: m[1] ?? '' }));
}

async function readMails(outbox: string): Promise<Map<string, Email>> {
  const day = join(outbox, '2025-11-14');
  const mails = new Map<string, Email>();
  for (const file of readdirSync(day).filter((f) => f.endsWith('.eml'))) {
    const parsed = await PostalMime.parse(readFileSync(join(day, file), 'utf8'));
    mails.set(parsed.to?.[0]?.address ?? file, parsed);
  }
  return mails;
}

const languages = new Map(
  readFileSync('subscribers/sample.csv', 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => [line.split(',')[0] as string, line.split(',').at(-1) || 'bilingual']),
);

describe('paperboy run with a live translator (local OpenAI-compatible server)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-translate-e2e-'));
  const common = ['--config', 'paperboy.config.example.yaml', '--db', join(dir, 'run.db')];
  const outbox = join(dir, 'outbox');
  let server: OpenAITestServer;
  let env: Record<string, string>;
  let first: ReturnType<typeof captureIO>;
  let firstExit: number;
  let firstRequests: number;
  let mails: Map<string, Email>;

  beforeAll(async () => {
    server = await startOpenAITestServer();
    env = { LLM_BASE_URL: server.url, LLM_MODEL: 'fixture-model', LLM_API_KEY: 'test-key' };
    expect(await runCli([...common, 'subscribers', 'import', 'subscribers/sample.csv'], captureIO({}))).toBe(0);
    first = captureIO(env);
    firstExit = await runCli([...common, 'run', '--date', '2025-11-14', '--feed', SAMPLE_FEED, '--outbox', outbox], first);
    firstRequests = server.requests.length;
    mails = await readMails(outbox);
  });
  afterAll(async () => {
    await server.close();
  });

  it('sends every mail and reports the translation stage', () => {
    const report = first.stdout.join('\n');
    expect(firstExit, `${report}\n${first.stderr.join('\n')}`).toBe(0);
    expect(report).toMatch(/mails: 8 planned, 8 sent/);
    expect(report).toContain(`translation: fixture-model at ${server.url}`);
    const selected = Number(/(\d+) shown in some mail/.exec(report)?.[1]);
    expect(report).toContain(`${selected} papers: 0 cached, ${selected} translated`);
    // Batches of 8: the sample day needs a handful of requests, not one per paper or per reader.
    expect(firstRequests).toBe(Math.ceil(selected / 8));
    expect(report).toContain(`requests: ${firstRequests}`);
    expect(report).toMatch(/tokens: [\d,]+ in \/ [\d,]+ out/);
    expect(first.stderr.join('\n')).toMatch(/translating \d+ papers with fixture-model in \d+ requests/);
  });

  it('translates only the papers some reader receives', () => {
    const shown = new Set<string>();
    for (const mail of mails.values()) for (const entry of entriesOf(mail.text ?? '')) shown.add(entry.id);
    const asked = new Set(server.requests.flatMap((r) => r.ids));
    expect(asked).toEqual(shown);
    expect(asked.size).toBeLessThan(20);
  });

  it('gives every paper in a Chinese-reading mail a clean Chinese title or the marker, never notes', async () => {
    const papers = new Map((await samplePapers()).map((p) => [p.id, p]));
    let checked = 0;
    for (const [address, mail] of mails) {
      if (languages.get(address) === 'en') continue;
      for (const part of [mail.html ?? '', mail.text ?? '']) expect(part, address).not.toMatch(NOTES);
      for (const entry of entriesOf(mail.text ?? '')) {
        const hasChinese = /\p{Script=Han}/u.test(entry.text.replace(MISSING_ZH_MARKER, ''));
        expect(hasChinese || entry.text.includes(MISSING_ZH_MARKER), `${address} ${entry.id}`).toBe(true);
        // A recorded (noisy) title arrives cleaned, in the glossary's wording, under its own paper.
        const raw = zh[entry.id]?.title_zh_raw;
        const paper = papers.get(entry.id);
        if (raw && paper) {
          const title = normalizeGlossary(cleanTitleZh(raw).text ?? '', DEFAULT_GLOSSARY, `${paper.title}\n${paper.abstract}`);
          expect(entry.text, `${address} ${entry.id}`).toContain(title);
        }
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('makes zero requests when the day is run again, and translates again with --retranslate', async () => {
    server.reset();
    const again = captureIO(env);
    expect(await runCli([...common, 'run', '--date', '2025-11-14', '--outbox', outbox], again)).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(again.stdout.join('\n')).toMatch(/(\d+) papers: \1 cached, 0 translated/);
    expect(again.stdout.join('\n')).toContain('requests: 0');

    const forced = captureIO(env);
    expect(await runCli([...common, 'run', '--date', '2025-11-14', '--outbox', outbox, '--retranslate', '--dry-run'], forced)).toBe(0);
    expect(server.requests).toHaveLength(firstRequests);
  });

  it('marks a paper whose translation fails twice, and still sends', async () => {
    // Without TL;DR and points (translation.summaries: false): a paper whose Chinese summary failed then has no
    // Chinese text in its entry at all, and the mail must say so with the marker. (With points in Chinese, those
    // stand where the summary would be.)
    const noSummaries = join(dir, 'no-summaries.yaml');
    writeFileSync(noSummaries, readFileSync('paperboy.config.example.yaml', 'utf8').replace('\n  summaries: true\n', '\n  summaries: false\n'));
    const db = ['--config', noSummaries, '--db', join(dir, 'faults.db')];
    expect(await runCli([...db, 'subscribers', 'import', 'subscribers/sample.csv'], captureIO({}))).toBe(0);
    server.reset();
    const victim = '2511.10645';
    server.inject({ kind: 'english' }, { paperId: victim, times: 2 });
    server.inject({ kind: 'rate-limit', retryAfterSeconds: 1 });
    const io = captureIO(env);
    const faultOutbox = join(dir, 'outbox-faults');
    expect(await runCli([...db, 'run', '--date', '2025-11-14', '--feed', SAMPLE_FEED, '--outbox', faultOutbox], io)).toBe(0);
    const report = io.stdout.join('\n');
    expect(report, report).toContain('1 incomplete (marker shown)');
    expect(report).toMatch(/2511\.10645: abstract: untranslated English/);
    expect(report).toMatch(/1 retried after 429/);
    const mail = (await readMails(faultOutbox)).get('zhang.wei@example.org');
    const entry = entriesOf(mail?.text ?? '').find((e) => e.id === victim);
    expect(entry?.text).toContain('ParoQuant：面向高效推理大语言模型的双向旋转量化方法');
    expect(entry?.text).toContain(MISSING_ZH_MARKER);
  });

  it('puts the checked TL;DR above the summaries (translation.summaries, on by default) and reports the summary checks', async () => {
    const example = readFileSync('paperboy.config.example.yaml', 'utf8');
    expect(example).toContain('\n  summaries: true\n');
    const db = ['--config', 'paperboy.config.example.yaml', '--db', join(dir, 'tldr.db')];
    expect(await runCli([...db, 'subscribers', 'import', 'subscribers/sample.csv'], captureIO({}))).toBe(0);
    server.reset();
    const tldrOutbox = join(dir, 'outbox-tldr');
    const io = captureIO(env);
    expect(await runCli([...db, 'run', '--date', '2025-11-14', '--feed', SAMPLE_FEED, '--outbox', tldrOutbox], io)).toBe(0);
    expect(server.requests[0]?.system).toContain('"points_zh"');
    expect(io.stdout.join('\n')).toMatch(/summaries: \d+ papers with TL;DR or points; (\d+) of \1 items kept/);
    const mails = await readMails(tldrOutbox);
    const bilingual = entriesOf(mails.get('zhang.wei@example.org')?.text ?? '');
    expect(bilingual.length).toBeGreaterThan(0);
    const papers = new Map((await samplePapers()).map((p) => [p.id, p]));
    for (const entry of bilingual) {
      const text = entry.text.replace(/\s+/g, ' ');
      const en = text.indexOf('TL;DR: ');
      const zhLine = text.indexOf('一句话总结：');
      expect(en, entry.id).toBeGreaterThan(0);
      expect(zhLine, entry.id).toBeGreaterThan(en);
      // Above the rest: the key points (which take the abstract excerpt's place) or, for a paper without points,
      // the English excerpt come after both TL;DR lines.
      const summary = text.indexOf(papers.get(entry.id)?.abstract.split(/\s+/).slice(0, 4).join(' ') ?? '@@');
      const firstPoint = text.indexOf(' - ');
      expect(Math.max(summary, firstPoint), entry.id).toBeGreaterThan(zhLine);
      if (summary >= 0) expect(summary, entry.id).toBeGreaterThan(zhLine);
      if (firstPoint >= 0) expect(firstPoint, entry.id).toBeGreaterThan(zhLine);
    }
    const zhOnly = entriesOf(mails.get('li.na@example.com')?.text ?? '');
    for (const entry of zhOnly) {
      expect(entry.text, entry.id).toContain('一句话总结：');
      expect(entry.text, entry.id).not.toContain('TL;DR');
    }
  });

  it('works without a provider, saying so once', async () => {
    const db = ['--config', 'paperboy.config.example.yaml', '--db', join(dir, 'none.db')];
    expect(await runCli([...db, 'subscribers', 'import', 'subscribers/sample.csv'], captureIO({}))).toBe(0);
    server.reset();
    const io = captureIO({});
    expect(await runCli([...db, 'run', '--date', '2025-11-14', '--feed', SAMPLE_FEED, '--outbox', join(dir, 'outbox-none')], io)).toBe(0);
    const report = io.stdout.join('\n');
    expect(report.match(/no provider configured/g)).toHaveLength(1);
    expect(report).toMatch(/Chinese: titles for 0 of \d+/);
    expect(server.requests).toHaveLength(0);
  });

  it('stops with a config error naming the variable when the provider is half configured', async () => {
    const io = captureIO({ LLM_BASE_URL: server.url });
    expect(await runCli([...common, 'run', '--date', '2025-11-14', '--outbox', outbox], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain('LLM_MODEL');
  });
});
