import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Server processes with their workers, Prometheus, Chromium: one file at a time on two cores.
    fileParallelism: false,
  },
});
