import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    // Real mediasoup workers and ffmpeg: one file at a time on two cores.
    fileParallelism: false,
  },
});
