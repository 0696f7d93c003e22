import {
  type ClientNotification,
  type ClientRequest,
  decodeServerMessage,
  encodeClientMessage,
  errorCodeValue,
  ProtocolError,
  pb,
  type ServerResponse,
} from '@x/protocol';
import { CLOSE, Emitter, isFinalClose, logger } from '@x/shared';
import { InvalidStateError, RequestError } from '../room/errors.js';
import type { ResumedState } from '../room/Signal.js';
import { watchNetworkChanges } from './networkChanges.js';
import {
  DefaultReconnectPolicy,
  type ReconnectPolicy,
  type ReconnectReason,
} from './ReconnectPolicy.js';
import type { SignalClient } from './SignalClient.js';

const log = logger('x:client:RoomConnection');

/** The WebSocket class to use: the browser's, or `ws`'s in Node. */
export type WebSocketClass = new (url: string) => WebSocket;

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** The WebSocket class. Default: `globalThis.WebSocket`, else the `ws` package (Node). */
  WebSocket?: WebSocketClass;
  /** Reconnect and resume after a lost connection. Default true. */
  reconnect?: boolean;
  /**
   * When to try again after a lost connection, and when to give up. Default:
   * a {@link DefaultReconnectPolicy} (LiveKit's schedule, about 50 s).
   */
  reconnectPolicy?: ReconnectPolicy;
  /**
   * Delays before each reconnection attempt, in ms, each with ±50 % jitter;
   * after the last one, the connection gives up. Shorthand for
   * `reconnectPolicy: new DefaultReconnectPolicy(delays)` (ignored when a
   * policy is given).
   */
  reconnectDelays?: number[];
  /**
   * How long one attempt may take to open its socket, in ms, before it is
   * abandoned for the next (a path that drops packets leaves a TCP connect
   * hanging for minutes). Default 5000.
   */
  connectTimeout?: number;
}

/** State of a {@link RoomConnection}. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Events of a {@link RoomConnection}. */
export type RoomConnectionEvents = {
  /** The connection was lost; attempt `attempt` to reconnect starts. */
  reconnecting: [attempt: number];
  /** Reconnected: the session was resumed, or (after its grace period) the room joined again. */
  reconnected: [mode: 'resume' | 'rejoin'];
  /**
   * The server sent this client to another node of its cluster (this one was
   * full or draining): the connection moves there, and joins (or joins again)
   * by itself.
   */
  redirected: [url: string];
  /** Reconnection gave up: the room is closed. */
  failed: [error: Error];
  /** The connection closed for good. */
  close: [code: number, reason: string];
};

const MAX_OUTBOX = 1000;
/** How often the liveness timer looks (the server's ping interval is longer). */
const LIVENESS_TICK_MS = 250;
/** How long a probe (a transport went quiet) waits for the server's answer, in ms. */
const PROBE_MS = 2000;
/** Redirects followed in a row before the connection gives up (a cluster that sends in circles). */
const MAX_REDIRECTS = 3;
const NODE_UNAVAILABLE = errorCodeValue('NODE_UNAVAILABLE');

interface PendingRequest {
  request: ClientRequest;
  callback: (response: ServerResponse) => void;
  errback: (error: Error) => void;
}

async function defaultWebSocket(): Promise<WebSocketClass> {
  if (typeof globalThis.WebSocket === 'function') return globalThis.WebSocket;
  // Node < 22 has no WebSocket: use the `ws` package (kept out of browser bundles).
  const name = 'ws';
  const ws = (await import(/* @vite-ignore */ name)) as { WebSocket: WebSocketClass };
  return ws.WebSocket;
}

/** The part of a room's observer a connection watches. */
export interface RoomCloseObserver {
  /** Calls `listener` once, when the room closes. */
  once(event: 'close', listener: () => void): unknown;
}

/**
 * A room as a connection carries it (a Room of @x/client): its signal, the
 * state it resumes or rejoins from, and what it is told.
 */
export interface ConnectableRoom {
  /** @internal The room's signal: the connection carries its messages. */
  readonly signal: SignalClient;
  /** Whether the room is joined. */
  readonly joined: boolean;
  /** Whether the room is closed. */
  readonly closed: boolean;
  /** The session id the server gave at join. */
  readonly sessionId: string;
  /** What the connection watches: the room's close. */
  readonly observer: RoomCloseObserver;
  /** Takes a notification from the server. */
  receiveNotification(notification: pb.ServerNotification): void;
  /** Leaves the room. */
  leave(): void;
  /** @internal The session was resumed: align with the room as it is now. */
  applyResume(state: ResumedState): Promise<void>;
  /** @internal The session expired: join again from scratch. */
  rejoin(): Promise<unknown>;
}

/**
 * Carries a room's requests and notifications over a WebSocket to an
 * @x/server endpoint, one protobuf message per binary frame. After a lost
 * connection it reconnects with backoff and jitter and resumes the session
 * (same peer, ICE restarted); once the server's grace period is over it
 * joins again and sends its producers again. Created by {@link connect}.
 */
export class RoomConnection<
  R extends ConnectableRoom = ConnectableRoom,
> extends Emitter<RoomConnectionEvents> {
  #url: string;
  #redirects = 0;
  readonly #room: R;
  readonly #signal: SignalClient;
  #state: ConnectionState = 'connecting';
  #socket: WebSocket | undefined;
  readonly #WebSocket: WebSocketClass;
  readonly #reconnectOn: boolean;
  readonly #connectTimeout: number;
  readonly #policy: ReconnectPolicy;
  // Liveness (the server's JoinResponse says how often): pings sent, the
  // moment the oldest unanswered one left, and the last round trip.
  #liveTimer: ReturnType<typeof setInterval> | undefined;
  #pingSeq = 0;
  #pingAt = 0;
  #silentSince: number | undefined;
  // A probe (a transport went quiet) wants an answer by then.
  #probeBy: number | undefined;
  readonly #pingsSent = new Map<number, number>();
  #rtt: number | undefined;
  // The room's requests without an answer yet: sent again on a new socket.
  readonly #pending = new Map<number, PendingRequest>();
  // The connector's own requests (resume), answered on this socket only.
  readonly #own = new Map<number, (response: ServerResponse) => void>();
  readonly #outbox: ClientNotification[] = [];
  readonly #unwatchNetwork: () => void;

  private constructor(
    room: R,
    url: string,
    WebSocketCtor: WebSocketClass,
    options: ConnectOptions,
  ) {
    super();
    if (!room?.signal) throw new TypeError('connect() needs a Room of @x/client');
    this.#room = room;
    this.#signal = room.signal;
    this.#url = url;
    this.#WebSocket = WebSocketCtor;
    this.#reconnectOn = options.reconnect ?? true;
    this.#connectTimeout = options.connectTimeout ?? 5000;
    this.#policy =
      options.reconnectPolicy ?? new DefaultReconnectPolicy(options.reconnectDelays ?? undefined);
    // The room's messages come to this connection straight, not through its
    // events: an app that removes the room's listeners does not cut it off.
    this.#signal.carryBy({
      request: this.#onRequest,
      notify: this.#onNotify,
      probe: () => this.#probe(),
    });
    // A network change (a new address, Wi-Fi to cellular) likely killed the
    // socket silently: ask the server at once rather than after the ping
    // timeout or once the media path notices.
    this.#unwatchNetwork = watchNetworkChanges(() => this.#probe());
    room.observer.once('close', () => {
      // Let the leave notification go out before the socket closes.
      setTimeout(() => this.close(), 0);
    });
  }

  /** @internal */
  static async open<R extends ConnectableRoom>(
    room: R,
    url: string,
    options: ConnectOptions,
  ): Promise<RoomConnection<R>> {
    const connection = new RoomConnection(
      room,
      url,
      options.WebSocket ?? (await defaultWebSocket()),
      options,
    );
    await connection.#openSocket();
    connection.#state = 'open';
    return connection;
  }

  /** The endpoint URL (another node's, after a redirect). */
  get url(): string {
    return this.#url;
  }

  /** The room it carries. */
  get room(): R {
    return this.#room;
  }

  /** Connection state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * The last round trip of a liveness ping to the server, in ms (undefined
   * before the first pong, or when the server announced no pings).
   */
  get rtt(): number | undefined {
    return this.#rtt;
  }

  /** Closes the connection for good (the room is not left: call `room.leave()` for that). */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#unwatchNetwork();
    this.#stopLiveness();
    this.#signal.carryBy(undefined);
    this.#socket?.close(1000, 'client closed');
    for (const pending of this.#pending.values())
      pending.errback(new InvalidStateError('the connection is closed'));
    this.#pending.clear();
    this.safeEmit('close', 1000, 'client closed');
  }

  readonly #onRequest = (
    request: ClientRequest,
    callback: (r: ServerResponse) => void,
    errback: (e: Error) => void,
  ): boolean => {
    if (this.#state === 'closed') {
      errback(new InvalidStateError('the connection is closed'));
      return true;
    }
    this.#pending.set(request.id, { request, callback, errback });
    if (this.#state === 'open') this.#sendFrame({ request });
    return true;
  };

  readonly #onNotify = (notification: ClientNotification): void => {
    if (this.#state === 'open') this.#sendFrame({ notification });
    else if (this.#state === 'reconnecting' && this.#outbox.length < MAX_OUTBOX)
      this.#outbox.push(notification);
  };

  #sendFrame(message: Parameters<typeof encodeClientMessage>[0]): void {
    try {
      this.#socket?.send(encodeClientMessage(message));
    } catch (error) {
      log.warn('could not send: %o', error);
    }
  }

  #openSocket(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new this.#WebSocket(this.#url);
      socket.binaryType = 'arraybuffer';
      let opened = false;
      const timer = setTimeout(() => {
        if (opened) return;
        socket.onclose = null;
        socket.onopen = null;
        socket.close();
        reject(new Error(`could not connect to ${this.#url} within ${this.#connectTimeout} ms`));
      }, this.#connectTimeout);
      socket.onopen = () => {
        clearTimeout(timer);
        opened = true;
        this.#socket = socket;
        this.#startLiveness(socket);
        resolve();
      };
      socket.onmessage = (event: MessageEvent) => {
        if (this.#socket === socket) {
          this.#silentSince = undefined;
          this.#probeBy = undefined;
        }
        this.#onFrame(event.data);
      };
      socket.onclose = (event: CloseEvent) => {
        if (!opened) {
          clearTimeout(timer);
          reject(new Error(`could not connect to ${this.#url} (code ${event.code})`));
          return;
        }
        if (this.#socket === socket) this.#onSocketClosed(event.code, event.reason);
      };
      socket.onerror = () => log.debug('socket error');
    });
  }

  #onFrame(data: unknown): void {
    let message: pb.ServerMessage;
    try {
      message = decodeServerMessage(data instanceof ArrayBuffer ? data : (data as Uint8Array));
    } catch (error) {
      if (error instanceof ProtocolError && error.requestId !== undefined) {
        this.#pending.get(error.requestId)?.errback(error);
        this.#pending.delete(error.requestId);
      }
      log.warn('bad frame from the server: %o', error);
      return;
    }
    if (message.response) {
      const response = message.response;
      const own = this.#own.get(response.id);
      if (own) {
        this.#own.delete(response.id);
        own(response);
        return;
      }
      const pending = this.#pending.get(response.id);
      // A join refused by a node that is full or draining goes to the node it names.
      if (pending?.request.join && this.#redirect(response.error)) return;
      if (response.error?.code !== NODE_UNAVAILABLE) this.#redirects = 0;
      this.#pending.delete(response.id);
      pending?.callback(response);
    } else if (message.notification) {
      if (message.notification.pong) {
        this.#onPong(message.notification.pong.seq);
        return;
      }
      const closed = message.notification.closed;
      // A draining node moves its peers: join again through the node it names.
      if (
        closed?.reason === pb.CloseReason.CLOSE_REASON_NODE_DRAINING &&
        this.#room.joined &&
        this.#redirect(closed)
      )
        return;
      this.#room.receiveNotification(message.notification);
    }
  }

  /**
   * Pings the server every `intervalMs` once joined; a server silent for
   * `timeoutMs` after a ping left means a dead path (TCP would take minutes
   * to say so): the socket is dropped and the session resumed on a new one.
   * Silence counts from the first unanswered ping, not from the last frame,
   * so that a page whose timers the browser throttles is not cut off.
   */
  #startLiveness(socket: WebSocket): void {
    this.#stopLiveness();
    this.#silentSince = undefined;
    this.#pingAt = 0;
    this.#liveTimer = setInterval(() => {
      const live = this.#signal.liveness;
      if (!live || this.#socket !== socket || this.#state !== 'open' || !this.#room.joined) return;
      const now = Date.now();
      const probeFailed = this.#probeBy !== undefined && now > this.#probeBy;
      if (
        this.#silentSince !== undefined &&
        (now - this.#silentSince > live.timeoutMs || probeFailed)
      ) {
        log.warn('no answer from the server for %d ms: reconnecting', now - this.#silentSince);
        this.#socket = undefined;
        this.#stopLiveness();
        // Its close handshake cannot complete on a dead path: do not wait for it.
        socket.onclose = null;
        socket.onmessage = null;
        socket.close(CLOSE.pingTimeout.code, CLOSE.pingTimeout.reason);
        this.#onSocketClosed(CLOSE.pingTimeout.code, CLOSE.pingTimeout.reason, 'ping-timeout');
        return;
      }
      if (now - this.#pingAt >= live.intervalMs) this.#ping(now);
    }, LIVENESS_TICK_MS);
  }

  #ping(now: number): void {
    this.#pingAt = now;
    this.#silentSince ??= now;
    const seq = ++this.#pingSeq >>> 0;
    this.#pingsSent.set(seq, now);
    // Only the last few can still be answered.
    if (this.#pingsSent.size > 8) this.#pingsSent.delete(this.#pingsSent.keys().next().value!);
    this.#sendFrame({ notification: pb.ClientNotification.create({ ping: { seq } }) });
  }

  /**
   * A transport went quiet, or the browser says its network changed: ping
   * now, and count the connection dead if the server does not answer within
   * PROBE_MS (either makes a dead signaling path likely), not the full
   * timeout.
   */
  #probe(): void {
    const live = this.#signal.liveness;
    if (!live || !this.#socket || this.#state !== 'open' || !this.#room.joined) return;
    const now = Date.now();
    if (this.#probeBy !== undefined) return;
    this.#probeBy = now + Math.min(PROBE_MS, live.timeoutMs);
    this.#ping(now);
  }

  #stopLiveness(): void {
    clearInterval(this.#liveTimer);
    this.#liveTimer = undefined;
    this.#probeBy = undefined;
    this.#pingsSent.clear();
  }

  #onPong(seq: number): void {
    const sentAt = this.#pingsSent.get(seq);
    if (sentAt === undefined) return;
    this.#pingsSent.delete(seq);
    this.#rtt = Date.now() - sentAt;
  }

  /** Moves to the node a NODE_UNAVAILABLE or node_draining names; false when it names none (or one too many). */
  #redirect(target: { code?: number; redirectUrl?: string } | null | undefined): boolean {
    if (!target?.redirectUrl || !this.#reconnectOn) return false;
    if (target.code !== undefined && target.code !== NODE_UNAVAILABLE) return false;
    if (this.#redirects >= MAX_REDIRECTS) return false;
    let url: string;
    try {
      url = new URL(target.redirectUrl).toString();
    } catch {
      log.warn('the server redirected to a bad URL: %s', target.redirectUrl);
      return false;
    }
    this.#redirects++;
    log.debug('redirected to %s', url);
    this.#url = url;
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000, 'redirected');
    this.#stopLiveness();
    this.#state = 'reconnecting';
    this.safeEmit('redirected', url);
    void this.#reconnect('redirected');
    return true;
  }

  #onSocketClosed(code: number, reason: string, why: ReconnectReason = 'closed'): void {
    this.#socket = undefined;
    this.#stopLiveness();
    if (this.#state === 'closed') return;
    const resumable = this.#reconnectOn && !this.#room.closed && !isFinalClose(code);
    if (!resumable) {
      this.close();
      return;
    }
    log.debug('connection lost (%d %s): reconnecting', code, reason);
    this.#state = 'reconnecting';
    void this.#reconnect(why);
  }

  async #reconnect(reason: ReconnectReason): Promise<void> {
    const lostAt = Date.now();
    let attempt = 0;
    for (; ; attempt++) {
      if (this.#state !== 'reconnecting') return;
      let delay: number | null;
      try {
        delay = this.#policy.nextRetryDelayInMs({
          retryCount: attempt,
          elapsedMs: Date.now() - lostAt,
          reason,
        });
      } catch (error) {
        log.warn('the reconnect policy threw: giving up (%o)', error);
        delay = null;
      }
      if (delay === null) break;
      this.safeEmit('reconnecting', attempt + 1);
      await new Promise((r) => setTimeout(r, delay));
      if (this.#state !== 'reconnecting') return;
      try {
        await this.#openSocket();
      } catch (error) {
        log.debug('attempt %d failed: %o', attempt + 1, error);
        continue;
      }
      try {
        const mode = await this.#restore();
        this.safeEmit('reconnected', mode);
        return;
      } catch (error) {
        log.warn('could not restore the session: %o', error);
        const socket = this.#socket;
        this.#socket = undefined;
        socket?.close(1000, 'restore failed');
        // restore() may have moved the state on before it failed.
        if ((this.#state as ConnectionState) === 'closed') return;
        this.#state = 'reconnecting';
      }
    }
    const error = new Error(`could not reconnect to ${this.#url} after ${attempt} attempts`);
    this.safeEmit('failed', error);
    this.#room.leave();
    this.close();
  }

  /**
   * Resumes the session on the new socket (then sends again what waited), or,
   * if it expired, joins again from scratch.
   */
  async #restore(): Promise<'resume' | 'rejoin'> {
    if (!this.#room.joined) {
      // Lost before the join completed: its request goes again as it is.
      this.#reopen();
      return 'resume';
    }
    let state: ResumedState | undefined;
    try {
      state = await this.#signal.resume(this.#room.sessionId, (request, callback) => {
        this.#own.set(request.id, callback);
        this.#sendFrame({ request });
      });
    } catch (error) {
      if (!(error instanceof RequestError && error.code === 'SESSION_EXPIRED')) throw error;
    } finally {
      this.#own.clear();
    }
    if (!state) return this.#rejoin();
    // Requests without an answer go again (the server answers one it already
    // handled from memory), then the room aligns with the server's state.
    this.#reopen();
    await this.#room.applyResume(state);
    return 'resume';
  }

  /** The session expired: what was pending belonged to it; join again from scratch. */
  async #rejoin(): Promise<'rejoin'> {
    for (const pending of this.#pending.values())
      pending.errback(new InvalidStateError('the session expired before the request was answered'));
    this.#pending.clear();
    this.#outbox.length = 0;
    this.#state = 'open';
    await this.#room.rejoin();
    return 'rejoin';
  }

  #reopen(): void {
    this.#state = 'open';
    for (const pending of this.#pending.values()) this.#sendFrame({ request: pending.request });
    for (const notification of this.#outbox.splice(0)) this.#sendFrame({ notification });
  }
}

/**
 * Connects a room to an @x/server WebSocket endpoint (e.g.
 * `wss://sfu.example.com/?roomId=demo`); resolves once the socket is open.
 */
export function connect<R extends ConnectableRoom>(
  room: R,
  url: string,
  options: ConnectOptions = {},
): Promise<RoomConnection<R>> {
  return RoomConnection.open(room, url, options);
}
