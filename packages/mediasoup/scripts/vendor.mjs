#!/usr/bin/env node
// Produces this package's lib/ (mediasoup's Node API, the tarball's node/lib)
// and worker/ (its C++ worker sources) from the npm tarball of mediasoup
// 3.12.16 (a devDependency, whose own build script never runs: see
// allowBuilds in pnpm-workspace.yaml), then applies patches/*.patch in name
// order and writes vendor.json.
//
// Runs in this repository only (it needs the devDependency and patches/, which
// are not published); the published package carries its result. Skips when
// vendor.json says the same inputs produced what is there; `--force` redoes it.
// `--out DIR` writes into another folder (the tests use it to check that the
// committed patches still apply and produce what is installed).
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyPatch, parsePatch } from 'diff';

const MEDIASOUP_VERSION = '3.12.16';

/**
 * Parts of the tarball's worker/ that are not built or shipped. The meson
 * subprojects go first of all: their .wrap files make meson download libuv,
 * OpenSSL, libsrtp, usrsctp, abseil, nlohmann_json and Catch2 from GitHub and
 * wrapdb; the worker takes them all from the system instead (patches/0001),
 * so nothing can fall back to a download. Then mediasoup's Makefile (it
 * pip-installs meson and ninja into worker/out/pip), the lint and release
 * tooling of mediasoup's repository, and the fuzzer (a clang libFuzzer
 * build, not built here).
 */
export const PRUNED = ['subprojects', 'Makefile', 'scripts', 'fuzzer'];

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

/**
 * Makes `dst` hold what `src` holds, leaving `keep` (names at the top) alone.
 * Files whose bytes are unchanged are not touched, so their times stay and
 * ninja recompiles only what a changed patch changed.
 */
function syncTree(src, dst, keep = []) {
  mkdirSync(dst, { recursive: true });
  const wanted = new Set(readdirSync(src));
  for (const name of readdirSync(dst))
    if (!wanted.has(name) && !keep.includes(name))
      rmSync(join(dst, name), { recursive: true, force: true });
  for (const entry of readdirSync(src, { withFileTypes: true })) {
    const from = join(src, entry.name);
    const to = join(dst, entry.name);
    const there = existsSync(to) ? statSync(to) : undefined;
    if (entry.isDirectory()) {
      if (there && !there.isDirectory()) rmSync(to, { force: true });
      syncTree(from, to);
    } else {
      if (there?.isDirectory()) rmSync(to, { recursive: true, force: true });
      else if (there && readFileSync(to).equals(readFileSync(from))) continue;
      copyFileSync(from, to);
    }
  }
}

/** Copies the tarball's lib/ and worker/ into `outDir`, prunes, patches, records. */
export function vendor(outDir) {
  const stock = stockDir();
  const m = manifest();
  // Produced in a staging folder, then synced into place: a built worker
  // (worker/out) survives, and so do the times of the files that did not
  // change. The binary's stamp (scripts/build/worker.mjs) is a hash of the
  // sources, so it is rebuilt only if they changed.
  const staging = join(outDir, '.vendor-staging');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });

  // lib/: the compiled Node API (node/lib) and its declarations, and
  // mediasoup's own Node test suites (lib/tests, run by this package's tests,
  // not published). The source maps point into node/src, which the tarball
  // has and this package does not ship; the tests' declarations are of no use.
  cpSync(join(stock, 'node', 'lib'), join(staging, 'lib'), {
    recursive: true,
    filter: (src) =>
      !src.endsWith('.map') && !(src.includes(`${sep}tests${sep}`) && src.endsWith('.d.ts')),
  });
  const stripMaps = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) stripMaps(path);
      else
        writeFileSync(
          path,
          readFileSync(path, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'),
        );
    }
  };
  stripMaps(join(staging, 'lib'));
  const pruned = new Set(PRUNED.map((p) => join(stock, 'worker', p)));
  cpSync(join(stock, 'worker'), join(staging, 'worker'), {
    recursive: true,
    filter: (src) => !pruned.has(src) && !src.split(sep).includes('__pycache__'),
  });
  for (const file of patchFiles()) applyPatchFile(staging, join(patchesDir, file));
  syncTree(join(staging, 'lib'), join(outDir, 'lib'));
  syncTree(join(staging, 'worker'), join(outDir, 'worker'), ['out']);
  rmSync(staging, { recursive: true, force: true });
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
