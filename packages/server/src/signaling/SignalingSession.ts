import { randomUUID } from 'node:crypto';
import type { pb } from '@x/protocol';
import { logger } from '@x/shared';
import type { Peer } from '../media/Peer.js';
import type { Room } from '../media/Room.js';
import { handlePeerRequest } from './PeerRequests.js';
import type { SignalingConnection } from './SignalingConnection.js';

const log = logger('x:server:SignalingSession');

/** Responses remembered for clients that send a request again after a resume. */
const RESPONSE_MEMORY = 64;

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

  #connection: SignalingConnection | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  readonly #responses = new Map<number, pb.Response>();
  readonly #graceMs: number;
  readonly #onEnd: (session: SignalingSession) => void;

  constructor(options: {
    id: string;
    peer: Peer;
    connection: SignalingConnection;
    graceMs: number;
    onEnd: (session: SignalingSession) => void;
  }) {
    this.id = options.id;
    this.peer = options.peer;
    this.room = options.peer.room;
    this.#connection = options.connection;
    this.#graceMs = options.graceMs;
    this.#onEnd = options.onEnd;
    this.peer.on('notify', (notification) => this.#connection?.send({ notification }));
    this.peer.once('close', () => {
      clearTimeout(this.#graceTimer);
      const connection = this.#connection;
      this.#connection = undefined;
      connection?.end(4000, 'peer closed');
      this.#onEnd(this);
    });
  }

  /** A new session id: random, unguessable. */
  static newId(): string {
    return randomUUID();
  }

  /** The connection the session lives on, if any. */
  get connection(): SignalingConnection | undefined {
    return this.#connection;
  }

  /** Handles a request of the peer; a request id already answered gets the same answer again. */
  async handleRequest(request: pb.Request): Promise<pb.Response> {
    const remembered = this.#responses.get(request.id);
    if (remembered) return remembered;
    const response = await handlePeerRequest(this.peer, request);
    this.#responses.set(request.id, response);
    if (this.#responses.size > RESPONSE_MEMORY) {
      const oldest = this.#responses.keys().next().value;
      if (oldest !== undefined) this.#responses.delete(oldest);
    }
    return response;
  }

  /** The connection was lost: keep the peer for the grace period. */
  detach(connection: SignalingConnection): void {
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
  attach(connection: SignalingConnection): void {
    clearTimeout(this.#graceTimer);
    const old = this.#connection;
    this.#connection = connection;
    if (old && old !== connection) old.end(4001, 'session resumed on another connection');
    log.debug('session of %s resumed', this.peer.name);
  }
}
