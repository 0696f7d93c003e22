// The schema is the contract for every language: vectors written by
// TypeScript must read and re-encode identically in Python (protoc bindings),
// and vectors Python writes must decode in TypeScript. Needs protoc and the
// Python protobuf runtime (Debian: protobuf-compiler, python3-protobuf); the
// README's test command installs them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  encodeServerMessage,
} from '../src/index.js';
import { vectorSources } from './vector-sources.js';
import { fromJson, protocolRoot, readVectors, toJson, vectorJson, vectorsDir } from './vectors.js';

const python =
  process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const work = mkdtempSync(join(tmpdir(), 'x-cross-language-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function requireTool(command: string, args: string[], debianPackage: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed: install the Debian package ${debianPackage} (pnpm system-deps does)`,
    );
  }
}

describe('golden vectors', () => {
  it('are up to date with the schema and their sources (else: pnpm --filter @x/protocol vectors)', () => {
    const stored = new Map(readVectors(vectorsDir).map((v) => [v.name, v]));
    expect([...stored.keys()].sort()).toEqual(vectorSources.map((s) => s.name).sort());
    for (const source of vectorSources) {
      const bytes =
        source.type === 'ClientMessage'
          ? encodeClientMessage(source.message)
          : encodeServerMessage(source.message);
      const vector = stored.get(source.name)!;
      expect(Buffer.from(vector.bytes).equals(Buffer.from(bytes)), `${source.name}.bin`).toBe(true);
      expect(vectorJson(vector.type, vector.message), `${source.name}.json`).toBe(
        vectorJson(vector.type, toJson(vector.type, bytes)),
      );
    }
  });

  it('each JSON encodes to its bytes and each bytes decode with the generated code', () => {
    for (const vector of readVectors(vectorsDir)) {
      expect(
        Buffer.from(fromJson(vector.type, vector.message)).equals(Buffer.from(vector.bytes)),
        vector.name,
      ).toBe(true);
      const decode = vector.type.endsWith('ClientMessage')
        ? decodeClientMessage
        : decodeServerMessage;
      expect(() => decode(vector.bytes)).not.toThrow();
    }
  });
});

describe('Python (protoc bindings)', () => {
  const bindings = join(work, 'python');
  const pythonVectors = join(work, 'vectors');
  let output = '';

  beforeAll(() => {
    requireTool('protoc', ['--version'], 'protobuf-compiler');
    requireTool(python, ['-c', 'import google.protobuf'], 'python3-protobuf');
    execFileSync('bash', [join(protocolRoot, 'scripts/generate-python.sh'), bindings]);
    const result = spawnSync(
      python,
      [
        join(protocolRoot, 'tests/check_vectors.py'),
        '--vectors',
        vectorsDir,
        '--write',
        pythonVectors,
      ],
      { encoding: 'utf8', env: { ...process.env, PYTHONPATH: bindings } },
    );
    output = `${result.stdout}${result.stderr}`;
    console.log(output.trim());
    if (result.status !== 0) throw new Error(`check_vectors.py failed:\n${output}`);
  });

  it('decodes every TypeScript vector, matches its JSON and re-encodes the same bytes', () => {
    expect(output).toContain(
      `python: checked ${vectorSources.length} TypeScript vectors, 0 failed`,
    );
  });

  it('writes vectors that TypeScript decodes to the same message', () => {
    const vectors = readVectors(pythonVectors);
    expect(vectors.length).toBe(5);
    for (const vector of vectors) {
      expect(toJson(vector.type, vector.bytes), vector.name).toEqual(vector.message);
      const decode = vector.type.endsWith('ClientMessage')
        ? decodeClientMessage
        : decodeServerMessage;
      const message = decode(vector.bytes);
      expect(message.message).toBeDefined();
    }
    const join = decodeClientMessage(vectors.find((v) => v.name === 'py_request_join')!.bytes);
    expect(join.request?.join?.peerName).toBe('python-bot');
    expect(
      join.request?.join?.rtpCapabilities?.codecs[0]?.parameters.map((p) => [p.name, p.value]),
    ).toEqual([
      ['useinbandfec', 'numberValue'],
      ['sprop-stereo', 'stringValue'],
    ]);
  });
});
