import { type Field, memberPath, Path } from './check.js';
import type { pb } from './messages.js';
import { ProtocolError } from './ProtocolError.js';
import type { JsonValue } from './types.js';

/**
 * Deepest nesting of arrays and objects carried as JSON. Decoders refuse
 * messages nested deeper than 100 levels (as protoc does), and appData sits a
 * few levels down in its message: 32 leaves room and fails early, with a clear
 * error, on the sending side.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Converts a JSON value to its protobuf form. Follows `JSON.stringify`:
 * `toJSON()` is honoured, object members that are `undefined` are left out and
 * array holes become null. Anything JSON cannot carry (functions, symbols,
 * bigints, NaN, Infinity, cycles, nesting deeper than {@link MAX_JSON_DEPTH})
 * throws a {@link ProtocolError} with code `NOT_JSON`.
 *
 * The result is a plain object of the message's shape (what the encoders
 * take), not a `pb.JsonValue` instance: building one costs less, and the
 * bytes are the same. Read it with {@link jsonFromMessage}, or through the
 * value fields; its `kind` is not set.
 */
export function jsonToMessage(value: unknown, field = 'appData'): pb.JsonValue {
  return toMessage(value, field, undefined, 0);
}

/**
 * Like {@link jsonToMessage}, for optional values: `undefined` stays
 * `undefined` (the field is left out of the message).
 */
export function optionalJsonToMessage(value: unknown, field = 'appData'): pb.JsonValue | undefined {
  return value === undefined ? undefined : toMessage(value, field, undefined, 0);
}

/** @internal {@link jsonToMessage} of the value at `field.member` (the path is only spelt out for an error). */
export function jsonToMessageAt(
  value: unknown,
  field: Field,
  member: string | number,
): pb.JsonValue {
  return toMessage(value, field, member, 0);
}

/** @internal {@link jsonFromMessage} of the value at `field.member`. */
export function jsonFromMessageAt(
  message: pb.JsonValue | null | undefined,
  field: Field,
  member: string | number,
): JsonValue | undefined {
  if (message == null) return undefined;
  return fromMessage(message, field, member, 0);
}

// Messages are built as plain objects: the encoders read the fields that are
// set, and an object literal is far cheaper than a message instance. The
// error path of a value is only spelt out when an error needs it (a container
// passes a `Path` to its members).
function toMessage(
  input: unknown,
  field: Field,
  key: string | number | undefined,
  depth: number,
): pb.JsonValue {
  let value = input;
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'boolean':
      return { boolValue: value } as pb.JsonValue;
    case 'string':
      return { stringValue: value } as pb.JsonValue;
    case 'number':
      if (!Number.isFinite(value)) {
        const at = memberPath(field, key);
        throw new ProtocolError('NOT_JSON', `${at} is ${value}, which JSON cannot carry`, {
          field: at,
        });
      }
      return { numberValue: value } as pb.JsonValue;
    case 'object': {
      if (value === null) return { nullValue: {} } as pb.JsonValue;
      const at = key === undefined ? field : new Path(field, key);
      if (depth >= MAX_JSON_DEPTH) {
        throw new ProtocolError(
          'NOT_JSON',
          `${at} nests deeper than ${MAX_JSON_DEPTH} levels (or is circular)`,
          { field: String(at) },
        );
      }
      if (Array.isArray(value)) {
        const values: pb.JsonValue[] = [];
        for (let i = 0; i < value.length; i++) {
          const element: unknown = value[i];
          values.push(
            element === undefined || typeof element === 'function' || typeof element === 'symbol'
              ? ({ nullValue: {} } as pb.JsonValue)
              : toMessage(element, at, i, depth + 1),
          );
        }
        return { arrayValue: { values } } as pb.JsonValue;
      }
      const members: pb.JsonMember[] = [];
      const keys = Object.keys(value);
      for (let i = 0; i < keys.length; i++) {
        const name = keys[i]!;
        const member: unknown = (value as Record<string, unknown>)[name];
        if (member === undefined || typeof member === 'function' || typeof member === 'symbol')
          continue;
        members.push({ key: name, value: toMessage(member, at, name, depth + 1) } as pb.JsonMember);
      }
      return { objectValue: { members } } as pb.JsonValue;
    }
    default: {
      const at = memberPath(field, key);
      throw new ProtocolError('NOT_JSON', `${at} is a ${typeof value}, which JSON cannot carry`, {
        field: at,
      });
    }
  }
}

/**
 * Converts a protobuf JSON value back to the JSON value it carries. An absent
 * message gives `undefined`; a value with no kind set (sent by a newer
 * schema) gives null. Takes decoded messages and plain objects of the
 * message's shape alike. Throws a {@link ProtocolError} (`INVALID_FIELD`) when
 * nesting exceeds {@link MAX_JSON_DEPTH}.
 */
export function jsonFromMessage(
  message: pb.JsonValue | null | undefined,
  field = 'appData',
): JsonValue | undefined {
  if (message == null) return undefined;
  return fromMessage(message, field, undefined, 0);
}

// The value fields are read directly rather than through the `kind` getter
// (which lists the message's keys on every call). A decoded message holds
// one of them at most: the decoder clears the others when it sets one. Only
// code can build a message holding several; its fields are then read in
// reverse declaration order.
function fromMessage(
  message: pb.JsonValue,
  field: Field,
  key: string | number | undefined,
  depth: number,
): JsonValue {
  const object = message.objectValue;
  const array = object == null ? message.arrayValue : null;
  if (object != null || array != null) {
    const at = key === undefined ? field : new Path(field, key);
    if (depth >= MAX_JSON_DEPTH) {
      throw new ProtocolError('INVALID_FIELD', `${at} nests deeper than ${MAX_JSON_DEPTH} levels`, {
        field: String(at),
      });
    }
    if (array != null) {
      const values = array.values ?? [];
      const out: JsonValue[] = [];
      for (let i = 0; i < values.length; i++) out.push(fromMessage(values[i]!, at, i, depth + 1));
      return out;
    }
    const out: { [key: string]: JsonValue } = {};
    const members = object!.members ?? [];
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!;
      const name = member.key ?? '';
      const value = member.value == null ? null : fromMessage(member.value, at, name, depth + 1);
      setMember(out, name, value);
    }
    return out;
  }
  if (message.stringValue != null) return message.stringValue;
  if (message.numberValue != null) return message.numberValue;
  if (message.boolValue != null) return message.boolValue === true;
  return null;
}

/**
 * Sets member `name` of a fresh object built from a message: a member named
 * "__proto__" is data sent by the peer, not a prototype to switch to.
 */
export function setMember<T>(out: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__') {
    Object.defineProperty(out, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    out[name] = value;
  }
}
