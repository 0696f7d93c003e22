/**
 * The install path of a user: the published packages packed with `pnpm pack`,
 * installed with npm (empty cache) into a scratch project outside this
 * repository, which so has no access to its patches/ or node_modules. The
 * install compiles the worker (that is the path under test), printing
 * progress; then a server and two clients run from the installed packages.
 * A second project installed with --ignore-scripts gets a clear error
 * instead of a worker.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const PUBLISHED = ['mediasoup', 'protocol', 'server', 'client', 'node'];
const scratch = mkdtempSync(join(tmpdir(), 'x-consumer-'));
const packs = join(scratch, 'packs');
const cache = join(scratch, 'npm-cache');

/** The environment of a user's shell: nothing of pnpm's or this run's npm config. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|MEDIASOUP_|NODE_OPTIONS$|VITEST|TURBO_)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, npm_config_cache: cache, npm_config_update_notifier: 'false' };
}

function project(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `x-consumer-${name}`, private: true, type: 'module' }, null, 2)}\n`,
  );
  return dir;
}

const tarballs = () => readdirSync(packs).map((f) => join(packs, f));

function npmInstall(dir: string, extra: string[]) {
  const started = Date.now();
  const run = spawnSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      // A registry connection that stalls is dropped and tried again, not waited on for minutes.
      '--fetch-timeout=60000',
      '--fetch-retries=4',
      ...extra,
      ...tarballs(),
      'ws@^8',
      'fake-mediastreamtrack@^2',
      'mediasoup-client@^3.24.1',
    ],
    { cwd: dir, env: userEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return { ...run, ms: Date.now() - started, output: `${run.stdout}${run.stderr}` };
}

function seconds(elapsed: string): number {
  const m = /^(?:(\d+)m)?(\d+)s$/.exec(elapsed);
  if (!m) throw new Error(`not an elapsed time: ${elapsed}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2]);
}

const minutes = (ms: number) =>
  `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;

beforeAll(() => {
  mkdirSync(packs);
  for (const name of PUBLISHED) {
    execFileSync('npx', ['-y', 'pnpm@12.21.0', 'pack', '--pack-destination', packs], {
      cwd: join(repo, 'packages', name),
      env: { ...process.env, npm_config_update_notifier: 'false' },
      stdio: 'ignore',
    });
  }
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the packed packages', () => {
  it('are the five published ones, with workspace: ranges rewritten and no build output', () => {
    expect(
      tarballs()
        .map((t) => t.split('/').pop())
        .sort(),
    ).toEqual([
      'x-client-0.1.0.tgz',
      'x-mediasoup-0.1.0.tgz',
      'x-node-0.1.0.tgz',
      'x-protocol-0.1.0.tgz',
      'x-server-0.1.0.tgz',
    ]);
    const files = (tgz: string) =>
      execFileSync('tar', ['tzf', tgz], { encoding: 'utf8' }).split('\n');
    const mediasoup = files(join(packs, 'x-mediasoup-0.1.0.tgz'));
    expect(mediasoup).toContain('package/worker/src/RTC/DtlsTransport.cpp');
    expect(mediasoup).toContain('package/LICENSE');
    expect(
      mediasoup.filter((f) =>
        /worker\/out\/|__pycache__|\/patches\/|deps\/openssl\/openssl\//.test(f),
      ),
    ).toEqual([]);
    for (const name of PUBLISHED) {
      const manifest = execFileSync(
        'tar',
        ['xzf', join(packs, `x-${name}-0.1.0.tgz`), '-O', 'package/package.json'],
        { encoding: 'utf8' },
      );
      expect(manifest, name).not.toMatch(/workspace:/);
      expect(files(join(packs, `x-${name}-0.1.0.tgz`)), name).toContain('package/LICENSE');
    }
  });
});

describe('npm install into an empty project', () => {
  let app: string;
  let install: ReturnType<typeof npmInstall>;

  beforeAll(() => {
    app = project('app');
    // --foreground-scripts: npm shows the install script's output (as in CI logs).
    install = npmInstall(app, ['--foreground-scripts']);
    console.log(
      `consumer install (npm, empty cache, worker compile included): ${minutes(install.ms)}`,
    );
  });

  it('compiles the worker against the system OpenSSL 3, printing progress at least every 15 s', () => {
    expect(install.status, install.output.slice(-4000)).toBe(0);
    const progress = [
      ...install.output.matchAll(
        /compiling mediasoup-worker: \d+\/\d+ objects \(\d+%\), ((?:\d+m)?\d+s)/g,
      ),
    ].map((m) => seconds(m[1]!));
    const built = /built mediasoup-worker \((\d+) objects\) in ((?:\d+m)?\d+s)/.exec(
      install.output,
    );
    expect(built, "the build's last line").not.toBeNull();
    const times = [0, ...progress, seconds(built![2]!)];
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(progress.length).toBeGreaterThan(3);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(15);
    console.log(`worker compile in the consumer install: ${built![2]} (${built![1]} objects)`);

    const worker = join(app, 'node_modules/@x/mediasoup/worker/out/Release/mediasoup-worker');
    expect(execFileSync('ldd', [worker], { encoding: 'utf8' })).toMatch(/libssl\.so\.3 => \//);
  });

  it("ships the .proto schema in @x/protocol, identical to the repository's", () => {
    const shipped = join(app, 'node_modules/@x/protocol/proto/x/signaling/v1');
    const source = join(repo, 'protocol/x/signaling/v1');
    const protos = readdirSync(source)
      .filter((f) => f.endsWith('.proto'))
      .sort();
    expect(readdirSync(shipped).sort()).toEqual(protos);
    for (const file of protos)
      expect(readFileSync(join(shipped, file), 'utf8'), file).toBe(
        readFileSync(join(source, file), 'utf8'),
      );
  });

  it('runs a server and WebSocket endpoint, and two @x/client rooms join it from Node', () => {
    copyFileSync(join(here, '../fixtures/app.mjs'), join(app, 'app.mjs'));
    const run = spawnSync(process.execPath, ['app.mjs'], {
      cwd: app,
      env: userEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(result).toEqual({
      joined: ['alice', 'bob'],
      peersSeenByBob: ['alice'],
      consumerKind: 'audio',
      trackKind: 'audio',
      workerBinary: join(app, 'node_modules/@x/mediasoup/worker/out/Release/mediasoup-worker'),
      serverCjs: 'function',
    });
  });
});

describe('@x/node from npm: bots on libwebrtc', () => {
  it('installs libwebrtc with no build step, and a bot hears another bot’s 440 Hz tone', () => {
    const app = join(scratch, 'app');
    // Installed with the others (first project): its binary came as an npm package.
    expect(existsSync(join(app, 'node_modules/@roamhq/wrtc-linux-x64'))).toBe(true);
    copyFileSync(join(here, '../fixtures/bots.mjs'), join(app, 'bots.mjs'));
    const run = spawnSync(process.execPath, ['bots.mjs'], {
      cwd: app,
      env: userEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
    console.log(`a bot installed from the packed tarballs hears ${result.frequency} Hz (sent 440)`);
    expect(result.consumerKind).toBe('audio');
    expect(Math.abs(result.frequency - 440)).toBeLessThanOrEqual(10);
  });
});

describe('npm install --ignore-scripts', () => {
  it('leaves no worker, and starting a server says how to build it', () => {
    const dir = project('no-scripts');
    // The same packages as the first project's, whose install filled the cache.
    const install = npmInstall(dir, ['--ignore-scripts', '--prefer-offline']);
    expect(install.status, install.output.slice(-4000)).toBe(0);
    expect(existsSync(join(dir, 'node_modules/@x/mediasoup/worker/out'))).toBe(false);
    copyFileSync(join(here, '../fixtures/no-worker.mjs'), join(dir, 'no-worker.mjs'));
    const run = spawnSync(process.execPath, ['no-worker.mjs'], {
      cwd: dir,
      env: userEnv(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(result.name).toBe('WorkerBinaryMissingError');
    expect(result.code).toBe('ERR_MEDIASOUP_WORKER_MISSING');
    expect(result.message).toContain(
      `node ${join(dir, 'node_modules/@x/mediasoup/scripts/install.mjs')}`,
    );
    expect(result.message).not.toMatch(/ENOENT/);
  });
});
