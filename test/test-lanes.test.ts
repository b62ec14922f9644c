import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import base from '../vitest.config.ts';
import fast from '../vitest.fast.config.ts';
import { SLOW_LANE_FILES } from './support/lanes.ts';

// `npm run test:fast` stays what it says (test/support/lanes.ts): a new browser test or crash drill is left out of
// it, and nothing the whole suite runs is lost from `npm test`.

const ROOT = resolve(import.meta.dirname, '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('__') ? [] : testFiles(path);
    return /\.test\.tsx?$/.test(entry.name) ? [relative(ROOT, path).split(sep).join('/')] : [];
  });
}

describe('the test lanes', () => {
  const files = testFiles(join(ROOT, 'test'));

  it('leave out only files that exist', () => {
    expect(SLOW_LANE_FILES.filter((file) => !existsSync(join(ROOT, file)))).toEqual([]);
  });

  it('keep every browser test and crash drill out of test:fast, whole or behind FAST_LANE', () => {
    const slow = files.filter((file) => {
      const source = readFileSync(join(ROOT, file), 'utf8');
      return /support\/chromium\.ts'|'playwright-core'|\/crash-drill\.ts'/.test(source);
    });
    expect(slow.length).toBeGreaterThanOrEqual(4);
    const leaking = slow.filter(
      (file) => !SLOW_LANE_FILES.includes(file) && !/\bFAST_LANE\b/.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(leaking).toEqual([]);
  });

  it('read TEST_DATABASE_URL only through test/support/test-databases.ts', () => {
    const read = ['process', 'env', 'TEST_DATABASE_URL'].join('.');
    const direct = files.filter((file) => readFileSync(join(ROOT, file), 'utf8').includes(read));
    expect(direct).toEqual([]);
  });

  it('configure test:fast as the whole suite minus those files, with PostgreSQL off', () => {
    expect(fast.test?.include).toEqual(base.test?.include);
    expect(fast.test?.exclude).toEqual(expect.arrayContaining([...SLOW_LANE_FILES]));
    expect(fast.test?.env).toEqual({ PAPERBOY_TEST_LANE: 'fast' });
    expect(base.test?.exclude ?? []).toEqual(expect.not.arrayContaining([...SLOW_LANE_FILES]));
    expect(base.test?.env).toBeUndefined();
  });
});
