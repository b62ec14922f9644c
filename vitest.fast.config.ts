import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';
import { SLOW_LANE_FILES } from './test/support/lanes.ts';

// `npm run test:fast`: everything `npm test` runs except the crash drills, the browser tests and the PostgreSQL
// variants of the store-backed suites (see test/support/lanes.ts). `npm test` stays the whole suite.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [...configDefaults.exclude, ...SLOW_LANE_FILES],
      env: { PAPERBOY_TEST_LANE: 'fast' },
    },
  }),
);
