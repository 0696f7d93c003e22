import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    // mediasoup's warnings and errors, the worker's among them, go to the log
    // that test/setup/worker-log.ts keeps: the e2e test checks it.
    env: { DEBUG: 'mediasoup:WARN:*,mediasoup:ERROR:*' },
    setupFiles: ['test/setup/worker-log.ts'],
  },
});
