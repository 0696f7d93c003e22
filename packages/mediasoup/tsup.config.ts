import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // import.meta.url in the CommonJS build.
  shims: true,
  // mediasoup's own API stays in lib/ (CommonJS, beside worker/, which its
  // Worker.js finds relative to itself): imported, never bundled.
  external: [/\/lib\/[A-Za-z]+\.js$/],
});
