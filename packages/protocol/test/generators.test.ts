// The schema's file options make each ecosystem's standard generator put the
// code where that ecosystem expects it. protoc's built-in generators (Java,
// Kotlin, C#, Objective-C, PHP, Ruby) run here on the real schema and the names they
// produce are pinned: renaming them breaks those languages' users, which
// `buf breaking` (WIRE_JSON) does not see. Go is covered by bindings/go and
// Python by bindings/python; Swift's generator (protoc-gen-swift) is not in
// Debian 12, so only the option's presence is checked for it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolRoot, protoFiles } from './vectors.js';

const work = mkdtempSync(join(tmpdir(), 'x-generators-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const languages = ['java', 'kotlin', 'csharp', 'objc', 'php', 'ruby'] as const;
const out = (language: string) => join(work, language);

beforeAll(() => {
  if (spawnSync('protoc', ['--version']).status !== 0) {
    throw new Error(
      'protoc is not installed: install the Debian package protobuf-compiler (pnpm system-deps does)',
    );
  }
  const args = ['-I', protocolRoot];
  for (const language of languages) {
    execFileSync('mkdir', ['-p', out(language)]);
    args.push(`--${language}_out=${out(language)}`);
  }
  execFileSync('protoc', [...args, ...protoFiles]);
});

const read = (...path: string[]) => readFileSync(join(...path), 'utf8');

describe('file options of every .proto', () => {
  const options = protoFiles.map((file) =>
    read(file)
      .split('\n')
      .filter((line) => line.startsWith('option '))
      .join('\n'),
  );

  it('are the same in every file and name every big ecosystem', () => {
    expect(new Set(options).size).toBe(1);
    for (const name of [
      'csharp_namespace',
      'go_package',
      'java_multiple_files',
      'java_package',
      'objc_class_prefix',
      'php_namespace',
      'ruby_package',
      'swift_prefix',
    ]) {
      expect(options[0], name).toMatch(new RegExp(`^option ${name} = `, 'm'));
    }
    expect(options[0]).toContain('option swift_prefix = "XSV";');
  });
});

describe("protoc's generators put the code where each ecosystem expects it", () => {
  it('Java: one class per message in io.github.xsfu.signaling.v1', () => {
    const dir = join(out('java'), 'io/github/xsfu/signaling/v1');
    expect(existsSync(join(dir, 'ClientMessage.java'))).toBe(true);
    expect(existsSync(join(dir, 'ServerMessage.java'))).toBe(true);
    expect(existsSync(join(dir, 'ErrorCode.java'))).toBe(true);
    expect(read(dir, 'ClientMessage.java')).toContain('package io.github.xsfu.signaling.v1;');
    expect(readdirSync(out('java'))).toEqual(['io']);
  });

  it('Kotlin: DSL builders beside the Java classes, in io.github.xsfu.signaling.v1', () => {
    const file = read(out('kotlin'), 'io/github/xsfu/signaling/v1/ClientMessageKt.kt');
    expect(file).toContain('package io.github.xsfu.signaling.v1;');
    expect(file).toContain('public inline fun clientMessage(');
  });

  it('C#: namespace XSfu.Signaling.V1', () => {
    const file = read(out('csharp'), 'Signaling.cs');
    expect(file).toContain('namespace XSfu.Signaling.V1 {');
    expect(file).toContain('public sealed partial class ClientMessage');
  });

  it('Objective-C: classes prefixed XSV', () => {
    const header = read(out('objc'), 'x/signaling/v1/Signaling.pbobjc.h');
    expect(header).toContain('@interface XSVClientMessage : GPBMessage');
    expect(read(out('objc'), 'x/signaling/v1/Errors.pbobjc.h')).toContain(
      'typedef GPB_ENUM(XSVErrorCode)',
    );
  });

  it('PHP: namespace XSfu\\Signaling\\V1, PSR-4 paths', () => {
    const file = read(out('php'), 'XSfu/Signaling/V1/ClientMessage.php');
    expect(file).toContain('namespace XSfu\\Signaling\\V1;');
    expect(file).toContain('class ClientMessage extends \\Google\\Protobuf\\Internal\\Message');
  });

  it('Ruby: module XSfu::Signaling::V1', () => {
    const file = read(out('ruby'), 'x/signaling/v1/signaling_pb.rb');
    expect(file).toMatch(/module XSfu\n\s+module Signaling\n\s+module V1\n/);
    expect(file).toContain('ClientMessage = ');
  });
});
