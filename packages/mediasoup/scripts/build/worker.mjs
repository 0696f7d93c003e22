// Builds worker/out/<buildtype>/mediasoup-worker with the system's meson and
// ninja (Debian/Ubuntu: meson, ninja-build), never through mediasoup's own
// Makefile or npm scripts, which download meson, ninja and the C++ libraries.
// meson configures worker/out/<buildtype>/build against the system libraries
// (patches/0001: pkg-config, dynamic links; no subprojects, --wrap-mode
// nodownload), ninja compiles with one job per core. The compiler's own output
// goes to worker/out/build.log; the console gets progress lines, and the log's
// tail when something fails.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatElapsed, trackProgress } from './progress.mjs';

export function buildType(env = process.env) {
  return env.MEDIASOUP_BUILDTYPE === 'Debug' ? 'Debug' : 'Release';
}

export function workerPath(pkgDir, env = process.env) {
  return join(pkgDir, 'worker', 'out', buildType(env), 'mediasoup-worker');
}

/** meson's build folder. */
export function buildDir(pkgDir, env = process.env) {
  return join(pkgDir, 'worker', 'out', buildType(env), 'build');
}

/** The C++ test binary (built by buildWorker with `tests: true`). */
export function workerTestPath(pkgDir, env = process.env) {
  return join(buildDir(pkgDir, env), 'mediasoup-worker-test');
}

function stampPath(pkgDir, env) {
  return join(pkgDir, 'worker', 'out', buildType(env), 'mediasoup-worker.stamp');
}

/** What the binary is built from: every file of worker/ but out/, and this recipe. */
export function buildHash(pkgDir, env = process.env) {
  const hash = createHash('sha256');
  const workerDir = join(pkgDir, 'worker');
  const walk = (dir) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== join(workerDir, 'out')) walk(path);
      } else if (entry.isFile()) {
        hash.update(relative(workerDir, path)).update('\0').update(readFileSync(path)).update('\0');
      }
    }
  };
  walk(workerDir);
  return hash
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(buildType(env))
    .digest('hex');
}

/** Whether the binary there was built from the current sources and recipe. */
export function isBuilt(pkgDir, env = process.env) {
  const stamp = stampPath(pkgDir, env);
  return (
    existsSync(workerPath(pkgDir, env)) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === buildHash(pkgDir, env)
  );
}

export function jobs(env = process.env) {
  const max = Number.parseInt(env.MEDIASOUP_MAX_CORES ?? '', 10);
  const cores = availableParallelism();
  return Number.isInteger(max) && max > 0 ? Math.min(max, cores) : cores;
}

function tail(file, lines) {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** The `meson setup` options: mediasoup's own (its Makefile's), plus ours. */
export function mesonOptions(env = process.env, { tests = false } = {}) {
  const type = buildType(env);
  return [
    '--buildtype',
    type === 'Debug' ? 'debug' : 'release',
    ...(type === 'Debug' ? [] : ['-Db_ndebug=true']),
    '-Db_pie=true',
    '-Db_staticpic=true',
    // The wraps are not shipped; this makes sure meson never downloads one.
    '--wrap-mode=nodownload',
    `-Dtests=${tests}`,
  ];
}

const COMPILING = /^\[\d+\/\d+\] Compiling (?:C|C\+\+) object /;

/** Compile steps ninja would run for `target` now (the progress total). */
function countCompiles(build, target, env) {
  const dry = spawnSync('ninja', ['-C', build, '-n', target], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (dry.status !== 0) return 0;
  return dry.stdout.split('\n').filter((l) => COMPILING.test(l)).length;
}

/**
 * Configures (meson) and compiles (ninja) `target`: `mediasoup-worker` by
 * default, then copied to worker/out/<buildtype>/mediasoup-worker and
 * stamped; or, with `tests: true`, `mediasoup-worker-test` (the C++ tests,
 * which need worker/test and Catch2), left in the build folder. Resolves with
 * the binary's path, rejects with the log's tail.
 */
export async function buildWorker(pkgDir, reporter, env = process.env, { tests = false } = {}) {
  const workerDir = join(pkgDir, 'worker');
  const outDir = join(workerDir, 'out');
  const build = buildDir(pkgDir, env);
  const target = tests ? 'mediasoup-worker-test' : 'mediasoup-worker';
  mkdirSync(outDir, { recursive: true });
  const logFile = join(outDir, tests ? 'build-test.log' : 'build.log');
  const childEnv = { ...env, PYTHONDONTWRITEBYTECODE: '1' };
  const started = Date.now();

  // A build folder meson set up before is reconfigured in place (ninja then
  // recompiles only what changed); if that fails (a folder moved with its
  // package, a meson upgrade), it is set up anew (--wipe).
  const configured = existsSync(join(build, 'meson-private', 'coredata.dat'));
  const mesonSetup = (mode) => {
    const args = ['setup', ...mode, ...mesonOptions(env, { tests }), build];
    const run = spawnSync('meson', args, {
      cwd: workerDir,
      env: childEnv,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    log.push(
      `$ meson ${args.join(' ')}\n${run.stdout ?? ''}${run.stderr ?? ''}${run.error ?? ''}\n`,
    );
    return run;
  };
  const log = [];
  let setup = mesonSetup(configured ? ['--reconfigure'] : []);
  if (setup.status !== 0 && configured) setup = mesonSetup(['--wipe']);
  writeFileSync(logFile, log.join(''));
  if (setup.status !== 0)
    throw new Error(`meson setup failed; the end of ${logFile}:\n${tail(logFile, 30)}`);

  const total = countCompiles(build, target, childEnv);
  const j = jobs(env);
  reporter.line(
    `compiling ${target}: ${total} objects, ${j} jobs (${total > 0 ? 'a few minutes' : 'nothing to compile'}; log: ${logFile})`,
  );
  const progress = trackProgress(reporter, total, `compiling ${target}`);
  const ninjaLog = createWriteStream(logFile, { flags: 'a' });
  ninjaLog.write(`$ ninja -C ${build} -j ${j} ${target}\n`);
  const code = await new Promise((resolve, reject) => {
    const ninja = spawn('ninja', ['-C', build, '-j', String(j), target], {
      cwd: workerDir,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    ninja.stdout.on('data', (chunk) => {
      ninjaLog.write(chunk);
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (COMPILING.test(line)) progress.step();
        else if (/^\[\d+\/\d+\] Linking target /.test(line) && line.endsWith(target))
          progress.phase(`linking ${target}`);
      }
    });
    ninja.stderr.on('data', (chunk) => ninjaLog.write(chunk));
    ninja.on('error', reject);
    ninja.on('close', resolve);
  });
  progress.stop();
  const elapsed = Date.now() - started;
  await new Promise((resolve) => ninjaLog.end(resolve));
  if (code !== 0)
    throw new Error(
      `ninja failed (exit ${code}) after ${formatElapsed(elapsed)}; the end of ${logFile}:\n${tail(logFile, 40)}`,
    );
  const built = join(build, target);
  if (!existsSync(built)) throw new Error(`ninja succeeded but ${built} is missing`);
  if (tests) {
    reporter.line(
      `built ${target} (${progress.done} objects) in ${formatElapsed(elapsed)}: ${built}`,
    );
    return built;
  }
  const bin = workerPath(pkgDir, env);
  // Replaced in one step: a worker started meanwhile gets the old or the new binary.
  copyFileSync(built, `${bin}.tmp`);
  chmodSync(`${bin}.tmp`, 0o755);
  renameSync(`${bin}.tmp`, bin);
  writeFileSync(stampPath(pkgDir, env), `${buildHash(pkgDir, env)}\n`);
  reporter.line(
    `built mediasoup-worker (${progress.done} objects) in ${formatElapsed(elapsed)}: ${bin}`,
  );
  return bin;
}
