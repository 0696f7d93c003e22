import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Every test file starts real mediasoup workers; two cores are enough for one file at a time.
    fileParallelism: false,
  },
});
