import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // protobufjs static code and mediasoup-client make one ~500 kB (80 kB gzipped) bundle.
    chunkSizeWarningLimit: 800,
  },
});
