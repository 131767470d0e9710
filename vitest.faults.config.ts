import { defineConfig } from 'vitest/config';

/**
 * Fault tests (npm run test:faults): the real app as processes on a MariaDB
 * server of their own that the tests stop, crash and start again. One file at
 * a time: each one starts its own server and processes.
 */
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
