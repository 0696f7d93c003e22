// The WebSocket close codes of the signaling connection (4000-4999 are the
// application's), with the reason the server sends and whether a client
// should give up: written once, read by the server that closes and the
// client that reconnects.

/** One close code of the signaling connection. */
export interface CloseCode {
  /** The WebSocket close code. */
  code: number;
  /** The reason the server sends with it. */
  reason: string;
  /**
   * The server ended the session on purpose: a client does not reconnect
   * (the peer is gone, or another connection has it).
   */
  final: boolean;
}

/** The application close codes of the signaling connection. */
export const CLOSE = {
  /** The peer was closed (the `closed` notification said why). */
  peerClosed: { code: 4000, reason: 'peer closed', final: true },
  /** The session was resumed on another connection. */
  resumedElsewhere: { code: 4001, reason: 'session resumed on another connection', final: true },
  /** Too many bad messages. */
  protocolViolation: { code: 4002, reason: 'protocol violation', final: true },
  /** Cut without a closing handshake, as a network failure would. */
  dropped: { code: 4003, reason: 'dropped', final: false },
  /** No join or resume within `limits.joinTimeoutMs`. */
  joinTimeout: { code: 4008, reason: 'no join or resume in time', final: false },
  /** The client did not read what the server sent (`limits.maxOutboundBytes`): resume to go on. */
  slowConsumer: { code: 4009, reason: 'slow consumer: resume to go on', final: false },
  /** Closed by the client: the server did not answer its liveness pings in time. */
  pingTimeout: { code: 4010, reason: 'no answer to pings', final: false },
} as const satisfies Record<string, CloseCode>;

/** The close codes by name: what `CLOSE_CODES.peerClosed` and the like compare with. */
export const CLOSE_CODES = Object.fromEntries(
  Object.entries(CLOSE).map(([name, { code }]) => [name, code]),
) as { readonly [K in keyof typeof CLOSE]: (typeof CLOSE)[K]['code'] };

/** WebSocket's own codes after which a client does not reconnect: a normal close, a refused frame type. */
const FINAL_WEBSOCKET_CODES = new Set([1000, 1003]);

/** Whether a client should not reconnect after its connection closed with `code`. */
export function isFinalClose(code: number): boolean {
  if (FINAL_WEBSOCKET_CODES.has(code)) return true;
  return Object.values(CLOSE).some((c) => c.code === code && c.final);
}
