import { pb } from './messages.js';
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
 */
export function jsonToMessage(value: unknown, field = 'appData'): pb.JsonValue {
  return toMessage(value, field, 0);
}

/**
 * Like {@link jsonToMessage}, for optional values: `undefined` stays
 * `undefined` (the field is left out of the message).
 */
export function optionalJsonToMessage(value: unknown, field = 'appData'): pb.JsonValue | undefined {
  return value === undefined ? undefined : toMessage(value, field, 0);
}

function toMessage(input: unknown, field: string, depth: number): pb.JsonValue {
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
      return pb.JsonValue.create({ boolValue: value });
    case 'string':
      return pb.JsonValue.create({ stringValue: value });
    case 'number':
      if (!Number.isFinite(value)) {
        throw new ProtocolError('NOT_JSON', `${field} is ${value}, which JSON cannot carry`, {
          field,
        });
      }
      return pb.JsonValue.create({ numberValue: value });
    case 'object': {
      if (value === null) return pb.JsonValue.create({ nullValue: {} });
      if (depth >= MAX_JSON_DEPTH) {
        throw new ProtocolError(
          'NOT_JSON',
          `${field} nests deeper than ${MAX_JSON_DEPTH} levels (or is circular)`,
          { field },
        );
      }
      if (Array.isArray(value)) {
        const values: pb.JsonValue[] = [];
        for (let i = 0; i < value.length; i++) {
          const element: unknown = value[i];
          values.push(
            element === undefined || typeof element === 'function' || typeof element === 'symbol'
              ? pb.JsonValue.create({ nullValue: {} })
              : toMessage(element, `${field}[${i}]`, depth + 1),
          );
        }
        return pb.JsonValue.create({ arrayValue: { values } });
      }
      const members: pb.JsonMember[] = [];
      for (const [key, member] of Object.entries(value)) {
        if (member === undefined || typeof member === 'function' || typeof member === 'symbol')
          continue;
        members.push(
          pb.JsonMember.create({ key, value: toMessage(member, `${field}.${key}`, depth + 1) }),
        );
      }
      return pb.JsonValue.create({ objectValue: { members } });
    }
    default:
      throw new ProtocolError(
        'NOT_JSON',
        `${field} is a ${typeof value}, which JSON cannot carry`,
        { field },
      );
  }
}

/**
 * Converts a protobuf JSON value back to the JSON value it carries. An absent
 * message gives `undefined`; a value with no kind set (sent by a newer
 * schema) gives null. Throws a {@link ProtocolError} (`INVALID_FIELD`) when
 * nesting exceeds {@link MAX_JSON_DEPTH}.
 */
export function jsonFromMessage(
  message: pb.JsonValue | null | undefined,
  field = 'appData',
): JsonValue | undefined {
  if (message == null) return undefined;
  return fromMessage(message, field, 0);
}

function fromMessage(message: pb.JsonValue, field: string, depth: number): JsonValue {
  switch (message.kind) {
    case 'boolValue':
      return message.boolValue === true;
    case 'numberValue':
      return message.numberValue ?? 0;
    case 'stringValue':
      return message.stringValue ?? '';
    case 'arrayValue':
    case 'objectValue': {
      if (depth >= MAX_JSON_DEPTH) {
        throw new ProtocolError(
          'INVALID_FIELD',
          `${field} nests deeper than ${MAX_JSON_DEPTH} levels`,
          { field },
        );
      }
      if (message.kind === 'arrayValue') {
        return (message.arrayValue?.values ?? []).map((v, i) =>
          fromMessage(v, `${field}[${i}]`, depth + 1),
        );
      }
      const object: { [key: string]: JsonValue } = {};
      for (const member of message.objectValue?.members ?? []) {
        const key = member.key ?? '';
        const value =
          member.value == null ? null : fromMessage(member.value, `${field}.${key}`, depth + 1);
        // defineProperty: a member named "__proto__" is data, not a prototype.
        Object.defineProperty(object, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
    default:
      return null;
  }
}
