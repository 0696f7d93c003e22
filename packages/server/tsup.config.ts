import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    // stripInternal: members marked @internal (the layers' own wiring) stay out of the public types.
    dts: { compilerOptions: { stripInternal: true } },
    sourcemap: true,
    clean: false, // the build script empties dist/ once for both builds
    target: 'es2022',
  },
  {
    // The server command (bin x-server): ESM only, no types.
    entry: { cli: 'src/command/main.ts' },
    format: ['esm'],
    sourcemap: true,
    clean: false,
    target: 'es2022',
  },
]);
