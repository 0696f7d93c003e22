import { type AppData, jsonFromMessage, pb } from '@x/protocol';
import { SfuError } from '../util/errors.js';

/**
 * A client's appData, in domain terms, refused with LIMIT_EXCEEDED (naming
 * the field) when it encodes to more than `maxBytes`: appData is relayed to
 * every other peer of the room, at join and in notifications, so its size
 * multiplies.
 */
export function appDataFrom(
  value: pb.JsonValue | null | undefined,
  field: string,
  maxBytes: number,
): AppData | undefined {
  if (value == null) return undefined;
  const bytes = pb.JsonValue.encode(value).len;
  if (bytes > maxBytes) {
    throw new SfuError(
      'LIMIT_EXCEEDED',
      `${field} encodes to ${bytes} bytes, above the limit of ${maxBytes} (maxAppDataSize)`,
      { field },
    );
  }
  return jsonFromMessage(value);
}
