import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { AdminApi } from '../ops/AdminApi.js';
import { ServerMetrics } from '../ops/ServerMetrics.js';
import { watchServerForWebhooks } from '../ops/ServerWebhooks.js';
import { WebhookSender } from '../ops/WebhookSender.js';
import { Server, type ServerOptions } from '../Server.js';
import { roomFromUrl } from '../signaling/roomSelection.js';
import { WebSocketEndpoint } from '../signaling/WebSocketEndpoint.js';
import { SfuError } from '../util/errors.js';
import type { ServerConfig } from './config.js';
import { createLogger, logRooms } from './logging.js';

/** Where the signaling endpoint answers (`?room=<id>` names the room). */
export const SIGNALING_PATH = '/ws';

/** What `/readyz` found. */
export interface Readiness {
  /** Whether every check is 'ok'. */
  ready: boolean;
  /** Each check: 'ok' or what is wrong. */
  checks: Record<string, string>;
}

/**
 * The standalone server: an @x/server with its signaling endpoint on
 * `/ws`, Prometheus metrics on `/metrics`, health on `/healthz` and
 * `/readyz`, the admin API on `/twirp/x.signaling.v1.RoomService/…`, and
 * webhooks, from a {@link ServerConfig}. `x-server
 * --config server.yaml` runs one.
 */
export class ServerCommand {
  /** The SFU server. */
  readonly server: Server;
  /** Its signaling endpoint (on `/ws`). */
  readonly endpoint: WebSocketEndpoint;
  /** Its metrics (unless `metrics.enabled` is false). */
  readonly metrics: ServerMetrics | undefined;
  /** Its webhook sender (when `webhooks` is configured). */
  readonly webhooks: WebhookSender | undefined;
  /** Its admin API (`/twirp/x.signaling.v1.RoomService/…`). */
  readonly admin: AdminApi;
  /** Its logger (pino): JSON lines, or readable ones. */
  readonly logger: Logger;
  readonly #config: ServerConfig;
  readonly #http: ReturnType<typeof createHttpServer>;
  #draining = false;
  #closed = false;

  private constructor(
    config: ServerConfig,
    server: Server,
    http: ReturnType<typeof createHttpServer>,
    endpoint: WebSocketEndpoint,
    webhooks: WebhookSender | undefined,
    log: Logger,
  ) {
    this.#config = config;
    this.logger = log;
    this.server = server;
    this.#http = http;
    this.endpoint = endpoint;
    this.webhooks = webhooks;
    this.admin = new AdminApi(server, config.auth.secret);
    this.metrics = config.metrics.enabled
      ? new ServerMetrics(server, { signaling: endpoint.signaling, webhooks })
      : undefined;
    http.on('request', (request, response) => {
      this.#answer(request, response).catch((error: unknown) => {
        this.logger.error(
          { err: error, method: request.method, url: request.url },
          'HTTP request failed',
        );
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
  }

  /**
   * Starts the server, its workers and its HTTP listener. Logs go to stdout
   * as JSON lines (pino), or readable with `readableLogs` (`--dev`).
   */
  static async start(
    config: ServerConfig,
    options: { readableLogs?: boolean } = {},
  ): Promise<ServerCommand> {
    const log = createLogger(config.logLevel, options.readableLogs === true);
    const serverOptions: ServerOptions = {
      numWorkers: config.workers,
      ...(config.rooms.maxConsumersPerWorker
        ? { maxConsumersPerWorker: config.rooms.maxConsumersPerWorker }
        : {}),
      rtcIPv4: config.rtc.ipv4,
      rtcIPv6: config.rtc.ipv6,
      rtcAnnouncedIPv4: config.rtc.announcedIpv4,
      rtcAnnouncedIPv6: config.rtc.announcedIpv6,
      rtcMinPort: config.rtc.minPort,
      rtcMaxPort: config.rtc.maxPort,
      webRtcServer: config.rtc.webRtcServer,
      limits: config.limits,
      cluster: config.cluster,
      turn: config.turn,
    };
    const server = await Server.create(serverOptions);
    const http = config.tls
      ? createHttpsServer({
          cert: readFileSync(config.tls.cert),
          key: readFileSync(config.tls.key),
        })
      : createHttpServer();
    let command: ServerCommand | undefined;
    const rooms = roomFromUrl(server, {
      param: 'room',
      closeWhenEmpty: config.rooms.closeWhenEmpty,
    });
    try {
      const endpoint = await WebSocketEndpoint.listen({
        server,
        httpServer: http,
        path: SIGNALING_PATH,
        auth: { secret: config.auth.secret },
        allowedOrigins: config.allowedOrigins,
        selectRoom: (request) => {
          // A draining server takes nobody new (in a cluster, the cluster says where to go instead).
          if (command?.draining && !server.cluster)
            throw new SfuError(
              'NODE_UNAVAILABLE',
              'this server is shutting down: try again shortly',
            );
          return rooms(request);
        },
      });
      const webhooks = config.webhooks
        ? new WebhookSender({ ...config.webhooks, secret: config.auth.secret })
        : undefined;
      if (webhooks) watchServerForWebhooks(server, webhooks);
      logRooms(server, log);
      command = new ServerCommand(config, server, http, endpoint, webhooks, log);
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
      return command;
    } catch (error) {
      server.close();
      http.close();
      throw error;
    }
  }

  /** The port it listens on. */
  get port(): number {
    return (this.#http.address() as AddressInfo).port;
  }

  /** Its signaling URL (add `?room=<id>`). */
  get url(): string {
    const host =
      this.#config.host && this.#config.host !== '0.0.0.0' ? this.#config.host : '127.0.0.1';
    return `${this.#config.tls ? 'wss' : 'ws'}://${host}:${this.port}${SIGNALING_PATH}`;
  }

  /** Whether it is draining (not ready: it takes nobody new). */
  get draining(): boolean {
    return this.#draining || this.server.cluster?.draining === true;
  }

  /** `/readyz`: workers up, not draining, Redis reachable in cluster mode. */
  async readiness(): Promise<Readiness> {
    const checks: Record<string, string> = {};
    const dead = this.server.workers.filter((w) => w.closed).length;
    checks.workers = this.server.closed
      ? 'the server is closed'
      : dead > 0
        ? `${dead} of ${this.server.workers.length} workers died`
        : 'ok';
    checks.draining = this.draining ? 'draining' : 'ok';
    if (this.server.cluster)
      checks.redis = (await this.server.cluster.redisReachable(1000))
        ? 'ok'
        : 'Redis does not answer';
    return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
  }

  async #answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (await this.admin.handle(request, response)) return;
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/healthz') {
      const alive = !this.server.closed;
      response
        .writeHead(alive ? 200 : 503, { 'content-type': 'text/plain' })
        .end(alive ? 'ok\n' : 'closed\n');
      return;
    }
    if (path === '/readyz') {
      const readiness = await this.readiness();
      response
        .writeHead(readiness.ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(`${JSON.stringify(readiness)}\n`);
      return;
    }
    if (path === '/metrics' && this.metrics) {
      const token = this.#config.metrics.token;
      if (token && !sameText(request.headers.authorization ?? '', `Bearer ${token}`)) {
        response
          .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
          .end('metrics need the bearer token of metrics.token\n');
        return;
      }
      const text = await this.metrics.metrics();
      response.writeHead(200, { 'content-type': this.metrics.contentType }).end(text);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }

  /**
   * Drains, then closes: not ready at once (`/readyz` 503), nobody new joins;
   * peers get `drain.timeoutMs` to leave (in a cluster they are moved to other
   * nodes), those left are closed with `node_draining`.
   */
  async drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    const { timeoutMs } = this.#config.drain;
    if (this.server.cluster) {
      await this.server.cluster.drain({ timeoutMs });
    } else {
      const deadline = Date.now() + timeoutMs;
      const peers = () => this.server.rooms.reduce((sum, room) => sum + room.peers.length, 0);
      while (peers() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      for (const room of this.server.rooms)
        for (const peer of room.peers)
          peer.close(undefined, 'node_draining', 'the server is shutting down: join again shortly');
    }
    await this.close();
  }

  /** Closes everything at once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.webhooks?.close();
    await this.endpoint.close();
    this.server.close();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }
}

/** Compares a secret without telling by its timing where it differs. */
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
