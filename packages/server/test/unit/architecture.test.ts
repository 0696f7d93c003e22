// The layers and the object tree, as Biome enforces them at lint time: the
// domain (media/, rtp/) never touches the wire, the signaling layer or the
// cluster; media/ is below rtp/; a child in media/ never imports its parent;
// no module imports another that imports it back (type imports included);
// and the folders depend on each other one way. This checks that the rules
// hold today and that each fires on a violation.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
const domainFiles = ['media', 'rtp'].flatMap((dir) =>
  readdirSync(join(src, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(src, dir, f)),
);

/** What each folder of src imports from the others (type imports included). */
function folderImports(): Map<string, Set<string>> {
  const folders = new Map<string, Set<string>>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      // The barrel re-exports every folder: it is the package's face, not a layer.
      else if (entry.name.endsWith('.ts') && path !== join(src, 'index.ts')) {
        const from = relative(src, dir).split(sep)[0] || '.';
        const text = readFileSync(path, 'utf8');
        for (const [, spec] of text.matchAll(/from '(\.[^']+)'/g)) {
          const to = relative(src, resolve(dir, spec!)).split(sep);
          const folder = to.length > 1 ? to[0]! : '.';
          if (folder === from) continue;
          if (!folders.has(from)) folders.set(from, new Set());
          folders.get(from)!.add(folder);
        }
      }
    }
  };
  walk(src);
  return folders;
}

/** A cycle in a dependency graph, if there is one. */
function cycleIn(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]): string[] | undefined => {
    if (state.get(node) === 'open') return [...path, node];
    if (state.get(node) === 'done') return undefined;
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) {
      const found = visit(next, [...path, node]);
      if (found) return found;
    }
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const found = visit(node, []);
    if (found) return found;
  }
  return undefined;
}

/** Lints a probe file written into src for the time of `check`. */
function probe(path: string, text: string, check: (result: ReturnType<typeof lint>) => void): void {
  const file = join(src, path);
  writeFileSync(file, text);
  try {
    check(lint(file));
  } finally {
    rmSync(file, { force: true });
  }
}

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

describe('the object tree and the layers', () => {
  it('the folders depend on each other one way: media and util at the bottom', () => {
    const folders = folderImports();
    expect(cycleIn(folders)).toBeUndefined();
    expect([...(folders.get('media') ?? [])]).toEqual(['util']);
    for (const folder of ['rtp', 'signaling', 'cluster'])
      expect([...(folders.get(folder) ?? [])].sort(), folder).toEqual(['media', 'util']);
    // Operations (metrics, webhooks) and the server command sit on top of the server.
    expect([...(folders.get('ops') ?? [])].sort()).toEqual(['.', 'media', 'signaling', 'util']);
    expect([...(folders.get('command') ?? [])].sort()).toEqual([
      '.',
      'cluster',
      'media',
      'ops',
      'signaling',
      'util',
    ]);
  });

  it('media/ importing the cluster or rtp/ is a lint error', () => {
    probe(
      'media/ArchitectureProbe.ts',
      "import type { Cluster } from '../cluster/Cluster.js';\nimport type { Recorder } from '../rtp/Recorder.js';\n\nexport type Probe = [Cluster, Recorder];\n",
      ({ status, output }) => {
        expect(status).not.toBe(0);
        expect(output).toMatch(/must not depend on the cluster/);
        expect(output).toMatch(/media\/ is below rtp\//);
      },
    );
  });

  it('a child in media/ importing its room or its peer is a lint error (types too)', () => {
    probe(
      'media/ArchitectureProbe.ts',
      "import type { Peer } from './Peer.js';\nimport type { Room } from './Room.js';\n\nexport type Probe = [Peer, Room];\n",
      ({ status, output }) => {
        expect(status).not.toBe(0);
        expect(output).toMatch(/A child of the room never imports it/);
        expect(output).toMatch(/A child of a peer never imports it/);
      },
    );
  });

  it('an import cycle is a lint error, even through type imports', () => {
    const a = join(src, 'media', 'ArchitectureProbeA.ts');
    writeFileSync(
      a,
      "import type { B } from './ArchitectureProbeB.js';\n\nexport type A = { b: B };\n",
    );
    try {
      probe(
        'media/ArchitectureProbeB.ts',
        "import type { A } from './ArchitectureProbeA.js';\n\nexport type B = { a: A };\n",
        ({ status, output }) => {
          expect(status).not.toBe(0);
          expect(output).toMatch(/noImportCycles/);
        },
      );
    } finally {
      rmSync(a, { force: true });
    }
  });

  it('the whole of src passes these rules', () => {
    expect(lint(src).status).toBe(0);
  });
});
