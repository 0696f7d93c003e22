import { type ErrorCodeName, ProtocolError } from '@x/protocol';

/** What went wrong: the `x.signaling.v1.ErrorCode` names, without their prefix. */
export type ErrorCode = Exclude<ErrorCodeName, 'UNSPECIFIED'>;

/**
 * An error with a code a program can act on. Requests that fail with one are
 * answered with its code and message; the peer and the room go on.
 */
export class SfuError extends Error {
  /** What went wrong. */
  readonly code: ErrorCode;
  /** The offending field, when one is at fault (e.g. `rtpParameters.codecs`). */
  readonly field: string | undefined;
  /** Another node to go to (NODE_UNAVAILABLE): its signaling URL. */
  readonly redirectUrl: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { field?: string; cause?: unknown; redirectUrl?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SfuError';
    this.code = code;
    this.field = options?.field;
    this.redirectUrl = options?.redirectUrl;
  }
}

/** Thrown when an object is used in a state that does not allow it (closed, say). */
export class InvalidStateError extends SfuError {
  constructor(message: string) {
    super('INVALID_STATE', message);
    this.name = 'InvalidStateError';
  }
}

/**
 * Any error as a protocol Error. Known errors keep their code; mediasoup's
 * TypeError (bad arguments) is a BAD_REQUEST and its UnsupportedError an
 * UNSUPPORTED; anything else is INTERNAL.
 */
export function toSfuError(error: unknown): SfuError {
  if (error instanceof SfuError) return error;
  if (error instanceof ProtocolError) {
    return new SfuError('BAD_REQUEST', error.message, { field: error.field, cause: error });
  }
  if (error instanceof TypeError)
    return new SfuError('BAD_REQUEST', error.message, { cause: error });
  if (error instanceof Error && error.name === 'UnsupportedError') {
    return new SfuError('UNSUPPORTED', error.message, { cause: error });
  }
  if (error instanceof Error && error.name === 'InvalidStateError') {
    return new SfuError('INVALID_STATE', error.message, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SfuError('INTERNAL', `internal error: ${message}`, { cause: error });
}
