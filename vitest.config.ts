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
  },
});
