import type { AppData } from '@x/protocol';
import { logger } from '@x/shared';
import type { RoomMediaCodec } from '../media/mediaCodecs.js';
import type { Room } from '../media/Room.js';
import type { Server } from '../Server.js';
import { SfuError } from '../util/errors.js';
import { type AccessTokenClaims, type Authorization, verifyAccessToken } from './auth.js';
import {
  type ConnectionInfo,
  type ConnectionSink,
  SignalingConnection,
} from './SignalingConnection.js';
import type { SignalingSession } from './SignalingSession.js';

const log = logger('x:server:SignalingServer');

/** What the app is asked when a client queries or joins: which room is it for? */
export interface RoomRequest {
  /** The connection (URL, headers, address). */
  connection: ConnectionInfo;
  /** Peer name (absent for `queryRoom`). */
  peerName?: string;
  /** The access token the client sent. */
  token?: string;
  /** Its verified claims, when the server checks tokens. */
  claims?: AccessTokenClaims;
  /** The appData the client joins with. */
  appData?: AppData;
}

/** Picks (or creates) the room a client queries or joins. Throw an SfuError to refuse. */
export type RoomSelector = (request: RoomRequest) => Room | Promise<Room>;

/** Options of a {@link SignalingServer}. */
export interface SignalingOptions {
  /** The SFU server. */
  server: Server;
  /** Decides which room a client joins. See {@link roomFromUrl} for the usual one. */
  selectRoom: RoomSelector;
  /** How long a peer whose connection was lost is kept for it to resume, in ms. Default 20000. */
  sessionGraceMs?: number;
  /**
   * Access tokens (JWT, HS256, made with `createAccessToken`): with a secret,
   * every join needs a valid token for its room and peer name.
   */
  auth?: { secret: string | Uint8Array };
}

/**
 * The signaling side of the server, whatever carries the bytes: each client
 * connection is a {@link SignalingConnection}, each joined peer a
 * {@link SignalingSession} that survives reconnections. The WebSocket
 * endpoint is built on it; apps with their own transport call
 * {@link SignalingServer.connect} directly.
 */
export class SignalingServer {
  /** The SFU server. */
  readonly server: Server;
  /** Grace period of a lost connection, in ms. */
  readonly sessionGraceMs: number;

  readonly #selectRoom: RoomSelector;
  readonly #auth: SignalingOptions['auth'];
  readonly #sessions = new Map<string, SignalingSession>();
  readonly #connections = new Set<SignalingConnection>();

  constructor(options: SignalingOptions) {
    this.server = options.server;
    this.#selectRoom = options.selectRoom;
    this.sessionGraceMs = options.sessionGraceMs ?? 20_000;
    this.#auth = options.auth;
    if (this.#auth) {
      // Fails now, not at the first join, on a secret that is too short.
      verifyAccessToken('x', this.#auth.secret, '').catch(() => undefined);
    }
  }

  /** Open connections. */
  get connections(): SignalingConnection[] {
    return [...this.#connections];
  }

  /** Live sessions (joined peers, connected or within their grace period). */
  get sessions(): SignalingSession[] {
    return [...this.#sessions.values()];
  }

  /** Starts a connection whose frames go to `sink`; give it the client's frames with `receive()`. */
  connect(sink: ConnectionSink, info: ConnectionInfo = {}): SignalingConnection {
    const connection = new SignalingConnection(this, sink, info);
    this.#connections.add(connection);
    return connection;
  }

  /** Ends every connection. */
  close(): void {
    for (const connection of this.#connections) connection.end(1001, 'server going away');
  }

  /** @internal */
  async selectRoom(request: RoomRequest): Promise<Room> {
    return this.#selectRoom(request);
  }

  /** @internal Checks a join's token when the server requires one. */
  async authenticate(request: {
    token: string;
    peerName: string;
    connection: ConnectionInfo;
  }): Promise<Authorization | undefined> {
    if (!this.#auth) return undefined;
    return verifyAccessToken(request.token, this.#auth.secret, request.peerName);
  }

  /** @internal */
  addSession(session: SignalingSession): SignalingSession {
    this.#sessions.set(session.id, session);
    return session;
  }

  /** @internal */
  removeSession(session: SignalingSession): void {
    this.#sessions.delete(session.id);
  }

  /** @internal */
  getSession(id: string): SignalingSession | undefined {
    return this.#sessions.get(id);
  }

  /** @internal */
  connectionClosed(connection: SignalingConnection): void {
    this.#connections.delete(connection);
    log.debug('connection closed (%d open)', this.#connections.size);
  }
}

/** Options of {@link roomFromUrl}. */
export interface RoomFromUrlOptions {
  /** The query parameter naming the room. Default 'roomId'. */
  param?: string;
  /** Codecs of rooms it creates (default: the server's defaults). */
  mediaCodecs?: RoomMediaCodec[];
  /** Close a room when its last peer leaves. Default true. */
  closeWhenEmpty?: boolean;
}

/**
 * A room selector for the common case: the room named in the connection URL
 * (`?roomId=name`), created on first use.
 */
export function roomFromUrl(server: Server, options: RoomFromUrlOptions = {}): RoomSelector {
  const param = options.param ?? 'roomId';
  const creating = new Map<string, Promise<Room>>();
  return async ({ connection }) => {
    const id = connection.url?.searchParams.get(param);
    if (!id) {
      throw new SfuError(
        'BAD_REQUEST',
        `the connection URL names no room: add ?${param}=<room> to it`,
      );
    }
    const existing = server.getRoom(id);
    if (existing) return existing;
    let pending = creating.get(id);
    if (!pending) {
      pending = server.createRoom({ id, mediaCodecs: options.mediaCodecs }).then((room) => {
        if (options.closeWhenEmpty ?? true) {
          room.on('newpeer', (peer) => {
            peer.once('close', () => {
              if (room.peers.length === 0) room.close();
            });
          });
        }
        return room;
      });
      creating.set(id, pending);
      pending.finally(() => creating.delete(id)).catch(() => undefined);
    }
    return pending;
  };
}
