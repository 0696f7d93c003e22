// The layers: the domain (media/, rtp/) never touches the wire. A Biome rule
// enforces it at lint time; this checks that the rule holds today and that it
// fires on a violation.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
const domainFiles = ['media', 'rtp'].flatMap((dir) =>
  readdirSync(join(src, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(src, dir, f)),
);

function lint(file: string): { status: number | null; output: string } {
  const result = spawnSync('pnpm', ['exec', 'biome', 'lint', file], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('the domain never touches the wire', () => {
  it('no domain file imports pb, a conversion, or the signaling folder', () => {
    for (const file of domainFiles) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/import\s*\{[^}]*\bpb\b[^}]*\}\s*from '@x\/protocol'/);
      expect(text, file).not.toMatch(/(To|From)Message\b/);
      expect(text, file).not.toMatch(/from '\.\.\/signaling\//);
    }
  });

  it('the lint rule fires on a domain file that imports pb or the signaling layer', () => {
    const probe = join(src, 'media', 'ArchitectureProbe.ts');
    writeFileSync(
      probe,
      "import { pb } from '@x/protocol';\nimport { errorToMessage } from '../signaling/errors.js';\n\nexport const probe = [pb, errorToMessage];\n",
    );
    try {
      const { status, output } = lint(probe);
      expect(status).not.toBe(0);
      expect(output).toMatch(/noRestrictedImports/);
      expect(output).toMatch(/speaks domain types only/);
      expect(output).toMatch(/must not depend on the signaling layer/);
    } finally {
      rmSync(probe, { force: true });
    }
  });

  it('the same imports pass in the signaling layer', () => {
    const probe = join(src, 'signaling', 'ArchitectureProbe.ts');
    writeFileSync(
      probe,
      "import { pb } from '@x/protocol';\nimport { errorToMessage } from './errors.js';\n\nexport const probe = [pb, errorToMessage];\n",
    );
    try {
      expect(lint(probe).status).toBe(0);
    } finally {
      rmSync(probe, { force: true });
    }
  });
});
