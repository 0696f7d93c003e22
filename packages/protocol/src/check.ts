import { ProtocolError } from './ProtocolError.js';

/** Checks an unsigned 32-bit integer before it goes into a uint32 field. */
export function u32(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new ProtocolError(
      'INVALID_FIELD',
      `${field} must be an integer from 0 to 4294967295, got ${String(value)}`,
      { field },
    );
  }
  return value;
}

/** Checks a finite number before it goes into a double field. */
export function num(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ProtocolError(
      'INVALID_FIELD',
      `${field} must be a finite number, got ${String(value)}`,
      { field },
    );
  }
  return value;
}

/** Checks a string before it goes into a string field. */
export function str(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new ProtocolError('INVALID_FIELD', `${field} must be a string, got ${typeof value}`, {
      field,
    });
  }
  return value;
}

/** Checks a boolean before it goes into a bool field. */
export function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') {
    throw new ProtocolError('INVALID_FIELD', `${field} must be a boolean, got ${typeof value}`, {
      field,
    });
  }
  return value;
}

/** Checks that a list is an array. */
export function list<T>(value: T[] | undefined, field: string): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new ProtocolError('INVALID_FIELD', `${field} must be an array`, { field });
  }
  return value;
}

/** Checks that a required message field is present in a decoded message. */
export function present<T>(value: T | null | undefined, field: string): T {
  if (value == null) {
    throw new ProtocolError('INVALID_FIELD', `${field} is missing`, { field });
  }
  return value;
}
