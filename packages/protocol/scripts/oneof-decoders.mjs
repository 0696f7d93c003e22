// Rewrites how pbjs's static decoders record which member of a oneof is set.
//
// For every oneof member it reads, a protobufjs 8 decoder writes
// `message.<oneof> = "<member>"`: an accessor on the prototype whose setter
// (util.oneOfSetter) `delete`s every other member of the oneof from the
// message, present or not: 5 deletes per JsonValue, 22 per Response, and a
// call per proto3 `optional` field (a oneof of one member, where it deletes
// nothing). The decoders call it for every such field they read, and it took
// a tenth of the time of decoding a join and its consumers.
//
// The rewritten decoders reach the same message:
// - a oneof of one member: the setter deletes nothing, so the statement goes;
// - a oneof of several: the decoder keeps the member it set last in a local
//   variable, and deletes that one when another member comes (protobuf's
//   "last one wins"). A message the decoder creates has no member of its own
//   (the constructor sets none when given no properties), so the members it
//   set itself are the only ones to delete. When it merges into an existing
//   message (`_target`: the same message field appearing twice on the wire),
//   the first member it sets goes through the stock setter, which clears the
//   others, and the variable is exact from then on.
// test/oneof-decoders.test.ts decodes the golden vectors and randomized
// messages with these decoders and with pbjs's own, and compares the results.

const DECODE_START = /^( *)(\w+)\.decode = function \(reader, length, _end, _depth, _target\) \{$/;
const CREATE = /^ *message = _target \|\| new \$root\.[\w.]+\(\);$/;
const SET_ONEOF = /^( *)message\.(\w+) = "(\w+)";$/;

/** The helper the rewritten decoders call; added once, after pbjs's `$root`. */
const HELPER = [
  '',
  '// Added by scripts/oneof-decoders.mjs: a decoder sets `name` in a oneof whose',
  '// member `current` it set before (undefined: none yet; null: the message was',
  '// merged into and may hold any member, so the stock setter clears them).',
  'const $setOneof = function (message, oneof, current, name) {',
  '    if (current === null)',
  '        message[oneof] = name;',
  '    else if (current !== $undefined)',
  '        delete message[current];',
  '    return name;',
  '};',
].join('\n');

/**
 * Returns pbjs's static module `js` with the cheaper oneof bookkeeping in its
 * decoders. Throws when pbjs's output does not have the expected layout (a
 * new protobufjs version): the rewrite must then be looked at again.
 */
export function rewriteOneofDecoders(js) {
  const lines = js.split('\n');
  const rootLine = lines.findIndex((l) =>
    l.startsWith('const $root = $protobuf.roots["default"] ||'),
  );
  if (rootLine < 0) throw new Error('oneof-decoders: pbjs output has no $root line');
  const out = [];
  let decoders = 0;
  let removed = 0;
  let tracked = 0;
  for (let i = 0; i < lines.length; i++) {
    const start = DECODE_START.exec(lines[i]);
    if (!start) {
      out.push(lines[i]);
      if (i === rootLine) out.push(HELPER);
      continue;
    }
    // The decoder's body: up to the `};` at its own indentation.
    const end = lines.indexOf(`${start[1]}};`, i);
    if (end < 0) throw new Error(`oneof-decoders: no end to ${start[2]}.decode`);
    const body = lines.slice(i, end + 1);
    decoders++;
    // Which members of which oneof this decoder sets: every member has a case.
    const members = new Map();
    for (const line of body) {
      const set = SET_ONEOF.exec(line);
      if (!set) continue;
      if (!members.has(set[2])) members.set(set[2], new Set());
      members.get(set[2]).add(set[3]);
    }
    const several = [...members].filter(([, m]) => m.size > 1).map(([oneof]) => oneof);
    let created = false;
    for (const line of body) {
      const set = SET_ONEOF.exec(line);
      if (set) {
        const [, indent, oneof, member] = set;
        if (members.get(oneof).size === 1) {
          removed++;
          continue;
        }
        tracked++;
        const v = `$oneof_${oneof}`;
        out.push(`${indent}if (${v} !== "${member}")`);
        out.push(`${indent}    ${v} = $setOneof(message, "${oneof}", ${v}, "${member}");`);
        continue;
      }
      out.push(line);
      if (CREATE.test(line) && several.length > 0) {
        if (created) throw new Error(`oneof-decoders: ${start[2]}.decode creates twice`);
        created = true;
        const indent = /^ */.exec(line)[0];
        for (const oneof of several)
          out.push(`${indent}let $oneof_${oneof} = _target ? null : $undefined;`);
      }
    }
    if (several.length > 0 && !created)
      throw new Error(`oneof-decoders: ${start[2]}.decode does not create its message as expected`);
    i = end;
  }
  if (decoders === 0 || removed + tracked === 0)
    throw new Error('oneof-decoders: no decoder sets a oneof the way pbjs 8 does');
  return { js: out.join('\n'), decoders, removed, tracked };
}
