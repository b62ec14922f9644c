import { describe, expect, it } from 'vitest';
import type { LogFields } from '../../src/log/logger.ts';
import { runTick } from '../../src/schedule/run-scheduler.ts';
import { recordLog } from '../support/record-log.ts';
import { makeWorld } from './scheduler-world.ts';

// What a waiting scheduler says: every fetch with what it found, when it tries next and when it gives up, so a
// tick that waits four hours (no network, a stale feed) is never silent in between.

const TICK = new Date('2025-11-14T05:30:00Z');
const DEADLINE = '2025-11-14T09:30:00.000Z';

async function tick(options: { staleForMs?: number; offline?: boolean }) {
  const world = await makeWorld({ start: TICK, staleForMs: () => options.staleForMs ?? 0 });
  const lines: string[] = [];
  const fields: LogFields[] = [];
  const controller = new AbortController();
  const deps = {
    ...world.deps({ controller }),
    log: recordLog(lines, () => '', fields),
    ...(options.offline
      ? {
          readFeed: async (source: string): Promise<string> => {
            throw new Error(`${source}: getaddrinfo ENOTFOUND rss.example.org`);
          },
        }
      : {}),
  };
  try {
    const report = await runTick(deps, 'schedule-once', controller.signal);
    return { report, lines, fields };
  } finally {
    await world.close();
  }
}

describe('scheduler log', () => {
  it('warns at every failed fetch with the reason, the next try and the deadline, then gives up with an error', async () => {
    const { report, lines, fields } = await tick({ offline: true });
    const fetches = lines.filter((l) => / fetch \d+ for 2025-11-14/.test(l));
    expect(fetches).toHaveLength(17);
    fetches.forEach((line, i) => {
      expect(line).toMatch(new RegExp(`^warn: fetch ${i + 1} for 2025-11-14: no feed could be read: .*ENOTFOUND rss\\.example\\.org`));
    });
    const waits = fields.filter((f) => f.nextFetchAt !== undefined);
    expect(waits).toHaveLength(16);
    expect(waits[0]).toEqual({ nextFetchAt: '2025-11-14T05:45:00.000Z', deadline: DEADLINE });
    expect(waits.at(-1)).toEqual({ nextFetchAt: DEADLINE, deadline: DEADLINE });
    expect(lines.at(-1)).toMatch(/^error: gave up on the batch of 2025-11-14 after 17 fetches .*ENOTFOUND.*nothing mailed/);
    expect(report).toMatchObject({ status: 'failed', exitCode: 1, schedule: { polls: 17, failedFetches: 17 } });
  });

  it('says what a stale feed carries at every fetch, at info, with the next try and the deadline', async () => {
    const { report, lines, fields } = await tick({ staleForMs: 50 * 60_000 }); // the feed is due at 05:00 and updated at 05:50
    expect(lines.filter((l) => / fetch \d/.test(l))).toEqual([
      'info: fetch 1 for 2025-11-14: the feed still carries the batch of 2025-11-13, not 2025-11-14 (stale)',
      'info: fetch 2 for 2025-11-14: the feed still carries the batch of 2025-11-13, not 2025-11-14 (stale)',
      'info: fetch 3 for 2025-11-14: the feed carries the batch of 2025-11-14 (4 papers)',
    ]);
    expect(fields.filter((f) => f.nextFetchAt !== undefined)).toEqual([
      { nextFetchAt: '2025-11-14T05:45:00.000Z', deadline: DEADLINE },
      { nextFetchAt: '2025-11-14T06:00:00.000Z', deadline: DEADLINE },
    ]);
    expect(report).toMatchObject({ status: 'sent', schedule: { polls: 3, failedFetches: 0 } });
  });
});
