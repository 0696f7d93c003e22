import { errorCodeValue, pb } from '@x/protocol';
import { toSfuError } from '../util/errors.js';

/** Any error as the protocol's Error message (its code, message, field and redirect). */
export function errorToMessage(error: unknown, connectionUrl?: URL): pb.Error {
  const e = toSfuError(error);
  return pb.Error.create({
    code: errorCodeValue(e.code),
    message: e.message,
    field: e.field ?? '',
    redirectUrl: e.redirectUrl ? redirectUrl(e.redirectUrl, connectionUrl) : '',
  });
}

/**
 * Where a client should go: another node's signaling URL, with the query of
 * the URL it connected with (which names its room).
 */
export function redirectUrl(signalingUrl: string, connectionUrl: URL | undefined): string {
  const target = new URL(signalingUrl);
  if (connectionUrl) for (const [k, v] of connectionUrl.searchParams) target.searchParams.set(k, v);
  return target.toString();
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
