import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { partialFileName } from '../../src/deliver/outbox-transport.ts';
import { captureIO } from '../support/capture-io.ts';

// What the CLI does with files and values that are wrong on purpose or by accident: it says what is wrong, shows
// every echoed value escaped (nothing reaches the terminal as a control sequence), and loses nothing else.

const ENV = { PAPERBOY_SECRET: 'hostile-secret-0123456789abcdef0123456789' };
const NOW = new Date('2025-11-15T12:00:00Z');
const PWNED = '\x1b]0;pwned\x07';
/** Any C0/C1 control but the line break, DEL, or a bidi/invisible character: none may be printed raw. */
const RAW_HIDDEN = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-hostile-'));
  return { dir, args: ['--config', 'paperboy.config.example.yaml', '--db', join(dir, 'db.sqlite')] };
}

const CSV = 'email,name,topics,language\nzhang.wei@example.org,张伟,llm,zh\njose@example.org,José,agents,en\n';

function utf32(text: string, littleEndian: boolean, bom: boolean): Buffer {
  const points = [...(bom ? '\uFEFF' : ''), ...text].map((c) => c.codePointAt(0)!);
  const out = Buffer.alloc(points.length * 4);
  points.forEach((p, i) => (littleEndian ? out.writeUInt32LE(p, i * 4) : out.writeUInt32BE(p, i * 4)));
  return out;
}
const utf16le = (text: string) => Buffer.from(text, 'utf16le');
const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

describe('subscribers import: the encoding of the file', () => {
  it.each([
    ['UTF-16 LE with a BOM (Excel "Unicode text")', utf16le(`\uFEFF${CSV}`), /is UTF-16 \(little-endian, with a byte-order mark\), not UTF-8: convert it first, e\.g\. `iconv -f UTF-16LE -t UTF-8 \S+readers\.csv > \S+readers-utf8\.csv`/],
    ['UTF-16 BE with a BOM', utf16be(`\uFEFF${CSV}`), /is UTF-16 \(big-endian, with a byte-order mark\), not UTF-8: .*iconv -f UTF-16BE -t UTF-8/],
    ['UTF-16 LE without a BOM', utf16le(CSV), /is UTF-16 \(little-endian\), not UTF-8: .*iconv -f UTF-16LE/],
    ['UTF-16 BE without a BOM', utf16be(CSV), /is UTF-16 \(big-endian\), not UTF-8/],
    ['UTF-32 LE with a BOM', utf32(CSV, true, true), /is UTF-32 \(little-endian, with a byte-order mark\), not UTF-8: .*iconv -f UTF-32LE/],
    ['UTF-32 BE without a BOM', utf32(CSV, false, false), /is UTF-32 \(big-endian\), not UTF-8/],
    ['Latin-1 (Windows-1252)', Buffer.from(CSV.replace('张伟', 'Zhang Wei'), 'latin1'), /is not UTF-8 \(line 3 has the byte 0xE9, which UTF-8 does not allow there\); it looks like Windows-1252\/Latin-1 \(Western Windows\): .*iconv -f WINDOWS-1252 -t UTF-8/],
    // 张伟 in GBK is D5 C5 CE B0.
    ['GBK', Buffer.concat([Buffer.from('email,name,topics\nzhang.wei@example.org,'), Buffer.from([0xd5, 0xc5, 0xce, 0xb0]), Buffer.from(',llm\n')]), /is not UTF-8 \(line 2 has the byte 0xD5, .*\); it looks like GBK\/GB18030 \(Chinese Windows\): .*iconv -f GB18030 -t UTF-8/],
    ['binary', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00]), /contains NUL bytes: it is not a text file/],
  ])('names %s and imports nothing (exit 2)', async (_name, bytes, message) => {
    const ws = workspace();
    const file = join(ws.dir, 'readers.csv');
    writeFileSync(file, bytes);
    const io = captureIO(ENV, NOW);
    expect(await runCli([...ws.args, 'subscribers', 'import', file], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(message);
    expect(io.stderr.join('\n')).toContain('nothing was imported');
    expect(io.stderr.join('\n')).not.toContain('missing column');
  });

  it.each([
    ['UTF-8', Buffer.from(CSV)],
    ['UTF-8 with a BOM (Excel "CSV UTF-8")', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CSV)])],
  ])('reads %s', async (_name, bytes) => {
    const ws = workspace();
    const file = join(ws.dir, 'readers.csv');
    writeFileSync(file, bytes);
    const io = captureIO(ENV, NOW);
    expect(await runCli([...ws.args, 'subscribers', 'import', file], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain('2 added');
    const list = captureIO(ENV, NOW);
    expect(await runCli([...ws.args, 'subscribers', 'list', '--json'], list)).toBe(0);
    expect(JSON.parse(list.stdout.join('\n')).map((s: { name: string }) => s.name)).toEqual(['张伟', 'José']);
  });
});

describe('echoed values are shown escaped', () => {
  it('prints a bad CSV row with terminal escapes and a bidi override escaped, with its line, and imports the good rows', async () => {
    const ws = workspace();
    const file = join(ws.dir, 'readers.csv');
    writeFileSync(
      file,
      [
        'email,name,topics,language',
        'good@example.org,Good,llm,en',
        `x${PWNED}@example.org,X,llm,en`,
        'ad\u202emin@example.org,Admin,llm,en',
        'also.good@example.org,Also,vision,zh',
        `bad@example.org,B,llm,${PWNED}`,
      ].join('\n'),
    );
    const io = captureIO(ENV, NOW);
    expect(await runCli([...ws.args, 'subscribers', 'import', file], io)).toBe(3);
    const err = io.stderr.join('\n');
    expect(err).not.toMatch(RAW_HIDDEN);
    expect(io.stderr).toEqual([
      `${file}:3: x\\x1b]0;pwned\\x07@example.org: "x\\x1b]0;pwned\\x07@example.org" contains a control character U+001B at position 2`,
      `${file}:4: ad\\u202emin@example.org: "ad\\u202emin@example.org" contains a bidirectional control character U+202E at position 3`,
      `${file}:6: bad@example.org: unknown language "\\x1b]0;pwned\\x07" (valid: bilingual, zh, en; empty means bilingual)`,
    ]);
    expect(io.stdout.join('\n')).toContain('2 added');
    expect(io.stdout.join('\n')).toContain('3 bad rows skipped');
  });

  it('escapes a file name, an unknown option and a translation id', async () => {
    const ws = workspace();
    const missing = captureIO(ENV, NOW);
    expect(await runCli([...ws.args, 'subscribers', 'import', join(ws.dir, `no${PWNED}.csv`)], missing)).toBe(2);
    expect(missing.stderr.join('\n')).toContain('no\\x1b]0;pwned\\x07.csv: ENOENT');

    const option = captureIO(ENV, NOW);
    expect(await runCli(['domains', `--x${PWNED}`], option)).toBe(2);
    expect(option.stderr.join('\n')).toContain("unknown option '--x\\x1b]0;pwned\\x07'");
    expect(option.stderr.join('\n')).not.toMatch(RAW_HIDDEN);

    const status = captureIO(ENV, NOW);
    expect(await runCli([...ws.args, 'runs', '--limit', `1${PWNED}`], status)).toBe(2);
    expect(status.stderr.join('\n')).not.toMatch(RAW_HIDDEN);

    const json = join(ws.dir, 'zh.json');
    writeFileSync(json, JSON.stringify({ [`2511.10593${PWNED}`]: { title_zh_raw: '标题' }, '2511.00001': { title_zh_raw: '标题' } }));
    const translations = captureIO(ENV, NOW);
    expect(await runCli([...ws.args, 'translations', 'import', json], translations)).toBe(3);
    expect(translations.stderr).toEqual([`${json}: 2511.10593\\x1b]0;pwned\\x07: not an arXiv id without version (e.g. 2511.10593)`]);
    expect(translations.stdout.join('\n')).toContain('imported 1 translations');
  });
});

describe('a crashed run', () => {
  it("leaves .partial files that the next run removes, and the next run's .eml files are whole", async () => {
    const ws = workspace();
    const outbox = join(ws.dir, 'outbox');
    expect(await runCli([...ws.args, 'subscribers', 'import', 'subscribers/sample.csv'], captureIO(ENV, NOW))).toBe(0);
    const day = join(outbox, '2025-11-14');
    mkdirSync(day, { recursive: true });
    // What a crash between writeFile and rename leaves, for a reader this run does not mail again (one who has
    // unsubscribed since): writing their mail would not have replaced it. The crashed process is gone; an earlier
    // version's untagged partial is removed once it is an hour old.
    const crashed = await exitedPid();
    writeFileSync(join(day, partialFileName('000999-gone_at_example.org.eml', { pid: crashed, host: hostname() })), 'From: digest@example.org\r\nSubj');
    const untagged = join(day, '000998-old_at_example.org.eml.partial');
    writeFileSync(untagged, 'From: digest@example.org\r\nSubj');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(untagged, twoHoursAgo, twoHoursAgo);
    const io = captureIO(ENV, NOW);
    expect(await runCli([...ws.args, 'run', '--date', '2025-11-14', '--feed', 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml', '--outbox', outbox], io)).toBe(0);
    expect(io.stderr.join('\n')).toContain(`removed 2 half-written mails (.partial) a stopped run left in ${day}`);
    const files = readdirSync(day);
    expect(files.filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.eml')).length).toBeGreaterThan(0);
  });
});

/** The pid of a process of this machine that has exited: what a crashed run leaves in its partials' names. */
function exitedPid(): Promise<number> {
  const child = spawn('true', [], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(child.pid!));
  });
}
