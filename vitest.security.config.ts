import { defineConfig } from 'vitest/config';

/**
 * The store's security proof (npm run test:security): one describe per OWASP
 * ASVS 5.0 item of SPEC §8, plus sqlmap against a running instance. Kept out
 * of `npm test` (vitest.config.ts) so CI runs it once, not on every database.
 */
export default defineConfig({
  test: {
    include: ['tests/security/**/*.test.ts'],
    // Table-driven tests (every route, every attack) make hundreds of requests each.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    isolate: false, // as in vitest.config.ts: files share their worker's loaded modules
    reporters: ['default'],
  },
});
