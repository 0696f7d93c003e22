import { createServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { logger } from '@x/shared';
import { type WebSocket, WebSocketServer } from 'ws';
import { ConnectionCaps } from './ConnectionCaps.js';
import { type SignalingOptions, SignalingServer } from './SignalingServer.js';

const log = logger('x:server:WebSocketEndpoint');

/** Options of a {@link WebSocketEndpoint}. */
export interface WebSocketEndpointOptions extends SignalingOptions {
  /** An HTTP(S) server to share (the endpoint answers upgrades on `path`). Default: its own server on `port`. */
  httpServer?: HttpServer | HttpsServer;
  /** Port of its own HTTP server (0: any free port). Default 0. */
  port?: number;
  /** Host of its own HTTP server. Default all interfaces. */
  host?: string;
  /** URL path of the endpoint. Default '/'. */
  path?: string;
  /**
   * Interval of the server's WebSocket-level pings, in ms (browsers answer
   * them without the page): a client that misses two is dropped. Default
   * 10000. The clients' own liveness pings are `ping`.
   */
  pingIntervalMs?: number;
  /**
   * Origins whose pages may connect (the `Origin` header of the upgrade, e.g.
   * `'https://app.example.com'`), or a function that decides; others get
   * 403. Default: any. Clients that are not browsers send no Origin and are
   * not concerned.
   */
  allowedOrigins?: string[] | ((origin: string, request: IncomingMessage) => boolean);
  /**
   * The client's address, for the per-address connection cap. Default: the
   * socket's peer address. Behind a proxy, read what it forwards (and only
   * from your proxy), e.g. `(req) => req.headers['x-real-ip']`.
   */
  clientAddress?: (request: IncomingMessage) => string | undefined;
}

// ws keeps the message size limit in its receiver; it is raised per
// connection once the client has joined (ws 8's Receiver: `_maxPayload`,
// checked against each frame header and the running total of a fragmented
// message, before any payload is buffered).
type WithReceiver = { _receiver?: { _maxPayload: number } };

/**
 * The ready WebSocket endpoint (the `ws` package): one protobuf message per
 * binary frame, both ways. The app decides which room a connection joins
 * (`selectRoom`); lost connections can resume within the grace period.
 * Connections are capped globally and per address (503 and 429 at the
 * upgrade), strangers must join within `limits.joinTimeoutMs` with small
 * frames, and a client that stops reading is cut before the server buffers
 * more than `limits.maxOutboundBytes` for it.
 *
 * @example
 * ```ts
 * const endpoint = await WebSocketEndpoint.listen({
 *   server,
 *   port: 8080,
 *   selectRoom: roomFromUrl(server),
 *   auth: { secret: process.env.TOKEN_SECRET! },
 * });
 * // clients connect to ws://host:8080/?roomId=demo with a token from createAccessToken()
 * ```
 */
export class WebSocketEndpoint {
  /** The signaling server underneath (sessions, connections). */
  readonly signaling: SignalingServer;
  readonly #wss: WebSocketServer;
  readonly #http: HttpServer | HttpsServer;
  readonly #ownsHttp: boolean;
  readonly #ping: NodeJS.Timeout;
  readonly #alive = new WeakSet<WebSocket>();
  readonly #caps: ConnectionCaps;
  readonly #options: WebSocketEndpointOptions;
  readonly #onUpgrade = (request: IncomingMessage, socket: Socket, head: Buffer) =>
    this.upgrade(request, socket, head);

  private constructor(
    options: WebSocketEndpointOptions,
    http: HttpServer | HttpsServer,
    ownsHttp: boolean,
  ) {
    this.signaling = new SignalingServer(options);
    this.#options = options;
    this.#http = http;
    this.#ownsHttp = ownsHttp;
    const limits = options.server.limits;
    this.#caps = new ConnectionCaps(limits.maxConnections, limits.maxConnectionsPerIp);
    this.#wss = new WebSocketServer({
      noServer: true,
      // Lowered to the pre-join limit for each new connection, raised at join.
      maxPayload: 2 * limits.maxFrameSize,
      perMessageDeflate: false,
    });
    http.on('upgrade', this.#onUpgrade);
    const interval = options.pingIntervalMs ?? 10_000;
    this.#ping = setInterval(() => {
      for (const socket of this.#wss.clients) {
        if (!this.#alive.has(socket)) {
          socket.terminate();
          continue;
        }
        this.#alive.delete(socket);
        socket.ping();
      }
    }, interval);
    this.#ping.unref();
  }

  /** Starts an endpoint: on `httpServer` if given, else on its own HTTP server listening on `port`. */
  static async listen(options: WebSocketEndpointOptions): Promise<WebSocketEndpoint> {
    if (options.httpServer) return new WebSocketEndpoint(options, options.httpServer, false);
    const http = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('this is a WebSocket endpoint\n');
    });
    const endpoint = new WebSocketEndpoint(options, http, true);
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, options.host, () => resolve());
    });
    return endpoint;
  }

  /** The port the endpoint listens on. */
  get port(): number {
    return (this.#http.address() as AddressInfo).port;
  }

  /** Open connections (joined or not). */
  get connectionCount(): number {
    return this.#caps.total;
  }

  /** Closes every connection (joined peers get their grace period) and the endpoint's own HTTP server. */
  async close(): Promise<void> {
    clearInterval(this.#ping);
    this.#http.off('upgrade', this.#onUpgrade);
    this.signaling.close();
    for (const socket of this.#wss.clients) socket.close(1001, 'server going away');
    // A client that does not answer the close handshake is cut after a second.
    const cut = setTimeout(() => {
      for (const socket of this.#wss.clients) socket.terminate();
    }, 1000);
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    clearTimeout(cut);
    if (this.#ownsHttp) {
      this.#http.closeAllConnections?.();
      await new Promise<void>((resolve) => this.#http.close(() => resolve()));
    }
  }

  /** Checks an upgrade before the WebSocket exists: path, Origin, connection caps. */
  private upgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'ws://localhost');
    if (url.pathname !== (this.#options.path ?? '/')) {
      // Another upgrade handler of a shared server may want it.
      if (this.#ownsHttp) refuse(socket, 404, 'no WebSocket endpoint here');
      return;
    }
    const origin = request.headers.origin;
    const allowed = this.#options.allowedOrigins;
    const originOk =
      origin === undefined ||
      allowed === undefined ||
      (typeof allowed === 'function' ? allowed(origin, request) : allowed.includes(origin));
    if (!originOk) {
      refuse(socket, 403, `origin ${origin} may not connect`);
      return;
    }
    const address =
      this.#options.clientAddress?.(request) ?? request.socket.remoteAddress ?? 'unknown';
    const admitted = this.#caps.admit(address);
    if (typeof admitted !== 'function') {
      log.debug('upgrade from %s refused: %s', address, admitted.reason);
      refuse(socket, admitted.status, admitted.reason);
      return;
    }
    socket.once('close', admitted);
    this.#wss.handleUpgrade(request, socket, head, (ws) =>
      this.onConnection(ws, url, request, address),
    );
  }

  private onConnection(
    socket: WebSocket,
    url: URL,
    request: IncomingMessage,
    address: string,
  ): void {
    socket.binaryType = 'nodebuffer';
    this.#alive.add(socket);
    socket.on('pong', () => this.#alive.add(socket));
    const maxOutbound = this.#options.server.limits.maxOutboundBytes;
    // The frames of one event-loop turn leave in one write: a room's event
    // fans out dozens of notifications per turn per client, and a system
    // call each was most of the server's CPU (bench/README.md, "storm").
    // ws corks around each send, Node nests corks: they stay buffered until
    // the uncork below; bufferedAmount counts them, closing flushes them.
    const raw = request.socket;
    let corked = false;
    const connection = this.signaling.connect(
      {
        send: (frame) => {
          if (socket.readyState !== socket.OPEN) return;
          if (socket.bufferedAmount + frame.byteLength > maxOutbound) {
            connection.slowConsumer(socket.bufferedAmount);
            return;
          }
          if (!corked) {
            corked = true;
            raw.cork();
            setImmediate(() => {
              corked = false;
              raw.uncork();
            });
          }
          socket.send(frame);
        },
        close: (code, reason) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === socket.CLOSED) return resolve();
            // Closed: the client answered our closing frame, so it has read it.
            socket.once('close', () => resolve());
            socket.close(code, reason);
            // A client that does not answer the closing handshake holds a descriptor: cut it after a second.
            setTimeout(() => socket.terminate(), 1000).unref();
          }),
        terminate: () => socket.terminate(),
        setMaxMessageSize: (bytes) => {
          const receiver = (socket as unknown as WithReceiver)._receiver;
          if (receiver && typeof receiver._maxPayload === 'number') {
            receiver._maxPayload = bytes;
          } else {
            // A ws release that moved the field: refuse connections rather than run without the limit.
            log.error('ws has no receiver size limit to set (ws version?): connection refused');
            socket.terminate();
          }
        },
      },
      { url, headers: request.headers, remoteAddress: address },
    );
    socket.on('message', (data, isBinary) => {
      if (!isBinary) {
        socket.close(1003, 'binary frames only: one protobuf ClientMessage per frame');
        return;
      }
      connection.receive(Array.isArray(data) ? Buffer.concat(data) : (data as Buffer));
    });
    socket.on('close', (code) => connection.transportClosed(code));
    socket.on('error', (error) => log.debug('socket error: %o', error));
  }
}

/** Answers an upgrade with an HTTP error and closes the socket. */
function refuse(socket: Socket, status: number, reason: string): void {
  const text = {
    403: 'Forbidden',
    404: 'Not Found',
    429: 'Too Many Requests',
    503: 'Service Unavailable',
  }[status];
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}
