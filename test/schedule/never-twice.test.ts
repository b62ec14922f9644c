import { describe, expect, it } from 'vitest';
import { createOutboxTransport } from '../../src/deliver/outbox-transport.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { runIssue } from '../../src/run-issue.ts';
import type { ISODate } from '../../src/types.ts';
import { rssFor, type FakePaper } from './fake-arxiv.ts';
import { makeWorld, READERS, readOutbox, SECRET, testConfig, type World } from './scheduler-world.ts';

// Never the same paper twice, through the real run: a paper mailed on one day and announced again later (a
// cross-list, or a new version) is left out of the later mail, or with schedule.showUpdatedVersions kept and labelled.

const X1: FakePaper = { id: '2511.99001', version: 1, type: 'new', title: 'Language model X' };
const Y1: FakePaper = { id: '2511.99002', version: 1, type: 'new', title: 'Language model Y' };

async function run(world: World, date: ISODate, papers: FakePaper[]) {
  return runIssue(
    {
      db: world.db,
      config: world.config,
      holidays: world.holidays,
      now: new Date(`${date}T06:00:00Z`),
      secret: SECRET,
      readFeed: async () => rssFor(date, papers),
      createTransport: (batchDate) => createOutboxTransport({ dir: world.outbox, batchDate }),
      log: silentLogger,
    },
    { date, outboxDir: world.outbox },
  );
}

const config = (showUpdatedVersions: boolean) =>
  testConfig({
    schedule: { showUpdatedVersions },
    domains: [
      {
        id: 'llm',
        name: { en: 'Language models', zh: '语言模型' },
        description: { en: 'Language model papers.', zh: '语言模型论文。' },
        categories: ['cs.CL'],
        announceTypes: ['new', 'cross', 'replace', 'replace-cross'],
      },
    ],
  });

describe('never the same paper twice', () => {
  it('leaves out a paper mailed on an earlier day, in any version', async () => {
    const world = await makeWorld({ start: new Date('2025-11-13T06:00:00Z'), config: config(false) });
    try {
      await run(world, '2025-11-13', [X1]);
      const second = await run(world, '2025-11-14', [{ ...X1, version: 2, type: 'replace' }, { ...Y1 }]);
      expect(second.repeats).toMatchObject({ dropped: 2, updated: 0 });
      expect(second.repeats.segments.map((s) => s.dropped)).toEqual([['2511.99001'], ['2511.99001']]);
      const mails = await readOutbox(world.outbox);
      for (const reader of READERS) {
        const mine = mails.filter((m) => m.to === reader.email);
        expect(mine.map((m) => [m.batchDate, m.ids])).toEqual([
          ['2025-11-13', ['2511.99001']],
          ['2025-11-14', ['2511.99002']],
        ]);
      }
    } finally {
      await world.close();
    }
  });

  it('with showUpdatedVersions, mails a newer version again, labelled as updated', async () => {
    const world = await makeWorld({ start: new Date('2025-11-13T06:00:00Z'), config: config(true) });
    try {
      await run(world, '2025-11-13', [X1]);
      const second = await run(world, '2025-11-14', [{ ...X1, version: 2, type: 'cross' }]);
      expect(second.repeats).toMatchObject({ dropped: 0, updated: 2 });
      const third = await run(world, '2025-11-17', [{ ...X1, version: 2, type: 'cross' }]);
      expect(third.repeats).toMatchObject({ dropped: 2, updated: 0 }); // version 2 went out on the 14th
      const mails = await readOutbox(world.outbox);
      const en = mails.filter((m) => m.to === 'ada@example.org');
      expect(en.map((m) => [m.batchDate, m.ids])).toEqual([
        ['2025-11-13', ['2511.99001']],
        ['2025-11-14', ['2511.99001']],
        ['2025-11-17', []],
      ]);
      expect(en[0]!.text).not.toMatch(/updated/);
      expect(en[1]!.text).toMatch(/updated cross-list/);
      expect(mails.find((m) => m.to === 'wei@example.org' && m.batchDate === '2025-11-14')!.text).toMatch(/新版本/);
    } finally {
      await world.close();
    }
  });
});
