import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  roomFromUrl,
  Server,
  type ServerOptions,
  type SignalingServer,
  WebSocketEndpoint,
} from '@x/server';
import sirv from 'sirv';
import { DemoApi, json } from './api.js';
import { DemoStartError } from './errors.js';
import { Recordings } from './recordings.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Options of {@link startDemo}; every one has an embedded default. */
export interface DemoOptions {
  /** HTTP port (0: any free port). Default 3000. */
  port?: number;
  /** HTTP host. Default all interfaces. */
  host?: string;
  /** Folder of the built web page. Default dist/web next to the server. */
  webDir?: string;
  /** Folder of the recordings. Default ./recordings in the demo package. */
  recordingsDir?: string;
  /** Secret of the access tokens. Default: a random one for this run (a dev secret). */
  tokenSecret?: string;
  /** SFU server settings. Default: one worker per core, RTC ports 40000-49999. */
  server?: ServerOptions;
  /** Serve HTTPS with this certificate and key (PEM). Default: plain HTTP. */
  tls?: { cert: Buffer | string; key: Buffer | string };
  /** In a cluster (`server.cluster`), how long `close()` waits for its peers to move, in ms. Default 10000. */
  drainTimeoutMs?: number;
  /** How long a peer whose connection was lost is kept for it to resume, in ms. Default 20000. */
  sessionGraceMs?: number;
}

/** A running demo. */
export interface Demo {
  /** The URL to open. */
  url: string;
  port: number;
  server: Server;
  /** The signaling server behind /ws (sessions, connections). */
  signaling: SignalingServer;
  recordings: Recordings;
  /** What the demo holds now: for operators, and the hostile tests. */
  inspect(): DemoState;
  close(): Promise<void>;
}

/** What a running demo holds. */
export interface DemoState {
  rooms: number;
  peers: number;
  connections: number;
  sessions: number;
  recordings: number;
}

/**
 * Starts the demo: an @x/server (WebSocket endpoint on /ws, the room named in
 * the URL created on first join), the web page, access tokens signed with a
 * dev secret, and recordings through RtpStreamers into ffmpeg.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const server = await Server.create({ rtcMinPort: 40000, rtcMaxPort: 49999, ...options.server });
  const secret = options.tokenSecret ?? randomBytes(32).toString('hex');
  const recordings = new Recordings(options.recordingsDir ?? resolve(here, '../../recordings'));
  const web = sirv(options.webDir ?? resolve(here, '../web'), {
    single: true,
    dev: false,
    etag: true,
    // The build writes .br and .gz copies next to each file.
    brotli: true,
    gzip: true,
  });
  const files = sirv(recordings.dir, { dev: true });

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    handle(url, req, res).catch((error: unknown) =>
      json(res, 500, { error: (error as Error).message }),
    );
  };
  const http = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest)
    : createServer(onRequest);

  const api = new DemoApi(server, secret, recordings);
  async function handle(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (
      await api.handle(url, req, res, (r, s) =>
        files(r, s, () => json(s, 404, { error: 'no such recording' })),
      )
    )
      return;
    web(req, res, () => json(res, 404, { error: 'not found' }));
  }

  const wantedPort = options.port ?? 3000;
  try {
    await new Promise<void>((resolveListen, reject) => {
      http.once('error', reject);
      http.listen(wantedPort, options.host, () => resolveListen());
    });
  } catch (error) {
    server.close();
    throw listenError(error as NodeJS.ErrnoException, wantedPort, options.host);
  }
  const endpoint = await WebSocketEndpoint.listen({
    server,
    httpServer: http,
    path: '/ws',
    sessionGraceMs: options.sessionGraceMs,
    selectRoom: roomFromUrl(server, { param: 'room' }),
    auth: { secret },
    // Only the demo's own page may open a socket from a browser: served from
    // this host, or (in a cluster) from another node, whose page a draining or
    // full node sends here.
    allowedOrigins: (origin, request) => {
      try {
        const host = new URL(origin).host;
        return host === request.headers.host || clusterHosts(server).has(host);
      } catch {
        return false;
      }
    },
  });
  const port = (http.address() as AddressInfo).port;

  const shownHost =
    !options.host || ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(options.host)
      ? 'localhost'
      : options.host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${shownHost}:${port}/?room=demo`,
    port,
    server,
    signaling: endpoint.signaling,
    recordings,
    inspect: () => ({
      rooms: server.rooms.length,
      peers: server.rooms.reduce((n, r) => n + r.peers.length, 0),
      connections: endpoint.connectionCount,
      sessions: endpoint.signaling.sessions.length,
      recordings: server.rooms.reduce((n, r) => n + recordings.running(r.id), 0),
    }),
    async close() {
      // A cluster node moves its peers to the other nodes first (they rejoin there by themselves).
      await server.cluster?.drain({ timeoutMs: options.drainTimeoutMs ?? 10_000 });
      await recordings.stopAll();
      // Rooms first, so that every peer is told why before its socket closes.
      server.close();
      await new Promise((r) => setTimeout(r, 100));
      await endpoint.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/**
 * The hosts (name:port) of the cluster's nodes, from their signaling URLs:
 * every node seen so far, for a page served by a node that has since left
 * (drained) still joins through the others.
 */
function clusterHosts(server: Server): Set<string> {
  const seen = seenHosts.get(server) ?? new Set<string>();
  seenHosts.set(server, seen);
  for (const node of server.cluster?.nodes ?? []) seen.add(new URL(node.signalingUrl).host);
  return seen;
}
const seenHosts = new WeakMap<Server, Set<string>>();

/** What a failed listen means for the operator: which setting to change. */
function listenError(error: NodeJS.ErrnoException, port: number, host: string | undefined): Error {
  const where = `${host ?? 'all interfaces'}:${port}`;
  if (error.code === 'EADDRINUSE')
    return new DemoStartError(
      'PORT_IN_USE',
      `port ${port} is already in use (${where}): stop what uses it, or choose another port with PORT, e.g. PORT=${port + 1} pnpm demo`,
    );
  if (error.code === 'EACCES')
    return new DemoStartError(
      'PORT_IN_USE',
      `port ${port} needs privileges this process lacks (${where}): choose a port above 1023 with PORT`,
    );
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
    return new DemoStartError(
      'BAD_SETTING',
      `HOST=${host} is not an address of this machine: leave HOST unset (all interfaces) or give one of its addresses`,
    );
  return error;
}
