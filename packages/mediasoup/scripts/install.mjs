#!/usr/bin/env node
// The install script of @x/mediasoup: builds mediasoup-worker with meson and
// ninja against the system's libraries (OpenSSL 3, libuv, libsrtp2, usrsctp,
// abseil, nlohmann_json), with progress, unless an up-to-date one is there.
// It never downloads anything, and never runs apt-get for a user: a missing
// Debian package stops it at once, named.
//
//   node scripts/install.mjs            build if needed
//   node scripts/install.mjs --force    build again
//
// MEDIASOUP_WORKER_BIN set: no build (that binary is used at run time).
// MEDIASOUP_BUILDTYPE=Debug: a debug build. MEDIASOUP_MAX_CORES: fewer jobs.
//
// In this package's repository (where scripts/vendor.mjs exists; it is not
// published) it first installs the engine's Debian packages (or names them),
// then produces lib/ and worker/ from mediasoup's tarball and patches/.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preflight, preflightMessage } from './build/preflight.mjs';
import { createReporter } from './build/progress.mjs';
import { buildWorker, isBuilt, workerPath } from './build/worker.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = resolve(here, '..');
const reporter = createReporter();

function fail(message) {
  reporter.line(message.replace(/^@x\/mediasoup: /, ''));
  reporter.close();
  process.exit(1);
}

async function main() {
  if (process.env.MEDIASOUP_WORKER_BIN) {
    reporter.line(
      `MEDIASOUP_WORKER_BIN is set (${process.env.MEDIASOUP_WORKER_BIN}): not building the worker`,
    );
    return;
  }

  const vendorScript = join(here, 'vendor.mjs');
  if (existsSync(vendorScript)) {
    const systemDeps = resolve(pkgDir, '../../scripts/system-deps.sh');
    if (existsSync(systemDeps)) {
      const deps = spawnSync('bash', [systemDeps, 'engine'], { stdio: 'inherit' });
      if (deps.status !== 0) fail('the system packages the worker build needs are missing');
    }
    const vendoring = spawnSync(process.execPath, [vendorScript], { stdio: 'inherit' });
    if (vendoring.status !== 0) fail('producing lib/ and worker/ from mediasoup 3.12.16 failed');
  }

  if (!process.argv.includes('--force') && isBuilt(pkgDir)) {
    reporter.line(`mediasoup-worker is up to date: ${workerPath(pkgDir)}`);
    return;
  }

  const check = preflight();
  if (check.problems.length > 0) fail(preflightMessage(check));

  try {
    await buildWorker(pkgDir, reporter);
  } catch (error) {
    fail(`building mediasoup-worker failed: ${error instanceof Error ? error.message : error}`);
  }
}

await main();
reporter.close();
