/** What made a frame or a message unacceptable. */
export type ProtocolErrorCode =
  /** The frame is larger than the maximum frame size. */
  | 'FRAME_TOO_LARGE'
  /** The bytes are not a valid protobuf encoding of the envelope (garbage or truncated). */
  | 'MALFORMED_FRAME'
  /** The envelope carries no message, or a kind this version does not know. */
  | 'UNKNOWN_MESSAGE'
  /** A field is missing or has a value the protocol does not allow. */
  | 'INVALID_FIELD'
  /** A value to carry as JSON (appData) is not JSON. */
  | 'NOT_JSON';

/**
 * The only error the framing and conversion functions throw on bad input:
 * `code` says what is wrong, `field` (when known) where.
 */
export class ProtocolError extends Error {
  /** What is wrong. */
  readonly code: ProtocolErrorCode;
  /** Path of the offending field (e.g. `rtpParameters.codecs[0].kind`), when known. */
  readonly field: string | undefined;
  /**
   * Id of the request the frame carried, when the envelope could be read that
   * far: the server answers that id with an error instead of dropping it.
   */
  readonly requestId: number | undefined;

  constructor(
    code: ProtocolErrorCode,
    message: string,
    options?: { field?: string; requestId?: number; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProtocolError';
    this.code = code;
    this.field = options?.field;
    this.requestId = options?.requestId;
  }
}
