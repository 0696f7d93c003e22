import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Namespaces, browsers and a TURN server on two cores: one file at a time.
    fileParallelism: false,
  },
});
