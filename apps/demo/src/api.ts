import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AccessTokenClaims,
  createAccessToken,
  type Server,
  SfuError,
  verifyAccessToken,
} from '@x/server';
import type { Recordings } from './recordings.js';

/** Tokens the dev endpoint signs per address and minute: a page asks once per join. */
const TOKENS_PER_MINUTE = 30;
/** Recordings one room may run at once (each is an ffmpeg process and a file growing on disk). */
export const RECORDINGS_PER_ROOM = 2;

export function json(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16 * 1024) throw new ApiError(413, 'request body too large');
  }
  try {
    return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  } catch {
    throw new ApiError(400, 'the body is not JSON');
  }
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The demo's HTTP API: a dev token endpoint (what an app's own login would
 * do), and recordings, which only a peer of the room may start, list, stop
 * or download — with its access token.
 */
export class DemoApi {
  readonly #server: Server;
  readonly #secret: string;
  readonly #recordings: Recordings;
  readonly #tokenBuckets = new Map<string, { count: number; since: number }>();

  constructor(server: Server, secret: string, recordings: Recordings) {
    this.#server = server;
    this.#secret = secret;
    this.#recordings = recordings;
  }

  /** Handles /api/… and /recordings/…; returns false for other paths. */
  async handle(
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
    files: (req: IncomingMessage, res: ServerResponse) => void,
  ): Promise<boolean> {
    try {
      if (url.pathname === '/api/token' && req.method === 'GET') {
        json(res, 200, { token: await this.token(url, req) });
      } else if (url.pathname === '/api/recordings' && req.method === 'GET') {
        const caller = await this.caller(req, url);
        json(
          res,
          200,
          (await this.#recordings.list()).filter((r) => r.room === caller.room),
        );
      } else if (url.pathname === '/api/recordings' && req.method === 'POST') {
        const caller = await this.caller(req, url);
        const { peer } = await readJson(req);
        if (typeof peer !== 'string') throw new ApiError(400, 'say which peer to record');
        const room = this.#server.getRoom(caller.room)!;
        if (this.#recordings.running(room.id) >= RECORDINGS_PER_ROOM)
          throw new ApiError(429, `room ${room.id} already runs ${RECORDINGS_PER_ROOM} recordings`);
        json(res, 201, await this.#recordings.start(room, peer));
      } else if (/^\/api\/recordings\/[\w-]+\/stop$/.test(url.pathname) && req.method === 'POST') {
        const caller = await this.caller(req, url);
        const id = url.pathname.split('/')[3]!;
        if (this.#recordings.get(id)?.room !== caller.room)
          throw new ApiError(404, `no recording ${id} in your room`);
        json(res, 200, await this.#recordings.stop(id));
      } else if (url.pathname.startsWith('/recordings/')) {
        const caller = await this.caller(req, url);
        const file = decodeURIComponent(url.pathname.slice('/recordings/'.length));
        if (this.#recordings.byFile(file)?.room !== caller.room)
          throw new ApiError(404, 'no such recording in your room');
        req.url = `/${file}`;
        files(req, res);
      } else {
        return false;
      }
    } catch (error) {
      const status =
        error instanceof ApiError
          ? error.status
          : error instanceof SfuError
            ? statusOf(error)
            : 409;
      json(res, status, { error: (error as Error).message });
    }
    return true;
  }

  /** A dev token for the name the page asks for (a real app checks who asks first). */
  private async token(url: URL, req: IncomingMessage): Promise<string> {
    const room = url.searchParams.get('room');
    const peer = url.searchParams.get('peer');
    if (!room || !peer || room.length > 256 || peer.length > 256)
      throw new ApiError(400, 'room and peer (at most 256 characters each) are required');
    const address = req.socket.remoteAddress ?? 'unknown';
    const now = Date.now();
    const bucket = this.#tokenBuckets.get(address);
    if (!bucket || now - bucket.since > 60_000) {
      if (this.#tokenBuckets.size > 10_000) this.#tokenBuckets.clear();
      this.#tokenBuckets.set(address, { count: 1, since: now });
    } else if (++bucket.count > TOKENS_PER_MINUTE) {
      throw new ApiError(429, 'too many tokens asked from this address: wait a minute');
    }
    return createAccessToken({ secret: this.#secret, room, peer, expiresIn: '2h' });
  }

  /** The caller: a valid token (Authorization: Bearer, or ?token=) of a peer in its room now. */
  private async caller(req: IncomingMessage, url: URL): Promise<AccessTokenClaims> {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ')
      ? header.slice(7)
      : (url.searchParams.get('token') ?? '');
    const { claims } = await verifyAccessToken(token, this.#secret, undefined);
    if (!this.#server.getRoom(claims.room)?.getPeerByName(claims.peer))
      throw new ApiError(403, `only a peer in room ${claims.room} may do this: join it first`);
    return claims;
  }
}

function statusOf(error: SfuError): number {
  return error.code === 'UNAUTHENTICATED' ? 401 : error.code === 'FORBIDDEN' ? 403 : 400;
}
