import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { isLevelShown, resolveLogLevel } from '../../src/log/logger.ts';

describe('resolveLogLevel', () => {
  it.each([
    /** Defaults */
    [{}, {}, 'info'],
    [{}, { LOG_LEVEL: '' }, 'info'],
    /** The environment */
    [{}, { LOG_LEVEL: 'debug' }, 'debug'],
    [{}, { LOG_LEVEL: ' WARN ' }, 'warn'],
    [{}, { LOG_LEVEL: 'silent' }, 'silent'],
    [{}, { LOG_LEVEL: 'trace' }, 'trace'],
    /** The flags win */
    [{ quiet: true }, {}, 'warn'],
    [{ verbose: true }, {}, 'debug'],
    [{ quiet: true }, { LOG_LEVEL: 'debug' }, 'warn'],
    [{ verbose: true }, { LOG_LEVEL: 'error' }, 'debug'],
  ] as const)('%j with %j → %s', (options, env, level) => {
    expect(resolveLogLevel(options, env)).toBe(level);
  });

  it('names the levels when LOG_LEVEL is none of them', () => {
    expect(() => resolveLogLevel({}, { LOG_LEVEL: 'loud' })).toThrow(UsageError);
    expect(() => resolveLogLevel({}, { LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL "loud" is not a level: expected trace, debug, info, warn, error, silent/);
  });
});

describe('isLevelShown', () => {
  it.each([
    ['info', 'info', true],
    ['info', 'debug', false],
    ['warn', 'info', false],
    ['warn', 'error', true],
    ['silent', 'error', false],
    ['trace', 'debug', true],
  ] as const)('at %s, a %s record is shown: %s', (level, record, shown) => {
    expect(isLevelShown(level, record)).toBe(shown);
  });
});
