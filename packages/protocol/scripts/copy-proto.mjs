#!/usr/bin/env node
// Copies the schema (protocol/x/**/*.proto and buf.yaml) into proto/, which
// the package ships: other tools (protoc, buf, other languages) generate from
// `@x/protocol/proto/x/signaling/v1/*.proto`. proto/ is build output, never
// edited: the schema lives in protocol/ at the repository's root.
import { cpSync, existsSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const schema = resolve(pkgDir, '../../protocol');
const out = join(pkgDir, 'proto');

rmSync(out, { recursive: true, force: true });
cpSync(join(schema, 'x'), join(out, 'x'), {
  recursive: true,
  filter: (src) => statSync(src).isDirectory() || src.endsWith('.proto'),
});
if (existsSync(join(schema, 'buf.yaml'))) cpSync(join(schema, 'buf.yaml'), join(out, 'buf.yaml'));
