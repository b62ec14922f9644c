import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/create-logger.ts';
import type { LogLevel } from '../../src/log/logger.ts';

const now = () => new Date('2025-11-14T05:31:00.000Z');

function capture(level: LogLevel, format: 'human' | 'json') {
  const lines: string[] = [];
  const log = createLogger({ level, format, write: (line) => lines.push(line), now });
  return { log, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line, with the level name, the time, the message and the fields', () => {
    const { log, lines } = capture('info', 'json');
    log.info('fetch 1 for 2025-11-14: the feed carries the batch', { nextFetchAt: '2025-11-14T05:46:00.000Z' });
    log.warn('a "quoted" word\nand a second line');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 'info',
      time: '2025-11-14T05:31:00.000Z',
      msg: 'fetch 1 for 2025-11-14: the feed carries the batch',
      nextFetchAt: '2025-11-14T05:46:00.000Z',
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'warn', msg: 'a "quoted" word\nand a second line' });
  });

  it('writes human lines for a terminal', () => {
    const { log, lines } = capture('info', 'human');
    log.warn('no feed could be read', { deadline: '2025-11-14T09:30:00.000Z' });
    expect(lines).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d WARN {2}no feed could be read deadline=2025-11-14T09:30:00.000Z$/)]);
  });

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
    ['silent', []],
  ] as const)('at %s writes %j', (level, shown) => {
    const { log, lines } = capture(level, 'json');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines.map((l) => JSON.parse(l).level)).toEqual(shown);
  });
});
