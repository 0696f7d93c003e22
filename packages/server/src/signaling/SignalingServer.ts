import type { AppData, RtpCapabilities } from '@x/protocol';
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
  /** 'query' (queryRoom: nothing may be created for it) or 'join' (authorized). */
  purpose: 'query' | 'join';
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

/**
 * A room that may not exist yet: the server creates it at the first
 * authorized join (a `queryRoom` or a refused join creates nothing).
 */
export interface RoomSpec {
  /** Room id. */
  id: string;
  /** Codecs of the room when it is created (default: the server's). */
  mediaCodecs?: RoomMediaCodec[];
  /** The app's data about the room when it is created. */
  appData?: AppData;
  /** Close the room once empty for `limits.emptyRoomTimeoutMs`. Default true. */
  closeWhenEmpty?: boolean;
}

/**
 * Picks the room a client queries or joins: an open Room, or a
 * {@link RoomSpec} the server creates on the first authorized join. Throw
 * an SfuError to refuse.
 */
export type RoomSelector = (request: RoomRequest) => Room | RoomSpec | Promise<Room | RoomSpec>;

/** Access control of a signaling server. */
export type AuthOptions =
  | {
      /** Access tokens (JWT, HS256, made with `createAccessToken`): every queryRoom and join needs a valid one. */
      secret: string | Uint8Array;
    }
  /** No access control: anyone may join any room as anyone. Say so explicitly; a warning is logged. */
  | 'none';

/** Options of a {@link SignalingServer}. */
export interface SignalingOptions {
  /** The SFU server. */
  server: Server;
  /** Decides which room a client joins. See {@link roomFromUrl} for the usual one. */
  selectRoom: RoomSelector;
  /** How long a peer whose connection was lost is kept for it to resume, in ms. Default 20000. */
  sessionGraceMs?: number;
  /**
   * Access control, required: `{ secret }` to require access tokens, or
   * `'none'` to let anyone in (development, or an app that authenticates
   * connections itself).
   */
  auth: AuthOptions;
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
  readonly #secret: string | Uint8Array | undefined;
  readonly #sessions = new Map<string, SignalingSession>();
  readonly #connections = new Set<SignalingConnection>();
  readonly #creating = new Map<string, Promise<Room>>();

  constructor(options: SignalingOptions) {
    this.server = options.server;
    this.#selectRoom = options.selectRoom;
    this.sessionGraceMs = options.sessionGraceMs ?? 20_000;
    const auth = options.auth;
    if (auth === 'none') {
      log.warn('auth is "none": anyone may join any room as anyone');
    } else if (auth && typeof auth === 'object' && auth.secret) {
      this.#secret = auth.secret;
      // Fails now, not at the first join, on a secret that is too short.
      verifyAccessToken('x', auth.secret, '').catch(() => undefined);
    } else {
      throw new TypeError(
        "signaling needs `auth`: { secret } to require access tokens, or 'none' to let anyone join as anyone",
      );
    }
  }

  /** Whether clients need an access token. */
  get requiresToken(): boolean {
    return this.#secret !== undefined;
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

  /**
   * @internal The room a client queries: its capabilities, whether it is
   * open or not yet created (a query creates nothing).
   */
  async queryRoom(request: RoomRequest): Promise<RtpCapabilities> {
    const selected = await this.#selectRoom(request);
    if (isRoom(selected)) return selected.rtpCapabilities;
    this.assertTokenRoom(request.claims, selected.id);
    const open = this.server.getRoom(selected.id);
    return open ? open.rtpCapabilities : this.server.rtpCapabilitiesFor(selected.mediaCodecs);
  }

  /** @internal The room an authorized client joins: created now if it is only a spec. */
  async joinRoom(request: RoomRequest): Promise<Room> {
    const selected = await this.#selectRoom(request);
    const id = selected.id;
    this.assertTokenRoom(request.claims, id);
    if (isRoom(selected)) return selected;
    const open = this.server.getRoom(id);
    if (open) return open;
    let pending = this.#creating.get(id);
    if (!pending) {
      pending = this.server.createRoom(selected);
      this.#creating.set(id, pending);
      pending.finally(() => this.#creating.delete(id)).catch(() => undefined);
    }
    return pending;
  }

  /** @internal Checks a client's token when the server requires one (peer name: for a join). */
  async authenticate(token: string, peerName?: string): Promise<Authorization | undefined> {
    if (this.#secret === undefined) return undefined;
    return verifyAccessToken(token, this.#secret, peerName);
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

  private assertTokenRoom(claims: AccessTokenClaims | undefined, roomId: string): void {
    if (claims && claims.room !== roomId)
      throw new SfuError('FORBIDDEN', `the token is for room "${claims.room}", not "${roomId}"`);
  }
}

function isRoom(selected: Room | RoomSpec): selected is Room {
  return typeof (selected as Room).join === 'function';
}

/** Options of {@link roomFromUrl}. */
export interface RoomFromUrlOptions {
  /** The query parameter naming the room. Default 'roomId'. */
  param?: string;
  /** Codecs of rooms it creates (default: the server's defaults). */
  mediaCodecs?: RoomMediaCodec[];
  /** Close a room once it has had no peer for `limits.emptyRoomTimeoutMs`. Default true. */
  closeWhenEmpty?: boolean;
}

/**
 * A room selector for the common case: the room named in the connection URL
 * (`?roomId=name`), created at its first authorized join.
 */
export function roomFromUrl(server: Server, options: RoomFromUrlOptions = {}): RoomSelector {
  const param = options.param ?? 'roomId';
  return ({ connection }) => {
    const id = connection.url?.searchParams.get(param);
    if (!id) {
      throw new SfuError(
        'BAD_REQUEST',
        `the connection URL names no room: add ?${param}=<room> to it`,
      );
    }
    if (id.length > 256) throw new SfuError('BAD_REQUEST', 'a room id has at most 256 characters');
    return (
      server.getRoom(id) ?? {
        id,
        mediaCodecs: options.mediaCodecs,
        closeWhenEmpty: options.closeWhenEmpty ?? true,
      }
    );
  };
}
