import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { captureIO as captureWith } from '../support/capture-io.ts';

// A reader who follows an author gets that author's paper first, even outside their topics; a reader who excludes
// a word never gets a paper that names it; readers without interests get the mail they always got.

const SECRET = 'interests-e2e-secret-0123456789abcdef0123456789';
const FEED = 'test/fixtures/rss-cs.AI+cs.CL+cs.CV+cs.LG-2025-11-14.xml';
const captureIO = () => captureWith({ PAPERBOY_SECRET: SECRET }, new Date('2025-11-14T06:00:00Z'));

describe('readers’ own keywords, exclusions and authors, from the CSV to the mail', () => {
  it('puts the followed author first and keeps the excluded paper out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-interests-'));
    const csv = join(dir, 'readers.csv');
    writeFileSync(
      csv,
      [
        'email,topics,language,keywords,exclude,authors',
        'fan@example.org,llm,en,,quantization,"Lin, Haotong"',
        'plain@example.org,llm,en,,,',
      ].join('\n'),
    );
    const args = ['--db', join(dir, 'run.db')];
    const imported = captureIO();
    expect(await runCli([...args, 'subscribers', 'import', csv], imported)).toBe(0);
    const listed = captureIO();
    expect(await runCli([...args, 'subscribers', 'list'], listed)).toBe(0);
    expect(listed.stdout.join('\n')).toMatch(/fan@example\.org .* llm {2}\(exclude: quantization, authors: Lin, Haotong\)/);
    const outbox = join(dir, 'outbox');
    const io = captureIO();
    expect(await runCli([...args, 'run', '--date', '2025-11-14', '--feed', FEED, '--outbox', outbox], io)).toBe(0);

    const mails = new Map<string, { html: string; text: string; subject: string }>();
    for (const file of readdirSync(join(outbox, '2025-11-14')).filter((f) => f.endsWith('.eml'))) {
      const mail = await PostalMime.parse(readFileSync(join(outbox, '2025-11-14', file), 'utf8'));
      mails.set(mail.to?.[0]?.address ?? file, { html: mail.html ?? '', text: mail.text ?? '', subject: mail.subject ?? '' });
    }
    const fan = mails.get('fan@example.org')!;
    const plain = mails.get('plain@example.org')!;
    // Depth Anything 3 (cs.CV, by Haotong Lin) is no LLM paper: only the follower gets it, and first.
    expect(fan.text).toContain('Authors you follow');
    const firstEntry = /^1\.\s+(.*)$/m.exec(fan.text)?.[1];
    expect(firstEntry).toContain('Depth Anything 3');
    expect(fan.text.indexOf('Authors you follow')).toBeLessThan(fan.text.indexOf('Large language models'));
    expect(plain.text).not.toContain('Depth Anything 3');
    expect(plain.text).not.toContain('Authors you follow');
    // ParoQuant is an LLM paper about quantization: the plain reader may get it, the fan never.
    expect(fan.text).not.toContain('ParoQuant');
    expect(fan.html).not.toContain('ParoQuant');
    expect(plain.text).toContain('ParoQuant');
    // Two segments: the follower has one of their own.
    expect(io.stdout.join('\n')).toMatch(/en\.llm\.i[0-9a-f]{12}/);
  });
});
