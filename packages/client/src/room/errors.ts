import type { ErrorCodeName } from '@x/protocol';

/** The object is in a state that does not allow the call (closed, not joined, already handled…). */
export class InvalidStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStateError';
  }
}

/** A request got no response in time (RoomOptions.requestTimeout). */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** The device or the room cannot do this (a kind it cannot send, a consumer it cannot receive). */
export class UnsupportedError extends Error {
  /** What was not supported (e.g. the consumer), when known. */
  readonly data: unknown;

  constructor(message: string, data?: unknown) {
    super(message);
    this.name = 'UnsupportedError';
    this.data = data;
  }
}

/** The server's error codes (`x.signaling.v1.ErrorCode` without its prefix). */
export type ServerErrorCode = ErrorCodeName;

/** The server refused a request: its code and message, as the server sent them. */
export class RequestError extends Error {
  /** The server's error code. */
  readonly code: ServerErrorCode;
  /** The offending field, when the server named one. */
  readonly field: string | undefined;
  /**
   * Where to try again (NODE_UNAVAILABLE from a node of a cluster that is
   * full or draining): another node's URL. `connect()` follows it by itself.
   */
  readonly redirectUrl: string | undefined;

  constructor(code: ServerErrorCode, message: string, field?: string, redirectUrl?: string) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
    this.field = field || undefined;
    this.redirectUrl = redirectUrl || undefined;
  }
}

/** Why a transport failed: the browser said its connection failed, or it did not connect in time. */
export type TransportFailure = 'failed' | 'timeout';

/**
 * A transport could not connect to the server's media address (ICE or DTLS):
 * no media flows on it. Usually the server announces an address this browser
 * cannot reach (a private or loopback address, a firewall on its UDP ports).
 */
export class TransportFailedError extends Error {
  /** 'failed' (the browser gave up) or 'timeout' (not connected within `transportConnectTimeout`). */
  readonly reason: TransportFailure;
  /** The transport's id. */
  readonly transportId: number;

  constructor(reason: TransportFailure, transportId: number, message: string) {
    super(message);
    this.name = 'TransportFailedError';
    this.reason = reason;
    this.transportId = transportId;
  }
}

/**
 * A data message larger than the room allows (the server's
 * `maxDataMessageSize`, announced as the SCTP max-message-size): it was not
 * sent. Split it, or send a link to the content instead.
 */
export class DataMessageTooLargeError extends Error {
  /** Always 'MESSAGE_TOO_LARGE'. */
  readonly code = 'MESSAGE_TOO_LARGE';
  /** The message's size, in bytes. */
  readonly size: number;
  /** The largest size allowed, in bytes. */
  readonly maxSize: number;

  constructor(size: number, maxSize: number) {
    super(`a data message of ${size} bytes is larger than the ${maxSize} bytes this room allows`);
    this.name = 'DataMessageTooLargeError';
    this.size = size;
    this.maxSize = maxSize;
  }
}
