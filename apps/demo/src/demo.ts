import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createAccessToken,
  roomFromUrl,
  Server,
  type ServerOptions,
  type SignalingServer,
  WebSocketEndpoint,
} from '@x/server';
import sirv from 'sirv';
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
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 64 * 1024) throw new Error('request body too large');
  }
  return body ? (JSON.parse(body) as Record<string, unknown>) : {};
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
  });
  const files = sirv(recordings.dir, { dev: true });

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    handle(url, req, res).catch((error: unknown) =>
      json(res, 500, { error: (error as Error).message }),
    );
  });

  async function handle(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (url.pathname === '/api/token' && req.method === 'GET') {
      // A dev token endpoint: a real app checks who asks before signing.
      const room = url.searchParams.get('room');
      const peer = url.searchParams.get('peer');
      if (!room || !peer) return json(res, 400, { error: 'room and peer are required' });
      return json(res, 200, {
        token: await createAccessToken({ secret, room, peer, expiresIn: '2h' }),
      });
    }
    if (url.pathname === '/api/recordings' && req.method === 'GET') {
      return json(res, 200, await recordings.list());
    }
    if (url.pathname === '/api/recordings' && req.method === 'POST') {
      const { room: roomId, peer } = await readJson(req);
      const room = typeof roomId === 'string' ? server.getRoom(roomId) : undefined;
      if (!room || typeof peer !== 'string')
        return json(res, 404, { error: 'no such room or peer' });
      try {
        return json(res, 201, await recordings.start(room, peer));
      } catch (error) {
        return json(res, 409, { error: (error as Error).message });
      }
    }
    const stop = /^\/api\/recordings\/([\w-]+)\/stop$/.exec(url.pathname);
    if (stop && req.method === 'POST') {
      try {
        return json(res, 200, await recordings.stop(stop[1]!));
      } catch (error) {
        return json(res, 404, { error: (error as Error).message });
      }
    }
    if (url.pathname.startsWith('/recordings/')) {
      req.url = url.pathname.slice('/recordings'.length);
      return files(req, res, () => json(res, 404, { error: 'no such recording' }));
    }
    web(req, res, () => json(res, 404, { error: 'not found' }));
  }

  await new Promise<void>((resolveListen, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 3000, options.host, () => resolveListen());
  });
  const endpoint = await WebSocketEndpoint.listen({
    server,
    httpServer: http,
    path: '/ws',
    selectRoom: roomFromUrl(server, { param: 'room' }),
    auth: { secret },
  });
  const port = (http.address() as AddressInfo).port;

  return {
    url: `http://localhost:${port}/?room=demo`,
    port,
    server,
    signaling: endpoint.signaling,
    recordings,
    async close() {
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
