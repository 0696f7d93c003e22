import { errorCodeValue, pb } from '@x/protocol';
import { toSfuError } from '../util/errors.js';

/** Any error as the protocol's Error message (its code, message and field). */
export function errorToMessage(error: unknown): pb.Error {
  const e = toSfuError(error);
  return pb.Error.create({
    code: errorCodeValue(e.code),
    message: e.message,
    field: e.field ?? '',
  });
}

/** The protocol's member name of a notification body ("pauseProducer" → "pause_producer"). */
export function snakeCase(name: string | undefined): string {
  return name ? name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : '';
}

/** A `notificationRejected` notification: the client's notification `body` (of object `id`) failed. */
export function rejection(
  body: string | undefined,
  id: number,
  error: unknown,
): pb.ServerNotification.$Properties {
  return {
    notificationRejected: { notification: snakeCase(body), id, error: errorToMessage(error) },
  };
}
