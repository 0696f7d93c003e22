// The test nodes drain with the server README's SIGTERM snippet as written:
// if the README changes, the tests run what users copy, or this fails.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('the server README', () => {
  it('SIGTERM snippet is the one the test nodes run, verbatim', () => {
    const readme = read('../../../packages/server/README.md');
    const snippet = readme.match(/^process\.once\('SIGTERM'[\s\S]*?^\}\);$/m)?.[0];
    expect(snippet, 'the README has a SIGTERM snippet').toBeDefined();
    expect(snippet).toContain('drain(');
    expect(read('../src/node.ts')).toContain(snippet!);
  });
});
