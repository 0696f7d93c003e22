import { createServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { logger } from '@x/shared';
import { type WebSocket, WebSocketServer } from 'ws';
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
  /** WebSocket ping interval in ms; a client that misses two pongs is dropped. Default 10000. */
  pingIntervalMs?: number;
}

/**
 * The ready WebSocket endpoint (the `ws` package): one protobuf message per
 * binary frame, both ways. The app decides which room a connection joins
 * (`selectRoom`); lost connections can resume within the grace period.
 *
 * @example
 * ```ts
 * const endpoint = await WebSocketEndpoint.listen({ server, port: 8080, selectRoom: roomFromUrl(server) });
 * // clients connect to ws://host:8080/?roomId=demo
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

  private constructor(
    options: WebSocketEndpointOptions,
    http: HttpServer | HttpsServer,
    ownsHttp: boolean,
  ) {
    this.signaling = new SignalingServer(options);
    this.#http = http;
    this.#ownsHttp = ownsHttp;
    const path = options.path ?? '/';
    const maxFrameSize = options.server.limits.maxFrameSize;
    this.#wss = new WebSocketServer({
      server: http,
      path,
      // Frames past the limit are answered with an error by the decoder;
      // only far larger ones are cut off by ws itself (close code 1009).
      maxPayload: maxFrameSize * 4,
      perMessageDeflate: false,
    });
    this.#wss.on('connection', (socket, request) => this.onConnection(socket, request));
    this.#wss.on('error', (error) => log.error('WebSocket server error: %o', error));
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
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, options.host, () => resolve());
    });
    return new WebSocketEndpoint(options, http, true);
  }

  /** The port the endpoint listens on. */
  get port(): number {
    return (this.#http.address() as AddressInfo).port;
  }

  /** Closes every connection (joined peers get their grace period) and the endpoint's own HTTP server. */
  async close(): Promise<void> {
    clearInterval(this.#ping);
    this.signaling.close();
    for (const socket of this.#wss.clients) socket.close(1001, 'server going away');
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    if (this.#ownsHttp) {
      await new Promise<void>((resolve) => this.#http.close(() => resolve()));
    }
  }

  private onConnection(socket: WebSocket, request: IncomingMessage): void {
    socket.binaryType = 'nodebuffer';
    this.#alive.add(socket);
    socket.on('pong', () => this.#alive.add(socket));
    const url = new URL(request.url ?? '/', 'ws://localhost');
    const connection = this.signaling.connect(
      {
        send: (frame) => {
          if (socket.readyState === socket.OPEN) socket.send(frame);
        },
        close: (code, reason) => socket.close(code, reason),
        terminate: () => socket.terminate(),
      },
      { url, headers: request.headers, remoteAddress: request.socket.remoteAddress },
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
