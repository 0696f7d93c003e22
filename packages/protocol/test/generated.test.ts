import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(pkgDir, 'scripts/generate.mjs');
const copy = mkdtempSync(join(tmpdir(), 'x-generated-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

function check(dir?: string) {
  return spawnSync(process.execPath, [script, '--check', ...(dir ? ['--out-dir', dir] : [])], {
    encoding: 'utf8',
  });
}

describe('generated code', () => {
  it('src/generated matches protocol/*.proto (fails when stale: rebuild)', () => {
    const result = check();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('the check fails when a generated file was edited by hand', () => {
    cpSync(join(pkgDir, 'src/generated'), copy, { recursive: true });
    expect(check(copy).status).toBe(0);
    const file = join(copy, 'signaling.js');
    writeFileSync(file, readFileSync(file, 'utf8').replace('MEDIA_KIND_VIDEO', 'MEDIA_KIND_VIDE0'));
    const result = check(copy);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('stale or edited by hand');
  });

  it('the header records the hash of the .proto files it came from', () => {
    const head = readFileSync(join(pkgDir, 'src/generated/signaling.js'), 'utf8')
      .split('\n')
      .slice(0, 2)
      .join('\n');
    expect(head).toMatch(/sha256 [0-9a-f]{64}/);
    expect(
      execFileSync('git', ['check-ignore', 'src/generated/signaling.js'], {
        cwd: pkgDir,
        encoding: 'utf8',
      }).trim(),
    ).toBe('src/generated/signaling.js');
  });
});
