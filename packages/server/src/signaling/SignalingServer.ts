import type { RtpCapabilities } from '@x/protocol';
import { logger, Observer } from '@x/shared';
import type { Room } from '../media/Room.js';
import { SfuError } from '../util/errors.js';
import type { Limits } from '../util/limits.js';
import { type AccessTokenClaims, type Authorization, key, verifyAccessToken } from './auth.js';
import type { ConnectionInfo, ConnectionSink } from './ConnectionSink.js';
import type { PingSettings } from './RoomRequests.js';
import { isRoom, type RoomHost, type RoomRequest, type RoomSelector } from './roomSelection.js';
import { SignalingConnection } from './SignalingConnection.js';
import type { SignalingSession } from './SignalingSession.js';
import type { IceServer } from './turn.js';

export {
  type RoomFromUrlOptions,
  type RoomHost,
  type RoomRequest,
  type RoomSelector,
  type RoomSpec,
  roomFromUrl,
} from './roomSelection.js';

const log = logger('x:server:SignalingServer');

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
  /** The SFU server (a `Server`). */
  server: RoomHost;
  /** Decides which room a client joins. See {@link roomFromUrl} for the usual one. */
  selectRoom: RoomSelector;
  /** How long a peer whose connection was lost is kept for it to resume, in ms. Default 20000. */
  sessionGraceMs?: number;
  /**
   * The liveness pings of joined clients, announced in the join response
   * (as LiveKit does): a client pings every `intervalMs` and, when it hears
   * nothing from the server for `timeoutMs`, drops the connection and
   * resumes on a new one, rather than wait for TCP to give up on a path that
   * died silently (a network change, a NAT that forgot it). `false`: clients
   * do not ping. Default `{ intervalMs: 2000, timeoutMs: 5000 }`.
   */
  ping?: Partial<PingSettings> | false;
  /**
   * Access control, required: `{ secret }` to require access tokens, or
   * `'none'` to let anyone in (development, or an app that authenticates
   * connections itself).
   */
  auth: AuthOptions;
}

/** The ping settings, defaults applied; refused when they cannot work. */
function resolvePing(ping: SignalingOptions['ping']): PingSettings | undefined {
  if (ping === false) return undefined;
  const intervalMs = ping?.intervalMs ?? 2000;
  const timeoutMs = ping?.timeoutMs ?? 5000;
  if (!Number.isInteger(intervalMs) || intervalMs < 100)
    throw new TypeError('SignalingOptions.ping.intervalMs must be an integer of at least 100 (ms)');
  if (!Number.isInteger(timeoutMs) || timeoutMs <= intervalMs)
    throw new TypeError(
      'SignalingOptions.ping.timeoutMs must be an integer larger than ping.intervalMs (ms): a client waits for a pong longer than it waits to ping',
    );
  return { intervalMs, timeoutMs };
}

/** Events of a {@link SignalingServer.observer}. */
export type SignalingServerEvents = {
  /** A client's request was answered: its method ('join', 'createTransport', …), 'OK' or the error code, the time taken. */
  request: [method: string, code: string, durationMs: number];
};

/**
 * The signaling side of the server, whatever carries the bytes: each client
 * connection is a {@link SignalingConnection}, each joined peer a
 * {@link SignalingSession} that survives reconnections. The WebSocket
 * endpoint is built on it; apps with their own transport call
 * {@link SignalingServer.connect} directly.
 */
export class SignalingServer {
  /** The SFU server. */
  readonly server: RoomHost;
  /** What monitoring watches (requests answered). */
  readonly observer = new Observer<SignalingServerEvents>();
  /** Grace period of a lost connection, in ms. */
  readonly sessionGraceMs: number;
  /** The liveness pings of its clients; undefined: off. */
  readonly ping: PingSettings | undefined;

  readonly #selectRoom: RoomSelector;
  readonly #secret: string | Uint8Array | undefined;
  readonly #sessions = new Map<string, SignalingSession>();
  readonly #connections = new Set<SignalingConnection>();
  readonly #creating = new Map<string, Promise<Room>>();
  #silenceTimer: NodeJS.Timeout | undefined;

  constructor(options: SignalingOptions) {
    this.server = options.server;
    this.#selectRoom = options.selectRoom;
    this.sessionGraceMs = options.sessionGraceMs ?? 20_000;
    this.ping = resolvePing(options.ping);
    if (this.ping) {
      // A client that pings and goes silent lost its path: its peer starts
      // its grace period now, not when TCP or the WebSocket ping gives up.
      const { intervalMs, timeoutMs } = this.ping;
      this.#silenceTimer = setInterval(() => {
        const now = Date.now();
        for (const connection of this.#connections)
          if (connection.silentFor(timeoutMs + intervalMs, now)) {
            log.debug('connection silent for %d ms: dropped', timeoutMs + intervalMs);
            connection.drop();
          }
      }, intervalMs);
      this.#silenceTimer.unref();
    }
    const auth = options.auth;
    if (auth === 'none') {
      log.warn('auth is "none": anyone may join any room as anyone');
    } else if (auth && typeof auth === 'object' && auth.secret) {
      // Fails now, not at the first join, on a secret that is too short.
      key(auth.secret);
      this.#secret = auth.secret;
    } else {
      throw new TypeError(
        "signaling needs `auth`: { secret } to require access tokens, or 'none' to let anyone join as anyone",
      );
    }
  }

  /** @internal TURN servers with fresh credentials for a joining or resuming peer. */
  iceServers(): IceServer[] {
    return this.server.iceServers();
  }

  /** @internal The server's limits. */
  get limits(): Limits {
    return this.server.limits;
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
    clearInterval(this.#silenceTimer);
    for (const connection of this.#connections) connection.end(1001, 'server going away');
  }

  /**
   * @internal The room a client queries: its capabilities, whether it is
   * open or not yet created (a query creates nothing).
   */
  async queryRoom(request: RoomRequest): Promise<RtpCapabilities> {
    const selected = await this.#selectRoom(request);
    this.assertTokenRoom(request.claims, selected.id);
    if (isRoom(selected)) return selected.rtpCapabilities;
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

  /** @internal A connection answered a request. */
  requestAnswered(method: string, code: string, durationMs: number): void {
    this.observer.notify('request', method, code, durationMs);
  }

  /** @internal `closing`: the closing frame sent, when the server closed it. */
  connectionClosed(connection: SignalingConnection, closing?: Promise<void>): void {
    if (closing) this.server.farewell?.(closing);
    this.#connections.delete(connection);
    log.debug('connection closed (%d open)', this.#connections.size);
  }

  private assertTokenRoom(claims: AccessTokenClaims | undefined, roomId: string): void {
    if (claims && claims.room !== roomId)
      throw new SfuError('FORBIDDEN', `the token is for room "${claims.room}", not "${roomId}"`);
  }
}
