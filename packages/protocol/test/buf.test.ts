// buf lint (STANDARD + COMMENTS: every element documented) and a
// breaking-change check of protocol/ against the last commit on main.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const buf = join(
  dirname(createRequire(import.meta.url).resolve('@bufbuild/buf/package.json')),
  'bin',
  'buf',
);

function run(args: string[]) {
  const result = spawnSync(buf, args, { cwd: repoRoot, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

function mainRef(): string {
  const hasMain =
    spawnSync('git', ['rev-parse', '--verify', '--quiet', 'refs/heads/main'], { cwd: repoRoot })
      .status === 0;
  if (hasMain) return 'branch=main';
  const remoteMain = spawnSync(
    'git',
    ['rev-parse', '--verify', '--quiet', 'refs/remotes/origin/main'],
    { cwd: repoRoot },
  );
  if (remoteMain.status === 0) return `ref=${remoteMain.stdout.toString().trim()}`;
  throw new Error(
    'no main branch to compare protocol/ with: run the tests in a clone of the repository',
  );
}

describe('buf', () => {
  it('lints protocol/ clean', () => {
    const result = run(['lint', 'protocol']);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('finds no breaking change against the last commit on main', () => {
    const result = run(['breaking', 'protocol', '--against', `.git#${mainRef()},subdir=protocol`]);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});
