// The generated decoders keep track of the oneof member they set instead of
// calling protobufjs's oneof setter (scripts/oneof-decoders.mjs). This test
// generates pbjs's stock code beside them and checks that both decode every
// golden vector and thousands of randomized messages of every type to the same
// result: same classes, same own properties in the same order (unknown fields
// included), same values; and that they fail alike on truncated input.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../src/index.js';
import { readVectors, reflection, vectorsDir } from './vectors.js';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Decoder {
  decode(bytes: Uint8Array): unknown;
}
type Namespace = Record<string, Decoder>;

// The stock code goes below the package's node_modules so that its
// `protobufjs/minimal.js` import resolves; it registers as protobufjs root
// "stock", apart from the real one.
const cache = join(pkgDir, 'node_modules/.cache');
mkdirSync(cache, { recursive: true });
const stockDir = mkdtempSync(join(cache, 'x-oneof-stock-'));
afterAll(() => rmSync(stockDir, { recursive: true, force: true }));
let stock: Namespace;
const ours = pb as unknown as Namespace;

beforeAll(async () => {
  const result = spawnSync(
    process.execPath,
    [join(pkgDir, 'scripts/generate.mjs'), '--stock', '--out-dir', stockDir],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`generate --stock failed:\n${result.stderr}`);
  const module = (await import(pathToFileURL(join(stockDir, 'signaling.js')).href)) as {
    pb: Namespace;
  };
  stock = module.pb;
  expect(stock).not.toBe(ours);
  expect(stock.JsonValue).not.toBe(ours.JsonValue);
});

/** Where `a` and `b` differ (classes, own keys in order, values), or undefined. */
function difference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return Object.is(a, b) ? undefined : `${path}: ${String(a)} ≠ ${String(b)}`;
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    const same =
      a instanceof Uint8Array &&
      b instanceof Uint8Array &&
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
        Buffer.from(b.buffer, b.byteOffset, b.byteLength),
      );
    return same ? undefined : `${path}: bytes differ`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array and non-array`;
  const ca = (a as object).constructor?.name;
  const cb = (b as object).constructor?.name;
  if (ca !== cb) return `${path}: ${ca} ≠ ${cb}`;
  const ka = Reflect.ownKeys(a).map(String);
  const kb = Reflect.ownKeys(b).map(String);
  if (ka.join() !== kb.join()) return `${path}: own keys [${ka}] ≠ [${kb}]`;
  for (const key of ka) {
    const da = Object.getOwnPropertyDescriptor(a, key)!;
    const db = Object.getOwnPropertyDescriptor(b, key)!;
    if (da.enumerable !== db.enumerable) return `${path}.${key}: enumerability differs`;
    const d = difference(da.value, db.value, `${path}.${key}`);
    if (d) return d;
  }
  return undefined;
}

/** Both decoders on the same bytes: the same message, or the same error. */
function compare(typeName: string, bytes: Uint8Array): string | undefined {
  let a: unknown;
  let b: unknown;
  let ea: string | undefined;
  let eb: string | undefined;
  try {
    a = ours[typeName]!.decode(bytes);
  } catch (error) {
    ea = String(error);
  }
  try {
    b = stock[typeName]!.decode(bytes);
  } catch (error) {
    eb = String(error);
  }
  if (ea !== undefined || eb !== undefined)
    return ea === eb ? undefined : `errors differ: ${ea} / ${eb}`;
  return difference(a, b);
}

// A small seeded generator, so that a failure can be replayed.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DOUBLES = [0, -0, 1, -1.5, 0.1, 1e300, -1e-300, Number.MAX_SAFE_INTEGER, Infinity, NaN];
const STRINGS = ['', 'a', 'peer-1', 'ünïcödé ☃', 'x'.repeat(70), '__proto__', 'kind'];

/**
 * A random plain object of `type`: each field present or not, and every
 * member of a oneof may be set (the encoder then writes them all, and the
 * decoder must keep the last one).
 */
function randomMessage(type: protobuf.Type, next: () => number, depth: number): object {
  const m: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (next() < 0.4) continue;
    const one = () => randomValue(field, next, depth);
    if (field.repeated) {
      const n = Math.floor(next() * 4);
      m[field.name] = Array.from({ length: n }, one);
    } else {
      const v = one();
      if (v !== undefined) m[field.name] = v;
    }
  }
  return m;
}

function randomValue(field: protobuf.Field, next: () => number, depth: number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Enum) {
    // Now and then a number the enum does not name (open enums keep it).
    return next() < 0.1 ? 1000 + Math.floor(next() * 10) : pick(Object.values(resolved.values));
  }
  if (resolved instanceof protobuf.Type) {
    return depth > 4 ? {} : randomMessage(resolved, next, depth + 1);
  }
  switch (field.type) {
    case 'double':
      return pick(DOUBLES);
    case 'float':
      return Math.fround(pick(DOUBLES));
    case 'uint32':
    case 'fixed32':
      return pick([0, 1, 127, 128, 4294967295, Math.floor(next() * 4294967296)]);
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return pick([0, 1, -1, 2147483647, -2147483648, Math.floor(next() * 2000) - 1000]);
    case 'bool':
      return next() < 0.5;
    case 'string':
      return pick(STRINGS);
    case 'bytes':
      return Uint8Array.from({ length: Math.floor(next() * 5) }, () => Math.floor(next() * 256));
    default:
      throw new Error(`randomValue: no generator for field type ${field.type}: add one`);
  }
}

const messageTypes = (): protobuf.Type[] =>
  (reflection().lookup('x.signaling.v1') as protobuf.Namespace).nestedArray.filter(
    (t): t is protobuf.Type => t instanceof protobuf.Type,
  );

describe('generated decoders with cheaper oneof bookkeeping', () => {
  it('the generated code no longer calls the oneof setter from its decoders', () => {
    const js = readFileSync(join(pkgDir, 'src/generated/signaling.js'), 'utf8');
    expect(js).toContain('$setOneof(message, "kind", $oneof_kind, "objectValue")');
    expect(js).not.toMatch(/^\s*message\.\w+ = "\w+";$/m);
    const stockJs = readFileSync(join(stockDir, 'signaling.js'), 'utf8');
    expect(stockJs).toMatch(/^\s*message\.kind = "objectValue";$/m);
  });

  it('decode every golden vector as the stock decoders do', () => {
    const vectors = readVectors(vectorsDir);
    expect(vectors.length).toBeGreaterThan(50);
    for (const vector of vectors) {
      const typeName = vector.type.replace('x.signaling.v1.', '');
      expect(compare(typeName, vector.bytes), vector.name).toBeUndefined();
    }
  });

  it('decode randomized messages of every type as the stock decoders do', () => {
    const types = messageTypes();
    expect(types.length).toBeGreaterThan(90);
    let messages = 0;
    let oneofsWithSeveral = 0;
    for (const [t, type] of types.entries()) {
      const next = random(0x5eed + t);
      const encode = (m: object) => type.encode(type.fromObject(m)).finish();
      for (let i = 0; i < 40; i++) {
        const seed = `${type.name} #${i}`;
        const first = encode(randomMessage(type, next, 0));
        // Two encodings one after the other are one message to a decoder
        // (protobuf merges them): oneof members then come in any order, and
        // a message field seen twice is merged into (the decoders' _target).
        const second = encode(randomMessage(type, next, 0));
        const both = Buffer.concat([first, second]);
        for (const bytes of [first, both]) {
          expect(compare(type.name, bytes), seed).toBeUndefined();
          messages++;
        }
        // Unknown fields (number 1000, a varint and a string) are kept alike.
        const unknown = Buffer.concat([
          first,
          Buffer.from([0xc0, 0x3e, 0x07, 0xc2, 0x3e, 1, 0x41]),
        ]);
        expect(compare(type.name, unknown), `${seed} with unknown fields`).toBeUndefined();
        // Cut short: both fail alike, or both read the same prefix.
        const cut = both.subarray(0, Math.floor(next() * both.length));
        expect(compare(type.name, cut), `${seed} cut at ${cut.length}`).toBeUndefined();
      }
      oneofsWithSeveral += type.oneofsArray.filter((o) => o.fieldsArray.length > 1).length;
    }
    expect(messages).toBe(types.length * 80);
    // The schema's real oneofs (JsonValue.kind, Response.result, …) were among them.
    expect(oneofsWithSeveral).toBeGreaterThanOrEqual(8);
  });

  it('keep the last member of a oneof when the wire carries several', () => {
    // boolValue, then stringValue, then objectValue twice (merged), then numberValue.
    const type = reflection().lookupType('x.signaling.v1.JsonValue');
    const parts = [
      { boolValue: true },
      { stringValue: 's' },
      { objectValue: { members: [{ key: 'a', value: { nullValue: {} } }] } },
      { objectValue: { members: [{ key: 'b', value: { boolValue: false } }] } },
    ].map((m) => type.encode(type.fromObject(m)).finish());
    const objectLast = Buffer.concat(parts);
    const decoded = pb.JsonValue.decode(objectLast);
    expect(Object.keys(decoded)).toEqual(['objectValue']);
    expect(decoded.kind).toBe('objectValue');
    expect(decoded.objectValue!.members.map((m) => m.key)).toEqual(['a', 'b']);
    expect(compare('JsonValue', objectLast)).toBeUndefined();
    const numberLast = Buffer.concat([objectLast, type.encode({ numberValue: 2 }).finish()]);
    expect(Object.keys(pb.JsonValue.decode(numberLast))).toEqual(['numberValue']);
    expect(compare('JsonValue', numberLast)).toBeUndefined();
  });
});
