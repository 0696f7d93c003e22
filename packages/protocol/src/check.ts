import { ProtocolError } from './ProtocolError.js';

// Each check takes the field's path in two parts, `field` and an optional
// `member` (a name or an index in it), and joins them only to report an
// error: conversions check every value they copy, and spelling out the path
// of each one would cost more than the copy.

/**
 * The path of a value inside a list or an object, spelt out only when an
 * error needs it (`rtpParameters.codecs[0]`): conversions make one per list
 * element instead of a string.
 */
export class Path {
  constructor(
    readonly parent: string | Path,
    readonly member: string | number,
  ) {}

  toString(): string {
    return memberPath(this.parent, this.member);
  }
}

/** A field's path: a string, or a {@link Path} spelt out on demand. */
export type Field = string | Path;

/** The path of `member` in `field` (`field.member`, or `field[index]`); `field` alone without one. */
export function memberPath(field: Field, member?: string | number): string {
  if (member === undefined) return String(field);
  return typeof member === 'number' ? `${field}[${member}]` : `${field}.${member}`;
}

/** Checks an unsigned 32-bit integer before it goes into a uint32 field. */
export function u32(value: unknown, field: Field, member?: string | number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    const at = memberPath(field, member);
    throw new ProtocolError(
      'INVALID_FIELD',
      `${at} must be an integer from 0 to 4294967295, got ${String(value)}`,
      { field: at },
    );
  }
  return value;
}

/** Checks a finite number before it goes into a double field. */
export function num(value: unknown, field: Field, member?: string | number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const at = memberPath(field, member);
    throw new ProtocolError(
      'INVALID_FIELD',
      `${at} must be a finite number, got ${String(value)}`,
      {
        field: at,
      },
    );
  }
  return value;
}

/** Checks a string before it goes into a string field. */
export function str(value: unknown, field: Field, member?: string | number): string {
  if (typeof value !== 'string') {
    const at = memberPath(field, member);
    throw new ProtocolError('INVALID_FIELD', `${at} must be a string, got ${typeof value}`, {
      field: at,
    });
  }
  return value;
}

/** Checks a boolean before it goes into a bool field. */
export function bool(value: unknown, field: Field, member?: string | number): boolean {
  if (typeof value !== 'boolean') {
    const at = memberPath(field, member);
    throw new ProtocolError('INVALID_FIELD', `${at} must be a boolean, got ${typeof value}`, {
      field: at,
    });
  }
  return value;
}

/** Checks that a list is an array. */
export function list<T>(value: T[] | undefined, field: Field, member?: string | number): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    const at = memberPath(field, member);
    throw new ProtocolError('INVALID_FIELD', `${at} must be an array`, { field: at });
  }
  return value;
}

/** Checks that a required message field is present in a decoded message. */
export function present<T>(value: T | null | undefined, field: Field, member?: string | number): T {
  if (value == null) {
    const at = memberPath(field, member);
    throw new ProtocolError('INVALID_FIELD', `${at} is missing`, { field: at });
  }
  return value;
}
