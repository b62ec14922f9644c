import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime, { type Email } from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import type { MailTransport } from '../../src/deliver/transport.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createApp } from '../../src/web/app.ts';
import { captureIO as captureWith } from '../support/capture-io.ts';
import { textOf } from '../web/web-harness.ts';

// One day, three places, one vocabulary (issue 12, part 2): the run report, each reader's mail and the web archive
// of the sample day give the same figures for papers in the batch, papers matching a topic and papers shown.

const SECRET = 'e2e-secret-0123456789abcdef0123456789abcdef';
const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const DAY = '2025-11-14';
const captureIO = () => captureWith({ PAPERBOY_SECRET: SECRET }, new Date('2025-11-14T06:00:00Z'));

const dir = mkdtempSync(join(tmpdir(), 'paperboy-counts-'));
const dbFile = join(dir, 'counts.db');
const common = ['--config', 'paperboy.config.example.yaml', '--db', dbFile];
let report = '';
const mails: Email[] = [];
let archive: { request: (path: string) => Promise<string>; close: () => Promise<void> };

const num = (pattern: RegExp, text: string): number => {
  const m = pattern.exec(text);
  if (!m) throw new Error(`${pattern} not found in:\n${text}`);
  return Number(m[1]);
};
/** Papers listed with a summary in a mail's text part: each ends with its arXiv link. */
const shownIn = (mail: Email): string[] =>
  [...(mail.text ?? '').matchAll(/^ {4}https:\/\/arxiv\.org\/abs\/(\S+)$/gmu)].map((m) => m[1] as string);

beforeAll(async () => {
  expect(await runCli([...common, 'subscribers', 'import', 'subscribers/sample.csv'], captureIO())).toBe(0);
  expect(await runCli([...common, 'translations', 'import', 'test/fixtures/zh-2025-11-14.json'], captureIO())).toBe(0);
  const io = captureIO();
  const outbox = join(dir, 'outbox');
  expect(await runCli([...common, 'run', '--date', DAY, '--feed', FEED, '--outbox', outbox], io)).toBe(0);
  report = io.stdout.join('\n');
  for (const file of readdirSync(join(outbox, DAY)).filter((f) => f.endsWith('.eml'))) {
    mails.push(await PostalMime.parse(readFileSync(join(outbox, DAY, file), 'utf8')));
  }
  const result = validateConfig({ newsletter: { publicBaseUrl: 'https://digest.test', name: 'paperboy', postalAddress: '1 Test Road' } });
  if (!result.config) throw new Error(result.errors.join('\n'));
  const db = await openDatabase({ file: dbFile });
  const transport: MailTransport = { name: 'none', maxBatch: 1, resend: 'overwrite', send: async () => [], close: async () => {} };
  const app = createApp({ db, config: result.config, secret: SECRET, transport });
  archive = {
    request: async (path) => textOf(await (await app.request(path)).text()).replace(/\s+/gu, ' '),
    close: () => db.destroy(),
  };
});

afterAll(async () => {
  await archive?.close();
});

describe('the count vocabulary on the sample day', () => {
  it('papers in the batch: the report, the archive index and the day page say 20', async () => {
    expect(report).toMatch(/papers: 20 in the batch, /);
    expect(await archive.request('/issues')).toContain('20 papers in the batch · 本期 20 篇');
    expect(await archive.request(`/issues/${DAY}`)).toContain('20 papers in the batch, 13 matching a topic · 本期 20 篇，匹配任一主题 13 篇');
  });

  it('papers matching a topic: 13 in the report and on the day page, which lists each once', async () => {
    expect(report).toMatch(/papers: 20 in the batch, 13 matching a topic, /);
    const page = await archive.request(`/issues/${DAY}`);
    expect(page.match(/arXiv:\d{4}\.\d{5}v\d/gu)).toHaveLength(13);
  });

  it('papers matching each topic: the report, every mail’s contents and the archive agree', async () => {
    const perTopic = new Map(
      [...(/matching per topic: (.*)/.exec(report)?.[1] ?? '').matchAll(/(\S+) (\d+)/g)].map((m) => [m[1]!, Number(m[2])]),
    );
    expect(perTopic.size).toBe(7);
    const day = await archive.request(`/issues/${DAY}`);
    for (const [topic, n] of perTopic) {
      const page = await archive.request(`/issues/${DAY}/${topic}`);
      expect(page, topic).toContain(`20 papers in the batch, ${n} matching · 本期 20 篇，匹配 ${n} 篇`);
      const domain = result().domains.find((d) => d.id === topic)!;
      // The day page's contents: "Large language models 大语言模型 (6 matching · 匹配 6 篇)".
      expect(day, topic).toContain(`${domain.name.en} ${domain.name.zh} (${n} matching · 匹配 ${n} 篇 )`);
    }
    // The English mails name each topic with its figure in the contents, e.g. "Evaluation & benchmarks · 1 matching".
    const en = mails.filter((m) => !/\p{Script=Han}/u.test(m.subject ?? ''));
    expect(en.length).toBeGreaterThan(0);
    let checked = 0;
    for (const mail of en) {
      for (const [, name, n] of (mail.text ?? '').matchAll(/^(.+) · (\d+) matching$/gmu)) {
        checked += 1;
        const domain = result().domains.find((d) => d.name.en === name);
        expect(domain, name).toBeDefined();
        expect(Number(n), `${name} in ${mail.subject}`).toBe(perTopic.get(domain!.id));
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('papers shown: each mail’s masthead counts what it lists, the report’s segments and "shown in some mail" agree', () => {
    const segments = [...report.matchAll(/^ {2}(\S+)\s+\d+ readers\s+(\d+) matching\s+(\d+) shown/gmu)].map((m) => ({
      id: m[1]!,
      matching: Number(m[2]),
      shown: Number(m[3]),
    }));
    expect(segments.length).toBeGreaterThan(0);
    const everShown = new Set<string>();
    for (const mail of mails) {
      const text = mail.text ?? '';
      const listed = shownIn(mail);
      listed.forEach((id) => everShown.add(id));
      const masthead =
        /(\d+) matching your topics, (\d+) shown in this mail/u.exec(text) ?? /匹配您的主题 (\d+) 篇，本邮件展示 (\d+) 篇/u.exec(text);
      expect(masthead, mail.subject).not.toBeNull();
      const [matching, shown] = [Number(masthead![1]), Number(masthead![2])];
      expect(shown, mail.subject).toBe(listed.length);
      // The subject gives the matching figure: "· 9 papers" / "· 9 篇".
      expect(mail.subject).toMatch(new RegExp(`· ${matching} (?:papers?|篇)`, 'u'));
      const segment = segments.find((s) => s.id === mail.headers.find((h) => h.key === 'x-paperboy-segment')?.value);
      expect(segment, mail.subject).toBeDefined();
      expect([segment!.matching, segment!.shown]).toEqual([matching, shown]);
    }
    expect(num(/(\d+) shown in some mail/u, report)).toBe(everShown.size);
  });
});

function result() {
  const r = validateConfig({});
  if (!r.config) throw new Error('no config');
  return r.config;
}
