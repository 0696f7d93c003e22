import { randomUUID } from 'node:crypto';
import type { pb, ServerMessageInit } from '@x/protocol';
import { CLOSE, logger } from '@x/shared';
import type { Peer } from '../media/Peer.js';
import type { Room } from '../media/Room.js';
import type { ConnectionInfo } from './ConnectionSink.js';
import type { PeerSignaling } from './PeerSignaling.js';

const log = logger('x:server:SignalingSession');

/** A signaling connection as its session sees it (a SignalingConnection). */
export interface SessionConnection {
  /** What is known of the connection. */
  readonly info: ConnectionInfo;
  /** Whether the connection is closed. */
  readonly closed: boolean;
  /** Sends a message to the client. */
  send(message: ServerMessageInit): void;
  /** Closes the connection from the server side. */
  end(code: number, reason: string): void;
  /** Cuts it abruptly, as a network failure would: the peer is kept for its grace period. */
  drop(): void;
}

/**
 * The signaling side of one joined peer. It outlives its connection: when the
 * connection is lost the peer is kept for the grace period, and a new
 * connection can resume it (`resumeSession`).
 */
export class SignalingSession {
  /** Opaque session id the client resumes with. */
  readonly id: string;
  /** The peer. */
  readonly peer: Peer;
  /** The peer's room. */
  readonly room: Room;
  /** @internal The peer's signaling: its client's messages in, its notifications out. */
  readonly signaling: PeerSignaling;

  /**
   * @internal The last answers, by request id: a client sends again after a
   * resume what had no answer, and gets the same answer (its connection
   * keeps this).
   */
  readonly responses = new Map<number, pb.Response>();

  #connection: SessionConnection | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  readonly #graceMs: number;
  readonly #onEnd: (session: SignalingSession) => void;

  /** @internal Created by the connection that joined its peer. */
  constructor(options: {
    id: string;
    signaling: PeerSignaling;
    connection: SessionConnection;
    graceMs: number;
    onEnd: (session: SignalingSession) => void;
  }) {
    this.id = options.id;
    this.signaling = options.signaling;
    this.peer = options.signaling.peer;
    this.room = options.signaling.room;
    this.#connection = options.connection;
    this.#graceMs = options.graceMs;
    this.#onEnd = options.onEnd;
    this.signaling.sink = (notification) => this.#connection?.send({ notification });
    // After the peer's signaling sent `closed`: it watches the peer since its creation.
    this.peer.observer.once('close', () => {
      clearTimeout(this.#graceTimer);
      const connection = this.#connection;
      this.#connection = undefined;
      connection?.end(CLOSE.peerClosed.code, CLOSE.peerClosed.reason);
      this.#onEnd(this);
    });
  }

  /** A new session id: random, unguessable. */
  static newId(): string {
    return randomUUID();
  }

  /** The connection the session lives on, if any. */
  get connection(): SessionConnection | undefined {
    return this.#connection;
  }

  /** The connection was lost: keep the peer for the grace period. */
  detach(connection: SessionConnection): void {
    if (this.#connection !== connection || this.peer.closed) return;
    this.#connection = undefined;
    log.debug('session of %s detached; grace %d ms', this.peer.name, this.#graceMs);
    this.#graceTimer = setTimeout(() => {
      this.peer.close(
        undefined,
        'session_expired',
        'the connection was lost for longer than the grace period',
      );
    }, this.#graceMs);
    this.#graceTimer.unref();
  }

  /** A new connection resumes the session; an old one still open is closed. */
  attach(connection: SessionConnection): void {
    clearTimeout(this.#graceTimer);
    const old = this.#connection;
    this.#connection = connection;
    if (old && old !== connection)
      old.end(CLOSE.resumedElsewhere.code, CLOSE.resumedElsewhere.reason);
    log.debug('session of %s resumed', this.peer.name);
  }
}
