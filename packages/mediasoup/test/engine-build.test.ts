/**
 * The worker this package builds: built with meson and linked dynamically to
 * the system's OpenSSL 3, libuv, libsrtp2, usrsctp and abseil, with no copy
 * of its own, from sources that patches/ still produce; and an install that
 * stops at once, naming each missing Debian package.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertWorkerBinary,
  WorkerBinaryMissingError,
  workerBinaryPath,
} from '../src/workerBinary.js';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'x-mediasoup-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the worker binary', () => {
  it('links the system OpenSSL 3, libuv, libsrtp2, usrsctp and abseil dynamically, with no OpenSSL of its own', () => {
    const bin = workerBinaryPath();
    const ldd = execFileSync('ldd', [bin], { encoding: 'utf8' });
    for (const lib of [
      /libssl\.so\.3 => \/\S+/,
      /libcrypto\.so\.3 => \/\S+/,
      /libuv\.so\.1 => \/\S+/,
      /libsrtp2\.so\.1 => \/\S+/,
      /libusrsctp\.so\.\d+ => \/\S+/,
      /libabsl_raw_hash_set\.so\.\S+ => \/\S+/,
    ])
      expect(ldd).toMatch(lib);
    expect(ldd).not.toMatch(/not found/);
    // A statically linked OpenSSL would leave its version text in the binary.
    const binary = readFileSync(bin).toString('latin1');
    expect(binary).not.toMatch(/OpenSSL 1\.\d\.\d/);
    expect(binary).not.toMatch(/OpenSSL 3\.\d+\.\d+/);
    // And the library it gets at run time is OpenSSL 3.
    const libcrypto = /libcrypto\.so\.3 => (\S+)/.exec(ldd)![1]!;
    expect(readFileSync(libcrypto).toString('latin1')).toMatch(/OpenSSL 3\.\d+\.\d+/);
  });

  it('is built from what patches/ produce from the mediasoup 3.12.16 tarball now', async () => {
    // @ts-expect-error: a plain script, without declarations
    const { vendor, isVendored } = (await import('../scripts/vendor.mjs')) as {
      vendor(out: string): { hash: string };
      isVendored(dir: string): boolean;
    };
    // @ts-expect-error: a plain script, without declarations
    const { buildHash, isBuilt } = (await import('../scripts/build/worker.mjs')) as {
      buildHash(dir: string): string;
      isBuilt(dir: string): boolean;
    };
    expect(isVendored(pkgDir), 'lib/ and worker/ are stale: run pnpm install').toBe(true);
    expect(isBuilt(pkgDir), 'the worker is stale: run pnpm install').toBe(true);
    const fresh = join(scratch, 'vendored');
    const manifest = vendor(fresh);
    expect(manifest.hash).toBe(JSON.parse(readFileSync(join(pkgDir, 'vendor.json'), 'utf8')).hash);
    expect(buildHash(fresh)).toBe(buildHash(pkgDir));
  });

  it('ships no meson subprojects, so nothing can be downloaded: meson.build takes every library from the system', () => {
    expect(
      readdirSync(join(pkgDir, 'worker'))
        .filter((f) => f !== 'out')
        .sort(),
    ).toEqual(['deps', 'include', 'meson.build', 'meson_options.txt', 'src', 'test']);
    expect(readdirSync(join(pkgDir, 'worker/deps'))).toEqual(['libwebrtc']);
    const meson = readFileSync(join(pkgDir, 'worker/meson.build'), 'utf8');
    expect(meson).toContain("dependency('openssl', version: '>= 3.0.0')");
    for (const lib of ['libuv', 'libsrtp2', 'usrsctp', 'nlohmann_json', 'absl_flat_hash_map'])
      expect(meson).toContain(`dependency('${lib}'`);
    // Only the Windows-only getopt is still a subproject (never evaluated on Linux).
    expect([...meson.matchAll(/subproject\(\s*'([^']+)'/g)].map((m) => m[1])).toEqual([
      'wingetopt',
    ]);
  });
});

describe('the install', () => {
  function install(env: Record<string, string>) {
    const started = Date.now();
    const run = spawnSync(process.execPath, [join(pkgDir, 'scripts/install.mjs'), '--force'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    return { ...run, ms: Date.now() - started, output: `${run.stdout}${run.stderr}` };
  }

  it('stops at once naming libssl-dev when the OpenSSL headers are missing', () => {
    // The compiler sees no system headers at all: as on a machine without libssl-dev.
    const run = install({ CXX: 'g++ -nostdinc' });
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/OpenSSL 3 development headers are missing/);
    expect(run.output).toMatch(/apt-get install .*libssl-dev/);
    expect(run.output).not.toMatch(/compiling mediasoup-worker/);
    expect(run.ms).toBeLessThan(15_000);
  });

  it('stops at once naming each Debian package whose library pkg-config does not find', () => {
    // pkg-config finds no .pc file at all: as on a machine without any of the -dev packages.
    const empty = join(scratch, 'no-pc');
    mkdirSync(empty, { recursive: true });
    const run = install({ PKG_CONFIG_LIBDIR: empty, PKG_CONFIG_PATH: '' });
    expect(run.status).toBe(1);
    const line = /apt-get install (.*)/.exec(run.output)?.[1]?.split(' ') ?? [];
    expect(line.sort()).toEqual(
      [
        'libssl-dev',
        'libuv1-dev',
        'libsrtp2-dev',
        'libusrsctp-dev',
        'libabsl-dev',
        'nlohmann-json3-dev',
      ].sort(),
    );
    expect(run.output).toMatch(/libuv development files are missing \(pkg-config: libuv\)/);
    expect(run.output).not.toMatch(/compiling mediasoup-worker/);
    expect(run.ms).toBeLessThan(15_000);
  });

  it('stops at once naming meson and ninja-build when they are not installed', () => {
    // A PATH with everything of /usr/bin and /bin but meson and ninja.
    const bin = join(scratch, 'bin');
    mkdirSync(bin, { recursive: true });
    for (const dir of ['/usr/local/bin', '/usr/bin', '/bin'])
      for (const name of readdirSync(dir)) {
        if (name === 'meson' || name === 'ninja') continue;
        try {
          symlinkSync(join(dir, name), join(bin, name));
        } catch {
          // the same name from an earlier folder wins, as in PATH
        }
      }
    const run = install({ PATH: bin });
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/meson is not installed/);
    expect(run.output).toMatch(/ninja is not installed/);
    expect(run.output).toMatch(/apt-get install meson ninja-build$/m);
    expect(run.output).not.toMatch(/compiling mediasoup-worker/);
  });

  it('refuses OpenSSL headers older than 3, naming libssl-dev', () => {
    const include = join(scratch, 'old-openssl');
    mkdirSync(join(include, 'openssl'), { recursive: true });
    writeFileSync(
      join(include, 'openssl/opensslv.h'),
      '#define OPENSSL_VERSION_NUMBER 0x101010bfL\n#define OPENSSL_VERSION_TEXT "OpenSSL 1.1.1k  25 Mar 2021"\n',
    );
    const run = install({ CXX: `g++ -isystem ${include}` });
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/too old \(OpenSSL 1\.1\.1k/);
    expect(run.output).toMatch(/apt-get install .*libssl-dev/);
  });
});

describe('a missing worker binary', () => {
  it('is a WorkerBinaryMissingError that says how to build it', () => {
    const error = (() => {
      try {
        assertWorkerBinary({ MEDIASOUP_BUILDTYPE: 'Debug' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(WorkerBinaryMissingError);
    const missing = error as WorkerBinaryMissingError;
    expect(missing.code).toBe('ERR_MEDIASOUP_WORKER_MISSING');
    expect(missing.path).toMatch(/worker\/out\/Debug\/mediasoup-worker$/);
    expect(missing.message).toContain(`node ${join(pkgDir, 'scripts/install.mjs')}`);
    expect(missing.message).toMatch(/npm rebuild @x\/mediasoup/);
    expect(missing.message).toMatch(/allowBuilds/);
    expect(missing.message).toMatch(/meson, ninja-build, .*libssl-dev/s);
  });

  it('names MEDIASOUP_WORKER_BIN when that is what points nowhere', () => {
    expect(() => assertWorkerBinary({ MEDIASOUP_WORKER_BIN: join(scratch, 'nothing') })).toThrow(
      /MEDIASOUP_WORKER_BIN is set to .*nothing, which is not there/,
    );
  });
});

describe('the license', () => {
  it("keeps mediasoup's ISC notice word for word", () => {
    const stock = dirname(
      createRequire(join(pkgDir, 'package.json')).resolve('mediasoup/package.json'),
    );
    const isc = readFileSync(join(stock, 'LICENSE'), 'utf8').trim();
    expect(readFileSync(join(pkgDir, 'LICENSE'), 'utf8')).toContain(isc);
  });
});
