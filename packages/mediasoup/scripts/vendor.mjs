#!/usr/bin/env node
// Produces this package's lib/ (mediasoup's Node API) and worker/ (its C++
// worker sources) from the npm tarball of mediasoup 3.8.4 (a devDependency,
// whose own build script never runs: see allowBuilds in pnpm-workspace.yaml),
// then applies patches/*.patch in name order and writes vendor.json.
//
// Runs in this repository only (it needs the devDependency and patches/, which
// are not published); the published package carries its result. Skips when
// vendor.json says the same inputs produced what is there; `--force` redoes it.
// `--out DIR` writes into another folder (the tests use it to check that the
// committed patches still apply and produce what is installed).
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyPatch, parsePatch } from 'diff';

const MEDIASOUP_VERSION = '3.8.4';

/**
 * Parts of the tarball's worker/ that are not built or shipped. The bundled
 * OpenSSL 1.1.1k goes first of all: the worker links the system's OpenSSL 3
 * (patches/0005), so nothing can fall back to it. The rest are tests,
 * fuzzers and their corpora, and files of other build systems.
 */
export const PRUNED = [
  'deps/openssl',
  'deps/catch2',
  'deps/lcov',
  'deps/webrtc-fuzzer-corpora',
  'deps/gyp/test',
  'deps/libsrtp/srtp/fuzzer',
  'fuzzer',
  'test',
  'Dockerfile',
  'Cargo.toml',
  'build.rs',
  'compile_commands_template.json',
  // Lint and coverage tooling of mediasoup's own repository; the build runs
  // only scripts/configure.py (and the Makefile, scripts/cpu_cores.sh).
  'scripts/clang-tidy.py',
  'scripts/cppcheck.sh',
  'scripts/flint++.sh',
  'scripts/get-dep.sh',
  'scripts/gulpfile.js',
  'scripts/lcov.sh',
  'scripts/package.json',
];

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = resolve(here, '..');
const patchesDir = join(pkgDir, 'patches');

function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

/** The stock tarball's folder, from the devDependency. */
export function stockDir() {
  const require = createRequire(join(pkgDir, 'package.json'));
  const dir = dirname(require.resolve('mediasoup/package.json'));
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (version !== MEDIASOUP_VERSION)
    throw new Error(`vendor: expected mediasoup ${MEDIASOUP_VERSION}, found ${version} in ${dir}`);
  return dir;
}

export function patchFiles() {
  return readdirSync(patchesDir)
    .filter((f) => f.endsWith('.patch'))
    .sort();
}

/** What vendor.json records: the inputs, and one hash over all of them. */
export function manifest() {
  const patches = patchFiles().map((file) => ({
    file,
    sha256: sha256(readFileSync(join(patchesDir, file))),
  }));
  const script = sha256(readFileSync(fileURLToPath(import.meta.url)));
  const hash = sha256(
    JSON.stringify({ mediasoup: MEDIASOUP_VERSION, pruned: PRUNED, patches, script }),
  );
  return {
    mediasoup: MEDIASOUP_VERSION,
    source: `the npm tarball of mediasoup@${MEDIASOUP_VERSION}`,
    pruned: PRUNED.map((p) => `worker/${p}`),
    patches,
    hash,
  };
}

function stripPrefix(name) {
  return name.replace(/^[ab]\//, '');
}

/** Applies one multi-file unified diff under `root`; throws naming the hunk's file on mismatch. */
function applyPatchFile(root, patchPath) {
  const name = relative(pkgDir, patchPath);
  for (const filePatch of parsePatch(readFileSync(patchPath, 'utf8'))) {
    const oldName = filePatch.oldFileName ?? '';
    const newName = filePatch.newFileName ?? '';
    const target = join(root, stripPrefix(newName === '/dev/null' ? oldName : newName));
    const before = oldName === '/dev/null' ? '' : readFileSync(target, 'utf8');
    const after = applyPatch(before, filePatch);
    if (after === false)
      throw new Error(`vendor: ${name} does not apply to ${relative(root, target)}`);
    if (newName === '/dev/null') {
      unlinkSync(target);
    } else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, after);
    }
  }
}

/** Copies the tarball's lib/ and worker/ into `outDir`, prunes, patches, records. */
export function vendor(outDir) {
  const stock = stockDir();
  const m = manifest();
  rmSync(join(outDir, 'lib'), { recursive: true, force: true });
  // A built worker survives: its stamp (scripts/build/worker.mjs) is a hash of
  // the sources, so it is rebuilt only if they changed.
  const built = join(outDir, 'worker', 'out');
  const keep = join(outDir, '.worker-out');
  rmSync(keep, { recursive: true, force: true });
  if (existsSync(built)) renameSync(built, keep);
  rmSync(join(outDir, 'worker'), { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  // lib/: the compiled Node API and its declarations; the source maps point
  // into src/, which the tarball has and this package does not ship.
  cpSync(join(stock, 'lib'), join(outDir, 'lib'), {
    recursive: true,
    filter: (src) => !src.endsWith('.map'),
  });
  for (const file of readdirSync(join(outDir, 'lib'))) {
    const path = join(outDir, 'lib', file);
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'),
    );
  }
  const pruned = new Set(PRUNED.map((p) => join(stock, 'worker', p)));
  cpSync(join(stock, 'worker'), join(outDir, 'worker'), {
    recursive: true,
    filter: (src) => !pruned.has(src) && !src.split(sep).includes('__pycache__'),
  });
  for (const file of patchFiles()) applyPatchFile(outDir, join(patchesDir, file));
  if (existsSync(keep)) renameSync(keep, built);
  writeFileSync(join(outDir, 'vendor.json'), `${JSON.stringify(m, null, 2)}\n`);
  return m;
}

/** Whether `dir` holds what the current inputs produce. */
export function isVendored(dir) {
  const file = join(dir, 'vendor.json');
  if (!existsSync(file) || !existsSync(join(dir, 'lib')) || !existsSync(join(dir, 'worker')))
    return false;
  return JSON.parse(readFileSync(file, 'utf8')).hash === manifest().hash;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outArg = process.argv.indexOf('--out');
  const outDir = outArg > 0 ? resolve(process.argv[outArg + 1]) : pkgDir;
  if (!process.argv.includes('--force') && isVendored(outDir)) {
    console.log('@x/mediasoup: lib/ and worker/ are up to date with patches/ (vendor.json)');
  } else {
    const m = vendor(outDir);
    console.log(
      `@x/mediasoup: vendored mediasoup ${m.mediasoup} into ${relative(process.cwd(), outDir) || '.'} with ${m.patches.length} patches`,
    );
  }
}
