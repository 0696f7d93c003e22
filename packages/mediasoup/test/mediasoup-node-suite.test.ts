/**
 * mediasoup's own Node test suites, against the worker this package built.
 *
 * They are the compiled tests of mediasoup's npm tarball (node/lib/tests,
 * vendored to lib/tests, not published), run with jest 29 as mediasoup runs
 * them (`describe`/`test`/`expect`/`jest.fn`), one file after another
 * (--runInBand: they open fixed UDP/TCP ports), with MEDIASOUP_WORKER_BIN
 * naming this package's worker. They `require('../')`: the vendored lib/.
 *
 * Every test must pass, except the ones listed in KNOWN_NODE_FAILURES
 * (helpers/mediasoup-suites.ts; none) with the reason (also in the README); a known failure that starts passing fails
 * this file too, so that the list and the README stay true. A skipped or
 * never-run test fails it as well.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertWorkerBinary } from '../src/workerBinary.js';
import { KNOWN_NODE_FAILURES } from './helpers/mediasoup-suites.js';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const testsDir = join(pkgDir, 'lib', 'tests');
const scratch = mkdtempSync(join(tmpdir(), 'x-mediasoup-node-suite-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Assertion = {
  fullName: string;
  status: 'passed' | 'failed' | 'pending' | 'skipped' | 'todo' | 'disabled';
  failureMessages: string[];
};
type SuiteResult = {
  name: string;
  status: string;
  message: string;
  assertionResults: Assertion[];
};
type JestReport = {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numRuntimeErrorTestSuites: number;
  testResults: SuiteResult[];
};

const suiteFiles = existsSync(testsDir)
  ? readdirSync(testsDir)
      .filter((f) => /^test-.*\.js$/.test(f))
      .sort()
  : [];

/**
 * The DTLS certificate and key that test-Worker.js passes to createWorker()
 * (lib/tests/data/): mediasoup's repository has them, its npm tarball does
 * not. A fresh self-signed ECDSA P-256 pair, as a WebRTC endpoint would use.
 */
function makeDtlsCertificate() {
  const data = join(testsDir, 'data');
  if (existsSync(join(data, 'dtls-cert.pem')) && existsSync(join(data, 'dtls-key.pem'))) return;
  mkdirSync(data, { recursive: true });
  const run = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '3650',
      '-subj',
      '/CN=mediasoup-test',
      '-keyout',
      join(data, 'dtls-key.pem'),
      '-out',
      join(data, 'dtls-cert.pem'),
    ],
    { encoding: 'utf8' },
  );
  if (run.error || run.status !== 0)
    throw new Error(
      `cannot make the DTLS certificate of test-Worker.js with the openssl command (Debian/Ubuntu: apt-get install openssl): ${run.error ?? run.stderr}`,
    );
}

let report: JestReport;
let output = '';

beforeAll(() => {
  expect(suiteFiles.length, `mediasoup's Node tests in ${testsDir}: run pnpm install`).toBe(17);
  const worker = assertWorkerBinary();
  makeDtlsCertificate();
  const jest = join(
    dirname(createRequire(join(pkgDir, 'package.json')).resolve('jest/package.json')),
    'bin/jest.js',
  );
  const outFile = join(scratch, 'jest.json');
  const config = {
    rootDir: testsDir,
    testEnvironment: 'node',
    testRegex: 'test-.*\\.js$',
    // Compiled CommonJS already: nothing to transform.
    transform: {},
    cacheDirectory: join(scratch, 'jest-cache'),
  };
  const started = Date.now();
  const run = spawnSync(
    process.execPath,
    [
      jest,
      '--config',
      JSON.stringify(config),
      '--runInBand',
      '--ci',
      '--json',
      '--outputFile',
      outFile,
    ],
    {
      cwd: pkgDir,
      env: { ...process.env, MEDIASOUP_WORKER_BIN: worker, DEBUG: '' },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: 15 * 60_000,
    },
  );
  output = `${run.stdout}${run.stderr}`;
  expect(existsSync(outFile), `jest wrote no report:\n${output.slice(-4000)}`).toBe(true);
  report = JSON.parse(readFileSync(outFile, 'utf8')) as JestReport;
  console.log(
    `mediasoup ${suiteFiles.length} Node test files: ${report.numPassedTests}/${report.numTotalTests} passed, ${report.numFailedTests} failed, in ${Math.round((Date.now() - started) / 1000)} s`,
  );
}, 20 * 60_000);

describe("mediasoup 3.12.16's Node test suites (lib/tests, jest) against this package's worker", () => {
  it('ran every test: none skipped, none left out, no file that failed to load', () => {
    expect(report.numPendingTests + report.numTodoTests).toBe(0);
    expect(report.numRuntimeErrorTestSuites, output.slice(-4000)).toBe(0);
    expect(report.testResults.map((r) => r.name.split('/').pop()).sort()).toEqual(suiteFiles);
    expect(report.numTotalTests).toBeGreaterThanOrEqual(150);
  });

  it.each(suiteFiles)('%s: every test passes but the known failures', (file) => {
    const result = report.testResults.find((r) => r.name.endsWith(`/${file}`));
    expect(result, `${file} did not run`).toBeDefined();
    const known = KNOWN_NODE_FAILURES[file] ?? {};
    const failed = result!.assertionResults.filter((a) => a.status === 'failed');
    const unexpected = failed.filter((a) => !(a.fullName in known));
    expect(
      unexpected.map((a) => `${a.fullName}\n${a.failureMessages.join('\n').slice(0, 2000)}`),
      `${file}: tests that fail`,
    ).toEqual([]);
    // A known failure that passes now: take it off the list and the README.
    const names = new Set(failed.map((a) => a.fullName));
    expect(
      Object.keys(known).filter((n) => !names.has(n)),
      `${file}: known failures that no longer fail`,
    ).toEqual([]);
    expect(
      result!.assertionResults.every((a) => a.status === 'passed' || a.status === 'failed'),
    ).toBe(true);
    if (failed.length === 0) expect(result!.message).toBe('');
  });
});
