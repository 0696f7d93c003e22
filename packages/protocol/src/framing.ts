import { pb } from './messages.js';
import { ProtocolError } from './ProtocolError.js';

/**
 * Framing: one protobuf message per WebSocket binary frame, no length prefix
 * (the WebSocket frame delimits it). Frames above the maximum size are
 * refused before any decoding.
 */

/** Default largest frame, in bytes, either way (1 MiB). */
export const DEFAULT_MAX_FRAME_SIZE = 1024 * 1024;

/** Options of the framing functions. */
export interface FramingOptions {
  /** Largest frame accepted or produced, in bytes. Default {@link DEFAULT_MAX_FRAME_SIZE}. */
  maxFrameSize?: number;
}

/** A ClientMessage, as a message instance or a plain object of its shape. */
export type ClientMessageInit = pb.ClientMessage | pb.ClientMessage.$Properties;
/** A ServerMessage, as a message instance or a plain object of its shape. */
export type ServerMessageInit = pb.ServerMessage | pb.ServerMessage.$Properties;

interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
}

function encodeFrame<T>(
  codec: Codec<T>,
  message: T,
  what: string,
  options?: FramingOptions,
): Uint8Array {
  const max = options?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  let bytes: Uint8Array;
  try {
    bytes = codec.encode(message).finish();
  } catch (cause) {
    throw new ProtocolError(
      'INVALID_FIELD',
      `${what} cannot be encoded: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (bytes.byteLength > max) {
    throw new ProtocolError(
      'FRAME_TOO_LARGE',
      `${what} encodes to ${bytes.byteLength} bytes, above the maximum frame size of ${max} bytes`,
    );
  }
  return bytes;
}

function toBytes(frame: Uint8Array | ArrayBuffer): Uint8Array {
  if (frame instanceof Uint8Array) return frame;
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  throw new ProtocolError('MALFORMED_FRAME', 'a frame must be binary (Uint8Array or ArrayBuffer)');
}

function decodeFrame<T>(
  decode: (bytes: Uint8Array) => T,
  frame: Uint8Array | ArrayBuffer,
  what: string,
  options?: FramingOptions,
): T {
  const bytes = toBytes(frame);
  const max = options?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  if (bytes.byteLength > max) {
    throw new ProtocolError(
      'FRAME_TOO_LARGE',
      `frame of ${bytes.byteLength} bytes is above the maximum frame size of ${max} bytes`,
    );
  }
  try {
    return decode(bytes);
  } catch (cause) {
    // protobufjs throws Error/RangeError on truncated or invalid input; a
    // hostile nesting depth may even overflow the stack: all are one case.
    throw new ProtocolError(
      'MALFORMED_FRAME',
      `frame is not a valid ${what}: ${(cause as Error)?.message ?? cause}`,
      { cause },
    );
  }
}

/** Encodes a client message into one frame. Throws {@link ProtocolError} (`FRAME_TOO_LARGE`, `INVALID_FIELD`). */
export function encodeClientMessage(
  message: ClientMessageInit,
  options?: FramingOptions,
): Uint8Array {
  return encodeFrame(pb.ClientMessage, message as pb.ClientMessage, 'client message', options);
}

/** Encodes a server message into one frame. Throws {@link ProtocolError} (`FRAME_TOO_LARGE`, `INVALID_FIELD`). */
export function encodeServerMessage(
  message: ServerMessageInit,
  options?: FramingOptions,
): Uint8Array {
  return encodeFrame(pb.ServerMessage, message as pb.ServerMessage, 'server message', options);
}

/**
 * Decodes one frame from a client. Throws {@link ProtocolError} and nothing
 * else: `FRAME_TOO_LARGE`, `MALFORMED_FRAME`, or `UNKNOWN_MESSAGE` when the
 * envelope holds no request or notification this version knows (then
 * `requestId` is set if it was a request, so that it can be answered).
 */
export function decodeClientMessage(
  frame: Uint8Array | ArrayBuffer,
  options?: FramingOptions,
): pb.ClientMessage {
  const message = decodeFrame((b) => pb.ClientMessage.decode(b), frame, 'ClientMessage', options);
  switch (message.message) {
    case 'request': {
      const request = message.request as pb.Request;
      if (!request.body) {
        throw new ProtocolError(
          'UNKNOWN_MESSAGE',
          `request ${request.id} has no body this server knows`,
          {
            requestId: request.id,
          },
        );
      }
      return message;
    }
    case 'notification':
      if (!message.notification?.body) {
        throw new ProtocolError('UNKNOWN_MESSAGE', 'notification has no body this server knows');
      }
      return message;
    default:
      throw new ProtocolError(
        'UNKNOWN_MESSAGE',
        'frame holds neither a request nor a notification',
      );
  }
}

/**
 * Decodes one frame from the server. Throws {@link ProtocolError} and nothing
 * else: `FRAME_TOO_LARGE`, `MALFORMED_FRAME`, or `UNKNOWN_MESSAGE` when it
 * holds no response or notification this version knows.
 */
export function decodeServerMessage(
  frame: Uint8Array | ArrayBuffer,
  options?: FramingOptions,
): pb.ServerMessage {
  const message = decodeFrame((b) => pb.ServerMessage.decode(b), frame, 'ServerMessage', options);
  switch (message.message) {
    case 'response':
      if (!message.response?.result) {
        throw new ProtocolError(
          'UNKNOWN_MESSAGE',
          `response ${message.response?.id} has no result this client knows`,
          {
            requestId: message.response?.id ?? undefined,
          },
        );
      }
      return message;
    case 'notification':
      if (!message.notification?.body) {
        throw new ProtocolError('UNKNOWN_MESSAGE', 'notification has no body this client knows');
      }
      return message;
    default:
      throw new ProtocolError(
        'UNKNOWN_MESSAGE',
        'frame holds neither a response nor a notification',
      );
  }
}
