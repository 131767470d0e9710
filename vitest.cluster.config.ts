import { defineConfig } from 'vitest/config';

/**
 * The several-instances test (npm run test:cluster, MariaDB via
 * TEST_DATABASE_URL): two web processes and two workers of the store. Run on
 * its own, so its timings are the processes' and not those of other test
 * files sharing the cores.
 */
export default defineConfig({
  test: {
    include: ['tests/cluster/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
