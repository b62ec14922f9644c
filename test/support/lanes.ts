// The two lanes of the test suite. `npm test` runs everything (CI runs it through .ci/run). `npm run test:fast`
// (vitest.fast.config.ts) is the working loop: it leaves out
//  - the files below, whole: the crash drills (child processes killed at random, over two minutes) and the
//    browser tests (Chromium through playwright-core);
//  - the PostgreSQL variants of the store-backed suites, even with TEST_DATABASE_URL set (test-databases.ts),
//    and the Chromium check inside test/preview/preview.test.ts: both look at FAST_LANE.
// test/test-lanes.test.ts checks that every file using Chromium or the crash drills is left out one way or the other.

/** Set by vitest.fast.config.ts for `npm run test:fast`. */
export const FAST_LANE = process.env.PAPERBOY_TEST_LANE === 'fast';

/** Test files `npm run test:fast` leaves out, from the repository root. */
export const SLOW_LANE_FILES: readonly string[] = [
  'test/deliver/crash-drills.test.ts',
  'test/deliver/two-worker-drills.test.ts',
  'test/web/browser-flow.test.ts',
  'test/render/mail-in-browser.test.ts',
  'test/web/paper-page-browser.test.ts',
];
