import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    allowOnly: !process.env.CI,
    // Suites share no state but the machine: two cores.
    maxWorkers: 2,
    // On with `--coverage` (npm test); a run of a few files stays quick and checks no thresholds.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // The summary in the test output; coverage/coverage-summary.json for tools.
      reporter: ['text-summary', 'json-summary'],
      // Today's figures (2026-12-04, measured over the whole suite), rounded down a little, so coverage
      // cannot fall unnoticed: raise them when it rises. The engine, the store and the server keep at
      // least 90% of their lines each (issue 20); a glob's figures are over its files together.
      thresholds: {
        lines: 91,
        statements: 90,
        functions: 91,
        branches: 78,
        'src/engine/**': { lines: 95, statements: 93, functions: 91, branches: 90 },
        'src/store/**': { lines: 93, statements: 91, functions: 94, branches: 76 },
        'src/server/**': { lines: 96, statements: 95, functions: 95, branches: 85 },
      },
    },
  },
});
