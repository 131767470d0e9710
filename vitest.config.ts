import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Run on their own: tests/security (npm run test:security, vitest.security.config.ts), tests/cluster, whose
    // store processes need the cores to themselves (npm run test:cluster), and tests/faults, which stop and crash
    // servers and take minutes (npm run test:faults, vitest.faults.config.ts).
    exclude: ['tests/e2e/**', 'tests/security/**', 'tests/cluster/**', 'tests/faults/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // Test files share their worker's loaded modules instead of loading the
    // whole app again for each file (the larger part of a run's time). Each
    // file still makes its own database and app, and puts back what it
    // changes globally (fake timers, environment).
    isolate: false,
    reporters: ['default'],
  },
});
