/**
 * The worker this package builds: linked to the system OpenSSL 3 with no
 * OpenSSL of its own, from sources that patches/ still produce, and an
 * install that stops at once, naming libssl-dev, when OpenSSL 3 is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  it('links the system OpenSSL 3 (libssl.so.3, libcrypto.so.3) and carries no OpenSSL of its own', () => {
    const bin = workerBinaryPath();
    const ldd = execFileSync('ldd', [bin], { encoding: 'utf8' });
    expect(ldd).toMatch(/libssl\.so\.3 => \/\S+/);
    expect(ldd).toMatch(/libcrypto\.so\.3 => \/\S+/);
    expect(ldd).not.toMatch(/not found/);
    // A statically linked OpenSSL would leave its version text in the binary.
    const binary = readFileSync(bin).toString('latin1');
    expect(binary).not.toMatch(/OpenSSL 1\.\d\.\d/);
    expect(binary).not.toMatch(/OpenSSL 3\.\d+\.\d+/);
    // And the library it gets at run time is OpenSSL 3.
    const libcrypto = /libcrypto\.so\.3 => (\S+)/.exec(ldd)![1]!;
    expect(readFileSync(libcrypto).toString('latin1')).toMatch(/OpenSSL 3\.\d+\.\d+/);
  });

  it('is built from what patches/ produce from the mediasoup 3.8.4 tarball now', async () => {
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

  it('ships no bundled OpenSSL: worker/deps/openssl holds only the gyp file naming the system one', () => {
    expect(readdirSync(join(pkgDir, 'worker/deps/openssl'))).toEqual(['openssl.gyp']);
    expect(readFileSync(join(pkgDir, 'worker/deps/openssl/openssl.gyp'), 'utf8')).toMatch(
      /'libraries': \[ '-lssl', '-lcrypto' \]/,
    );
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
    expect(missing.message).toMatch(/libssl-dev/);
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
