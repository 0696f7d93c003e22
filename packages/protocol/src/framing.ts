import protobuf from 'protobufjs/minimal.js';
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
  encode(message: T, writer: protobuf.Writer): protobuf.Writer;
}

// One writer serves the encodes, one after the other. A new protobufjs
// writer starts with 128 bytes and doubles, allocating and copying at each
// step: an enableConsumer answer took four buffers before the one finish()
// returns, and those copies and the garbage they left were a sixth of
// encoding a join and its 40 consumers. The writer is taken while in use, so
// an encode started inside another (a getter of the message encoding a
// frame) gets a writer of its own. A buffer grown past RETAINED_WRITER_BYTES
// by a rare large frame is let go after it.
const RETAINED_WRITER_BYTES = 64 * 1024;
let idleWriter: protobuf.Writer | undefined;

function takeWriter(): protobuf.Writer {
  const writer = idleWriter ?? protobuf.Writer.create();
  idleWriter = undefined;
  // An encode that threw (a value of the wrong type) left its cursor and
  // forks behind.
  writer.pos = 0;
  writer.states = null;
  return writer;
}

function releaseWriter(writer: protobuf.Writer): void {
  if (writer.buf.length <= RETAINED_WRITER_BYTES) idleWriter = writer;
}

function encodeFrame<T>(
  codec: Codec<T>,
  message: T,
  what: string,
  options?: FramingOptions,
): Uint8Array {
  const max = options?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  let bytes: Uint8Array;
  const writer = takeWriter();
  try {
    // finish() copies the bytes out: the frame owns its buffer.
    bytes = codec.encode(message, writer).finish();
  } catch (cause) {
    throw new ProtocolError(
      'INVALID_FIELD',
      `${what} cannot be encoded: ${(cause as Error).message}`,
      { cause },
    );
  } finally {
    releaseWriter(writer);
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
