import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { main: 'src/main.ts', demo: 'src/demo.ts' },
  outDir: 'dist/server',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
});
