// Writes the golden vectors of protocol/testdata/vectors from
// test/vector-sources.ts. Run after a schema change: `pnpm --filter @x/protocol vectors`.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeClientMessage, encodeServerMessage } from '../src/index.js';
import { vectorSources } from '../test/vector-sources.js';
import { toJson, vectorJson, vectorsDir } from '../test/vectors.js';

mkdirSync(vectorsDir, { recursive: true });
for (const file of readdirSync(vectorsDir)) rmSync(join(vectorsDir, file));
for (const source of vectorSources) {
  const bytes =
    source.type === 'ClientMessage'
      ? encodeClientMessage(source.message)
      : encodeServerMessage(source.message);
  const type = `x.signaling.v1.${source.type}`;
  writeFileSync(join(vectorsDir, `${source.name}.bin`), bytes);
  writeFileSync(join(vectorsDir, `${source.name}.json`), vectorJson(type, toJson(type, bytes)));
}
console.log(`wrote ${vectorSources.length} vectors to ${vectorsDir}`);
