// Checks the published declarations after the build: they hold the public API
// only (no @internal member, no import of the private @x/shared, which tsup
// inlines), and they compile on their own under strict settings, library
// declarations included (a stripped type still referenced would fail here).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const files = ['index.d.ts', 'index.d.cts'].map((f) =>
  fileURLToPath(new URL(`../dist/${f}`, import.meta.url)),
);
const problems = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  if (text.includes('@internal')) problems.push(`${file}: an @internal member is published`);
  if (/from ['"]@x\/shared['"]/.test(text))
    problems.push(`${file}: imports @x/shared, which is private (tsup should inline it)`);
}
const program = ts.createProgram(files, {
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  types: ['node'],
});
for (const d of ts.getPreEmitDiagnostics(program)) {
  const where = d.file
    ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `
    : '';
  problems.push(`${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}
if (problems.length > 0) {
  console.error(`dist declarations are not the public API:\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`dist declarations: public API only, and they compile (${files.length} files)`);
