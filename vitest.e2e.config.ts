import { defineConfig } from 'vitest/config';

/** Browser tests: Debian's Chromium driven by playwright-core (npm run test:e2e). */
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    // Tests marked concurrent (every-page.e2e.ts: one per screen size) run two at a time, one a core.
    maxConcurrency: 2,
  },
});
