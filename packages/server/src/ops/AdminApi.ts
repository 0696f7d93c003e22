import type { IncomingMessage, ServerResponse } from 'node:http';
import { mediaKind, optionalJsonToMessage, pb } from '@x/protocol';
import { logger } from '@x/shared';
import type { Peer } from '../media/Peer.js';
import type { Producer } from '../media/Producer.js';
import type { Room } from '../media/Room.js';
import type { Server } from '../Server.js';
import { appDataFrom } from '../signaling/appData.js';
import { createAccessToken, verifyAdminToken } from '../signaling/auth.js';
import { type ErrorCode, SfuError, toSfuError } from '../util/errors.js';

const log = logger('x:server:AdminApi');

/** Where the admin API answers: `POST <prefix><Method>`. */
export const ADMIN_API_PREFIX = '/twirp/x.signaling.v1.RoomService/';
/** Largest request body, in bytes. */
const MAX_BODY = 64 * 1024;

/** A request's fields, read from protobuf or JSON (every method reads those it needs). */
interface Fields {
  ids: string[];
  room: string;
  peerName: string;
  message: string;
  producerId: number;
  muted: boolean;
  /** As the schema carries it: checked against the room's limit where it is used. */
  appData: pb.JsonValue | undefined;
  ttlSeconds: number;
  canUsePlainRtp: boolean;
}

type Method = {
  request: { decode(bytes: Uint8Array): unknown };
  response: { encode(message: never): { finish(): Uint8Array } };
  run(fields: Fields): Promise<Record<string, unknown>>;
};

// Twirp's error codes and their HTTP statuses.
const TWIRP: Partial<Record<ErrorCode, [code: string, status: number]>> = {
  UNAUTHENTICATED: ['unauthenticated', 401],
  FORBIDDEN: ['permission_denied', 403],
  NOT_FOUND: ['not_found', 404],
  BAD_REQUEST: ['invalid_argument', 400],
  LIMIT_EXCEEDED: ['invalid_argument', 400],
  INVALID_STATE: ['failed_precondition', 412],
};

/**
 * The admin API (the schema's `RoomService`, admin.proto) over HTTP,
 * Twirp-style: `POST /twirp/x.signaling.v1.RoomService/<Method>` with a
 * protobuf (`application/protobuf`) or JSON (`application/json`) body and
 * `Authorization: Bearer <admin token>`. In JSON, fields are camelCase (or
 * snake_case), `appData` is plain JSON, enums are their schema names.
 */
export class AdminApi {
  readonly #server: Server;
  readonly #secret: string;
  readonly #methods: Record<string, Method>;

  constructor(server: Server, secret: string) {
    this.#server = server;
    this.#secret = secret;
    this.#methods = {
      ListRooms: {
        request: pb.ListRoomsRequest,
        response: pb.ListRoomsResponse,
        run: async ({ ids }) => ({
          rooms: server.rooms
            .filter((r) => ids.length === 0 || ids.includes(r.id))
            .map(roomSummary),
        }),
      },
      ListPeers: {
        request: pb.ListPeersRequest,
        response: pb.ListPeersResponse,
        run: async ({ room }) => ({ peers: this.#room(room).peers.map(peerSummary) }),
      },
      RemovePeer: {
        request: pb.RemovePeerRequest,
        response: pb.RemovePeerResponse,
        run: async ({ room, peerName, message }) => {
          this.#peer(room, peerName).close(undefined, 'removed', message || 'removed by the app');
          return {};
        },
      },
      MuteProducer: {
        request: pb.MuteProducerRequest,
        response: pb.MuteProducerResponse,
        run: async ({ room, peerName, producerId, muted }) => {
          const producer = this.#peer(room, peerName).producers.find((p) => p.id === producerId);
          if (!producer)
            throw new SfuError('NOT_FOUND', `${peerName} has no producer ${producerId}`, {
              field: 'producerId',
            });
          if (muted) producer.pause();
          else producer.resume();
          return { producer: producerSummary(producer) };
        },
      },
      UpdateRoomMetadata: {
        request: pb.UpdateRoomMetadataRequest,
        response: pb.UpdateRoomMetadataResponse,
        run: async ({ room, appData }) => {
          const target = this.#room(room);
          target.setAppData(appDataFrom(appData, 'appData', target.limits.maxAppDataSize));
          return { room: roomSummary(target) };
        },
      },
      UpdatePeerMetadata: {
        request: pb.UpdatePeerMetadataRequest,
        response: pb.UpdatePeerMetadataResponse,
        run: async ({ room, peerName, appData }) => {
          const peer = this.#peer(room, peerName);
          const target = this.#room(room);
          target.setPeerAppData(
            peer,
            appDataFrom(appData, 'appData', target.limits.maxAppDataSize),
          );
          return { peer: peerSummary(peer) };
        },
      },
      CloseRoom: {
        request: pb.CloseRoomRequest,
        response: pb.CloseRoomResponse,
        run: async ({ room }) => {
          this.#room(room).close();
          return {};
        },
      },
      CreateToken: {
        request: pb.CreateTokenRequest,
        response: pb.CreateTokenResponse,
        run: async ({ room, peerName, ttlSeconds, canUsePlainRtp }) => {
          if (!room) throw new SfuError('BAD_REQUEST', 'a token needs a room', { field: 'room' });
          if (!peerName)
            throw new SfuError('BAD_REQUEST', 'a token needs a peer name', { field: 'peerName' });
          const token = await createAccessToken({
            secret: this.#secret,
            room,
            peer: peerName,
            canUsePlainRtp,
            expiresIn: ttlSeconds > 0 ? ttlSeconds : '6h',
          });
          return { token };
        },
      },
    };
  }

  /** Answers a request under {@link ADMIN_API_PREFIX}; false for any other path. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (!path.startsWith(ADMIN_API_PREFIX)) return false;
    const json = !(request.headers['content-type'] ?? '').includes('protobuf');
    try {
      if (request.method !== 'POST')
        throw new TwirpError(
          'bad_route',
          404,
          `${request.method} ${path}: the admin API takes POST`,
        );
      const name = path.slice(ADMIN_API_PREFIX.length);
      const method = Object.hasOwn(this.#methods, name) ? this.#methods[name] : undefined;
      if (!method) throw new TwirpError('bad_route', 404, `no method ${name} in RoomService`);
      const authorization = request.headers.authorization ?? '';
      await verifyAdminToken(authorization.replace(/^Bearer\s+/i, ''), this.#secret);
      const body = await readBody(request);
      const fields = json ? fieldsFromJson(body) : fieldsFromMessage(method.request.decode(body));
      const result = await method.run(fields);
      if (json) {
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(toJson(result)));
      } else {
        const bytes = method.response.encode(toMessage(result) as never).finish();
        response.writeHead(200, { 'content-type': 'application/protobuf' }).end(bytes);
      }
    } catch (error) {
      const twirp = error instanceof TwirpError ? error : twirpError(error);
      if (twirp.status === 500) log.error('%s: %o', path, error);
      response
        .writeHead(twirp.status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: twirp.code, msg: twirp.message }));
    }
    return true;
  }

  #room(id: string): Room {
    const room = this.#server.getRoom(id);
    if (!room)
      throw new SfuError('NOT_FOUND', `no room ${JSON.stringify(id)} on this server`, {
        field: 'room',
      });
    return room;
  }

  #peer(roomId: string, name: string): Peer {
    const peer = this.#room(roomId).getPeerByName(name);
    if (!peer)
      throw new SfuError('NOT_FOUND', `no peer ${JSON.stringify(name)} in room ${roomId}`, {
        field: 'peerName',
      });
    return peer;
  }
}

class TwirpError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function twirpError(error: unknown): TwirpError {
  const e = toSfuError(error);
  const [code, status] = TWIRP[e.code] ?? ['internal', 500];
  return new TwirpError(code, status, status === 500 ? 'internal error' : e.message);
}

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY)
      throw new TwirpError('invalid_argument', 400, `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function fieldsFromMessage(decoded: unknown): Fields {
  const m = decoded as Partial<Record<string, unknown>> & { appData?: pb.JsonValue | null };
  return {
    ids: Array.isArray(m.ids) ? (m.ids as string[]) : [],
    room: typeof m.room === 'string' ? m.room : '',
    peerName: typeof m.peerName === 'string' ? m.peerName : '',
    message: typeof m.message === 'string' ? m.message : '',
    producerId: typeof m.producerId === 'number' ? m.producerId : 0,
    muted: m.muted === true,
    appData: m.appData ?? undefined,
    ttlSeconds: typeof m.ttlSeconds === 'number' ? m.ttlSeconds : 0,
    canUsePlainRtp: m.canUsePlainRtp === true,
  };
}

function fieldsFromJson(body: Uint8Array): Fields {
  let value: unknown;
  try {
    value = body.length === 0 ? {} : JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw new TwirpError('malformed', 400, 'the body is not JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new TwirpError('malformed', 400, 'the body must be a JSON object');
  const v = value as Record<string, unknown>;
  const get = (camel: string, snake: string) => v[camel] ?? v[snake];
  const text = (camel: string, snake: string = camel): string => {
    const x = get(camel, snake);
    if (x === undefined) return '';
    if (typeof x !== 'string')
      throw new TwirpError('invalid_argument', 400, `${camel} must be a string`);
    return x;
  };
  const count = (camel: string, snake: string): number => {
    const x = get(camel, snake);
    if (x === undefined) return 0;
    const n = typeof x === 'string' ? Number(x) : x;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff)
      throw new TwirpError('invalid_argument', 400, `${camel} must be a 32-bit unsigned integer`);
    return n;
  };
  const ids = v.ids ?? [];
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))
    throw new TwirpError('invalid_argument', 400, 'ids must be an array of strings');
  return {
    ids: ids as string[],
    room: text('room'),
    peerName: text('peerName', 'peer_name'),
    message: text('message'),
    producerId: count('producerId', 'producer_id'),
    muted: get('muted', 'muted') === true,
    appData: optionalJsonToMessage(get('appData', 'app_data')),
    ttlSeconds: count('ttlSeconds', 'ttl_seconds'),
    canUsePlainRtp: get('canUsePlainRtp', 'can_use_plain_rtp') === true,
  };
}

function roomSummary(room: Room) {
  return { id: room.id, numPeers: room.peers.length, appData: room.appData };
}

function producerSummary(producer: Producer) {
  return {
    id: producer.id,
    kind: producer.kind,
    paused: producer.paused,
    appData: producer.appData,
  };
}

function peerSummary(peer: Peer) {
  return { name: peer.name, appData: peer.appData, producers: peer.producers.map(producerSummary) };
}

/** A result as the protobuf encoders take it: appData as JsonValue, kinds as the enum. */
function toMessage(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toMessage);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'appData') out[key] = optionalJsonToMessage(item);
    else if (key === 'kind') out[key] = mediaKind.toMessage(item as 'audio' | 'video', 'kind');
    else out[key] = toMessage(item);
  }
  return out;
}

/** A result as JSON carries it: appData as it is, kinds by their schema names (protobuf's JSON mapping). */
function toJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJson);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'appData') out[key] = item;
    else if (key === 'kind') out[key] = item === 'audio' ? 'MEDIA_KIND_AUDIO' : 'MEDIA_KIND_VIDEO';
    else out[key] = toJson(item);
  }
  return out;
}
