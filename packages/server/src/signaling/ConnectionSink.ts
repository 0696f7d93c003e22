// What carries a signaling connection's frames, and what is known of it.

/** Where a connection's frames go: a WebSocket, or any transport of the app's. */
export interface ConnectionSink {
  /** Sends one binary frame to the client. */
  send(frame: Uint8Array): void;
  /**
   * Closes the transport with a code (WebSocket codes: 4000+ are ours) and a
   * reason. A transport that can tell when the closing message has left
   * returns a promise of it: a draining server waits for it before it exits.
   */
  close(code: number, reason: string): void | Promise<void>;
  /** Cuts the transport at once, without a closing handshake (as a network failure would). */
  terminate?(): void;
  /**
   * The largest message the transport should accept from now on, in bytes
   * (raised once the client has joined). A transport that buffers messages
   * before handing them over enforces it there, fragments included.
   */
  setMaxMessageSize?(bytes: number): void;
}

/** What the server knows of a connection before the client speaks: for room selection and logs. */
export interface ConnectionInfo {
  /** The URL the client connected to. */
  url?: URL;
  /** Request headers. */
  headers?: Record<string, string | string[] | undefined>;
  /** The client's address. */
  remoteAddress?: string;
}
