/**
 * mediasoup's own C++ tests (worker/test: Catch2), built by meson as the
 * `mediasoup-worker-test` target against the same system libraries as the
 * worker (patches/0001, with -Dtests=true and Debian's Catch2 2.13) and run
 * from worker/, as mediasoup's Makefile runs them.
 *
 * Every test case must pass, except the sections listed in
 * KNOWN_CPP_FAILURES (helpers/mediasoup-suites.ts) with the reason (also in
 * the README), which must fail with the known message; a known failure that
 * starts passing fails this file too. A missing system package (catch2, or any of the worker's) fails the
 * build step at once, naming it: nothing is skipped.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CatchTestCase,
  KNOWN_CPP_FAILURES,
  parseCatchXml,
} from './helpers/mediasoup-suites.js';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

let cases: CatchTestCase[] = [];
let totals: { successes: number; failures: number } | undefined;
let listed: string[] = [];
let raw = '';

beforeAll(async () => {
  // @ts-expect-error: a plain script, without declarations
  const { preflight, preflightMessage } = (await import('../scripts/build/preflight.mjs')) as {
    preflight(
      env: NodeJS.ProcessEnv,
      o: { tests: boolean },
    ): { problems: string[]; packages: string[] };
    preflightMessage(check: { problems: string[]; packages: string[] }): string;
  };
  // @ts-expect-error: a plain script, without declarations
  const { buildWorker } = (await import('../scripts/build/worker.mjs')) as {
    buildWorker(
      dir: string,
      reporter: { line(t: string): void },
      env: NodeJS.ProcessEnv,
      o: { tests: boolean },
    ): Promise<string>;
  };
  const check = preflight(process.env, { tests: true });
  if (check.problems.length > 0) throw new Error(preflightMessage(check));
  const started = Date.now();
  const bin = await buildWorker(
    pkgDir,
    { line: (t: string) => console.log(`@x/mediasoup: ${t}`) },
    process.env,
    { tests: true },
  );
  console.log(`mediasoup-worker-test ready in ${Math.round((Date.now() - started) / 1000)} s`);
  const cwd = join(pkgDir, 'worker');
  const list = spawnSync(bin, ['--list-test-names-only'], { cwd, encoding: 'utf8' });
  listed = list.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const run = spawnSync(bin, ['-r', 'xml', '--invisibles'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 10 * 60_000,
  });
  raw = run.stdout;
  ({ cases, totals } = parseCatchXml(raw));
  const failed = cases.filter((c) => !c.success).map((c) => c.name);
  console.log(
    `mediasoup C++ tests: ${cases.length - failed.length}/${cases.length} test cases passed${failed.length ? `; failed: ${failed.join(', ')}` : ''}`,
  );
}, 45 * 60_000);

describe("mediasoup 3.12.16's C++ tests (worker/test, Catch2) built by meson against the system libraries", () => {
  it('ran every test case it has (none skipped or hidden)', () => {
    expect(listed.length).toBeGreaterThanOrEqual(49);
    expect(cases.map((c) => c.name).sort()).toEqual([...listed].sort());
    expect(totals, raw.slice(-2000)).toBeDefined();
    expect(totals!.successes + totals!.failures).toBe(cases.length);
  });

  it('passes every test case but the known failures', () => {
    const failed = cases.filter((c) => !c.success);
    const unexpected = failed.filter((c) => !(c.name in KNOWN_CPP_FAILURES));
    expect(
      unexpected.map((c) => `${c.name}: ${JSON.stringify(c.failures).slice(0, 1500)}`),
    ).toEqual([]);
    const names = new Set(failed.map((c) => c.name));
    expect(
      Object.keys(KNOWN_CPP_FAILURES).filter((n) => !names.has(n)),
      'known failures that no longer fail',
    ).toEqual([]);
  });

  it('fails the known test cases only in the known sections, for the known reason', () => {
    for (const [name, known] of Object.entries(KNOWN_CPP_FAILURES)) {
      const testCase = cases.find((c) => c.name === name);
      expect(testCase, name).toBeDefined();
      expect(testCase!.failures.map((f) => f.section).sort(), name).toEqual(
        [...known.sections].sort(),
      );
      for (const failure of testCase!.failures) expect(failure.message, name).toBe(known.message);
    }
  });
});
