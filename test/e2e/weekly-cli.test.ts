import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { captureIO as captureWith } from '../support/capture-io.ts';

// The weekly digest from the operator's side: a CSV with a `frequency` column, `subscribers list` showing it, and
// `paperboy run` of Friday 2025-11-14 (the default digest day) sending the weekly reader the weekly digest.

const SECRET = 'weekly-e2e-secret-0123456789abcdef0123456789';
const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const captureIO = () => captureWith({ PAPERBOY_SECRET: SECRET }, new Date('2025-11-14T06:00:00Z'));

describe('weekly readers from the CSV to the mail', () => {
  it('imports frequency, lists it, reports a bad value with its line, and sends the digest on its day', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-weekly-'));
    const csv = join(dir, 'readers.csv');
    writeFileSync(
      csv,
      ['email,topics,language,frequency', 'daily@example.org,llm,en,', 'weekly@example.org,llm,en,weekly', 'typo@example.org,llm,en,weakly'].join('\n'),
    );
    const args = ['--db', join(dir, 'run.db')];
    const imported = captureIO();
    expect(await runCli([...args, 'subscribers', 'import', csv], imported)).toBe(3); // partial: the good rows are in
    expect(imported.stderr.join('\n')).toContain('readers.csv:4: typo@example.org: unknown frequency "weakly" (valid: daily, weekly; empty means daily)');
    expect(imported.stdout.join('\n')).toContain('2 added');
    const listed = captureIO();
    expect(await runCli([...args, 'subscribers', 'list'], listed)).toBe(0);
    expect(listed.stdout.join('\n')).toMatch(/daily@example\.org +active +en +daily +llm/);
    expect(listed.stdout.join('\n')).toMatch(/weekly@example\.org +active +en +weekly +llm/);

    const outbox = join(dir, 'outbox');
    const io = captureIO();
    expect(await runCli([...args, 'run', '--date', '2025-11-14', '--feed', FEED, '--outbox', outbox], io)).toBe(0);
    const subjects = new Map<string, string>();
    for (const file of readdirSync(join(outbox, '2025-11-14')).filter((f) => f.endsWith('.eml'))) {
      const mail = await PostalMime.parse(readFileSync(join(outbox, '2025-11-14', file), 'utf8'));
      subjects.set(mail.to?.[0]?.address ?? file, mail.subject ?? '');
    }
    expect(subjects.get('daily@example.org')).toMatch(/^arXiv digest Fri 14 Nov 2025 · \d+ papers$/);
    expect(subjects.get('weekly@example.org')).toMatch(/^arXiv weekly 10–14 Nov 2025 · \d+ papers$/);
    expect(io.stdout.join('\n')).toMatch(/weekly\.en\.llm/);
  });
});
