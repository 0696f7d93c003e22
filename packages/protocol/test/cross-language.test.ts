// The schema is the contract for every language: vectors written by
// TypeScript must read and re-encode identically in Python (protoc bindings)
// and Go (bindings/go checks them in its own `go test`), and vectors Python
// and Go write must decode in TypeScript (and Go's in Python too). Needs
// protoc, the Python protobuf runtime and Go with Debian's Go protobuf
// (Debian: protobuf-compiler, python3-protobuf, golang-go,
// golang-google-protobuf-dev); the README's test command installs them.
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
  errorCodeName,
  jsonFromMessage,
  PROTOCOL_VERSION,
  plainRtpParametersFromMessage,
  rtpCapabilitiesFromMessage,
  statsListFromMessage,
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

describe('Go (protoc-gen-go bindings, bindings/go)', () => {
  const goModule = join(protocolRoot, '../bindings/go');
  const goVectors = join(work, 'go-vectors');
  const pythonBindings = join(work, 'python-for-go');

  beforeAll(() => {
    requireTool('go', ['version'], 'golang-go');
    const written = spawnSync(
      'bash',
      ['scripts/go.sh', 'run', './internal/cmd/write-vectors', '-out', goVectors],
      {
        cwd: goModule,
        encoding: 'utf8',
      },
    );
    console.log(`${written.stdout}${written.stderr}`.trim());
    if (written.status !== 0) throw new Error(`go run write-vectors failed:\n${written.stderr}`);
  });

  it('writes vectors that TypeScript decodes to the same message', () => {
    const vectors = readVectors(goVectors);
    expect(vectors.map((v) => v.name)).toEqual([
      'go_notification_producer_stats',
      'go_notification_update_transport',
      'go_request_create_plain_transport',
      'go_request_join',
      'go_response_error',
      'go_response_join',
    ]);
    for (const vector of vectors) {
      expect(toJson(vector.type, vector.bytes), vector.name).toEqual(vector.message);
      expect(
        Buffer.from(fromJson(vector.type, vector.message)).equals(Buffer.from(vector.bytes)),
      ).toBe(true);
      const decode = vector.type.endsWith('ClientMessage')
        ? decodeClientMessage
        : decodeServerMessage;
      expect(decode(vector.bytes).message, vector.name).toBeDefined();
    }
    const bytes = (name: string) => vectors.find((v) => v.name === name)!.bytes;

    const join = decodeClientMessage(bytes('go_request_join')).request!.join!;
    expect(join.peerName).toBe('gopher');
    expect(join.protocolVersion).toBe(PROTOCOL_VERSION);
    expect(jsonFromMessage(join.appData)).toEqual({
      lang: 'go',
      zero: 0,
      max_safe_integer: Number.MAX_SAFE_INTEGER,
      negative: -0.5,
      text: 'ünïcödé ☃ "quoted"\n',
      nested: { empty: {}, list: [] },
    });
    expect(rtpCapabilitiesFromMessage(join.rtpCapabilities).codecs?.[0]).toMatchObject({
      mimeType: 'video/VP8',
      preferredPayloadType: 101,
      parameters: { 'x-google-start-bitrate': 1000, 'go-extra': [1, 'two', null] },
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
    });

    const plain = decodeClientMessage(bytes('go_request_create_plain_transport')).request!
      .createTransport!;
    expect(plain.id).toBe(4294967295);
    // proto3 `optional`: a zero Go set is present, not absent.
    expect(plainRtpParametersFromMessage(plain.plainRtpParameters, 'p')).toEqual({
      ip: '127.0.0.1',
      ipVersion: 4,
      port: 50000,
      rtcpPort: 0,
    });

    const stats = decodeServerMessage(bytes('go_notification_producer_stats')).notification!
      .producerStats!;
    expect(statsListFromMessage(stats.stats)[0]).toMatchObject({
      type: 'inbound-rtp',
      timestamp: 1732212345678.5,
      ssrc: 1111,
      fractionLost: 0.125,
      byteCount: 4.5e9,
      bitrate: 1e-7,
      score: 0,
      bitrateByLayer: { '0.0': 100000, '0.1': 250000 },
      rtpPacketLossSent: 0.5,
      rtcpMux: false,
      tuple: { localIp: '127.0.0.1', localPort: 42001, remotePort: 50000, protocol: 'udp' },
    });

    const error = decodeServerMessage(bytes('go_response_error')).response!.error!;
    expect([errorCodeName(error.code), error.message, error.field]).toEqual([
      'FORBIDDEN',
      'this token cannot publish',
      'token',
    ]);
  });

  it('writes vectors that Python decodes, matches to their JSON and re-encodes the same bytes', () => {
    requireTool(python, ['-c', 'import google.protobuf'], 'python3-protobuf');
    execFileSync('bash', [join(protocolRoot, 'scripts/generate-python.sh'), pythonBindings]);
    const result = spawnSync(
      python,
      [join(protocolRoot, 'tests/check_vectors.py'), '--vectors', goVectors, '--label', 'Go'],
      { encoding: 'utf8', env: { ...process.env, PYTHONPATH: pythonBindings } },
    );
    const output = `${result.stdout}${result.stderr}`;
    expect(output.trim()).toBe('python: checked 6 Go vectors, 0 failed');
    expect(result.status).toBe(0);
  });
});
