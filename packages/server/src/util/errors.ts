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

/** Known reasons a media worker refuses to start, with what to do about them. */
const START_HINTS: [RegExp, string][] = [
  [
    /ee key too small|key too small|ca md too weak/i,
    "the system's OpenSSL refuses the DTLS certificate's key or signature as too weak: use an ECDSA (P-256) key, or RSA of 2048 bits or more (dtlsCertificateFile, dtlsPrivateKeyFile)",
  ],
  [
    /No such file|cannot open|could not load|failed to load/i,
    'check dtlsCertificateFile and dtlsPrivateKeyFile',
  ],
  [
    /address already in use|EADDRINUSE/i,
    'another process has the port: choose another (webRtcServer.port)',
  ],
];

/**
 * A media worker could not start (`Server.create`, or a worker replacing a
 * dead one). The message carries the worker's own reason, and what to do
 * when the reason is a known one.
 */
export class WorkerStartError extends Error {
  /** `'ERR_WORKER_START'`: the worker could not start. */
  readonly code = 'ERR_WORKER_START';
  /** What the worker said, as it said it. */
  readonly reason: string;

  constructor(what: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const hint = START_HINTS.find(([pattern]) => pattern.test(reason))?.[1];
    super(`${what} could not start: ${reason}${hint ? ` (${hint})` : ''}`, { cause });
    this.name = 'WorkerStartError';
    this.reason = reason;
  }
}
