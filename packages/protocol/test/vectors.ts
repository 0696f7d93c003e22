// Reading and writing the golden vectors of protocol/testdata/vectors: for
// each message, `<name>.bin` (its bytes) and `<name>.json` (its envelope type
// and the message in the proto3 JSON mapping).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const here = dirname(fileURLToPath(import.meta.url));
export const protocolRoot = resolve(here, '../../../protocol');
export const protoFiles = readdirSync(join(protocolRoot, 'x/signaling/v1'))
  .filter((f) => f.endsWith('.proto'))
  .sort()
  .map((f) => join(protocolRoot, 'x/signaling/v1', f));
export const vectorsDir = join(protocolRoot, 'testdata/vectors');

let root: protobuf.Root | undefined;

/** The schema loaded by reflection: used only for the JSON mapping of the vectors. */
export function reflection(): protobuf.Root {
  if (!root) {
    root = new protobuf.Root();
    root.resolvePath = (_origin, target) =>
      target.startsWith('/') ? target : join(protocolRoot, target);
    root.loadSync(protoFiles);
    root.resolveAll();
  }
  return root;
}

/** The proto3 JSON form of a message's bytes. */
export function toJson(typeName: string, bytes: Uint8Array): unknown {
  const type = reflection().lookupType(typeName);
  return type.toObject(type.decode(bytes), { enums: String, bytes: String, json: true });
}

/** The bytes of a message given in the proto3 JSON form. */
export function fromJson(typeName: string, json: unknown): Uint8Array {
  const type = reflection().lookupType(typeName);
  return type.encode(type.fromObject(json as Record<string, unknown>)).finish();
}

/** A vector as stored: name, envelope type, bytes and JSON. */
export interface StoredVector {
  name: string;
  type: string;
  bytes: Uint8Array;
  message: unknown;
}

/** Reads every vector of a folder. */
export function readVectors(dir: string): StoredVector[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.json'.length);
      const spec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
        type: string;
        message: unknown;
      };
      return {
        name,
        type: spec.type,
        message: spec.message,
        bytes: new Uint8Array(readFileSync(join(dir, `${name}.bin`))),
      };
    });
}

/** The text of a vector's JSON file. */
export function vectorJson(type: string, message: unknown): string {
  return `${JSON.stringify({ type, message }, null, 2)}\n`;
}
