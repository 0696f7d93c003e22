import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // import.meta.url (where libwebrtc is loaded from) in the CommonJS build too.
  shims: true,
  // libwebrtc's binding stays a dependency, loaded at run time.
  external: ['@roamhq/wrtc'],
});
