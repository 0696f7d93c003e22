import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's folder (dist/ and src/ are both one level down). */
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * The mediasoup-worker binary that {@link createWorker} starts: the one named
 * by `MEDIASOUP_WORKER_BIN`, or the one this package built at install
 * (`worker/out/Release/mediasoup-worker`, or `Debug` with
 * `MEDIASOUP_BUILDTYPE=Debug`).
 */
export function workerBinaryPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MEDIASOUP_WORKER_BIN) return env.MEDIASOUP_WORKER_BIN;
  const type = env.MEDIASOUP_BUILDTYPE === 'Debug' ? 'Debug' : 'Release';
  return join(packageDir, 'worker', 'out', type, 'mediasoup-worker');
}

/**
 * The worker binary is missing (or not executable): the install script that
 * builds it did not run, or `MEDIASOUP_WORKER_BIN` names nothing usable. The
 * message says how to build it.
 */
export class WorkerBinaryMissingError extends Error {
  /** Always `ERR_MEDIASOUP_WORKER_MISSING`. */
  readonly code = 'ERR_MEDIASOUP_WORKER_MISSING';
  /** The path that was looked for. */
  readonly path: string;

  constructor(path: string, message: string) {
    super(message);
    this.name = 'WorkerBinaryMissingError';
    this.path = path;
  }
}

function usable(path: string): 'ok' | 'missing' | 'not executable' {
  if (!existsSync(path)) return 'missing';
  try {
    accessSync(path, constants.X_OK);
    return 'ok';
  } catch {
    return 'not executable';
  }
}

/** Throws {@link WorkerBinaryMissingError} unless the worker binary can be started. */
export function assertWorkerBinary(env: NodeJS.ProcessEnv = process.env): string {
  const path = workerBinaryPath(env);
  const state = usable(path);
  if (state === 'ok') return path;
  if (env.MEDIASOUP_WORKER_BIN)
    throw new WorkerBinaryMissingError(
      path,
      `MEDIASOUP_WORKER_BIN is set to ${path}, which is ${state === 'missing' ? 'not there' : 'not executable'}. ` +
        'Point it at a built mediasoup-worker, or unset it to use the one @x/mediasoup builds.',
    );
  const install = join(packageDir, 'scripts', 'install.mjs');
  throw new WorkerBinaryMissingError(
    path,
    [
      `mediasoup-worker is not built: ${path} is ${state === 'missing' ? 'not there' : 'not executable'}.`,
      '@x/mediasoup compiles it when it is installed, and that step did not run: the install used',
      '--ignore-scripts, or pnpm skipped it (pnpm runs only the builds listed under allowBuilds).',
      'Build it now (takes a few minutes; needs meson, ninja-build, pkg-config, g++, libssl-dev,',
      'libuv1-dev, libsrtp2-dev, libusrsctp-dev, libabsl-dev and nlohmann-json3-dev):',
      `  node ${install}`,
      'or: npm rebuild @x/mediasoup; with pnpm, add `"@x/mediasoup": true` under allowBuilds in',
      'pnpm-workspace.yaml, then pnpm rebuild @x/mediasoup.',
      'Or set MEDIASOUP_WORKER_BIN to a mediasoup-worker built elsewhere.',
    ].join('\n'),
  );
}
