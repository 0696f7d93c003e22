// Builds worker/out/<buildtype>/mediasoup-worker: gyp (worker/scripts/
// configure.py) writes the Makefiles, make compiles with one job per core.
// The compiler's own output goes to worker/out/build.log; the console gets
// progress lines, and the log's tail when something fails.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
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
        if (path !== join(workerDir, 'out') && entry.name !== '__pycache__') walk(path);
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

/** Object files the generated Makefiles will compile: the progress total. */
function countObjects(outDir) {
  let count = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== buildTypeDirs[0] && entry.name !== buildTypeDirs[1]) walk(path);
      } else if (entry.name.endsWith('.mk')) {
        count += readFileSync(path, 'utf8')
          .split('\n')
          .filter((l) => /^\t\$\(obj\)\.\w+\/.*\.o\b/.test(l)).length;
      }
    }
  };
  walk(outDir);
  return count;
}
const buildTypeDirs = ['Release', 'Debug'];

function jobs(env) {
  const max = Number.parseInt(env.MEDIASOUP_MAX_CORES ?? '', 10);
  const cores = availableParallelism();
  return Number.isInteger(max) && max > 0 ? Math.min(max, cores) : cores;
}

function tail(file, lines) {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Configures and compiles; resolves with the binary's path, rejects with the log's tail. */
export async function buildWorker(pkgDir, reporter, env = process.env) {
  const workerDir = join(pkgDir, 'worker');
  const outDir = join(workerDir, 'out');
  mkdirSync(outDir, { recursive: true });
  const logFile = join(outDir, 'build.log');
  // gyp would otherwise leave __pycache__ folders in the package.
  const childEnv = { ...env, PYTHONDONTWRITEBYTECODE: '1' };
  const type = buildType(env);

  const configure = spawnSync('python3', ['scripts/configure.py', '-R', 'mediasoup-worker'], {
    cwd: workerDir,
    env: childEnv,
    encoding: 'utf8',
  });
  writeFileSync(logFile, `${configure.stdout ?? ''}${configure.stderr ?? ''}`);
  if (configure.status !== 0)
    throw new Error(`gyp (worker/scripts/configure.py) failed:\n${tail(logFile, 30)}`);

  const total = countObjects(outDir);
  const j = jobs(env);
  reporter.line(
    `compiling mediasoup-worker: ${total} objects, ${j} jobs (a few minutes; log: ${logFile})`,
  );
  const progress = trackProgress(reporter, total);
  const log = createWriteStream(logFile, { flags: 'a' });
  const code = await new Promise((resolve, reject) => {
    const make = spawn('make', [`-j${j}`, `BUILDTYPE=${type}`, '-C', outDir], {
      cwd: workerDir,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    make.stdout.on('data', (chunk) => {
      log.write(chunk);
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (/^\s*(CXX|CC)\(target\)/.test(line)) progress.step();
        else if (/^\s*LINK\(target\).*mediasoup-worker$/.test(line))
          progress.phase('linking mediasoup-worker');
      }
    });
    make.stderr.on('data', (chunk) => log.write(chunk));
    make.on('error', reject);
    make.on('close', resolve);
  });
  const elapsed = progress.stop();
  await new Promise((resolve) => log.end(resolve));
  if (code !== 0)
    throw new Error(
      `make failed (exit ${code}) after ${formatElapsed(elapsed)}; the end of ${logFile}:\n${tail(logFile, 40)}`,
    );
  const bin = workerPath(pkgDir, env);
  if (!existsSync(bin)) throw new Error(`make succeeded but ${bin} is missing`);
  writeFileSync(stampPath(pkgDir, env), `${buildHash(pkgDir, env)}\n`);
  reporter.line(
    `built mediasoup-worker (${progress.done} objects) in ${formatElapsed(elapsed)}: ${bin}`,
  );
  return bin;
}
