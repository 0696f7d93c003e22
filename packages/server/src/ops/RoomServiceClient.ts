import { type AppData, jsonFromMessage, mediaKind, optionalJsonToMessage, pb } from '@x/protocol';
import { createAdminToken } from '../signaling/auth.js';
import { ADMIN_API_PREFIX } from './AdminApi.js';

/** A room, as the admin API lists it. */
export interface RoomSummary {
  /** Room id. */
  id: string;
  /** Its peers (on the node asked). */
  numPeers: number;
  /** Its metadata (app data). */
  appData: AppData | undefined;
}

/** A producer, as the admin API lists it. */
export interface ProducerSummary {
  /** Producer id. */
  id: number;
  /** 'audio' or 'video'. */
  kind: 'audio' | 'video';
  /** Paused by its client, or muted. */
  paused: boolean;
  /** The app data its client gave it. */
  appData: AppData | undefined;
}

/** A peer, as the admin API lists it. */
export interface PeerSummary {
  /** Peer name. */
  name: string;
  /** Its metadata (app data). */
  appData: AppData | undefined;
  /** What it publishes. */
  producers: ProducerSummary[];
}

/** An error the admin API answered (Twirp's code and the HTTP status). */
export class AdminApiError extends Error {
  /** 'AdminApiError'. */
  override readonly name = 'AdminApiError';
  constructor(
    /** Twirp's code: `unauthenticated`, `permission_denied`, `not_found`, `invalid_argument`, … */
    readonly code: string,
    /** The HTTP status. */
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Options of a {@link RoomServiceClient}. */
export interface RoomServiceClientOptions {
  /** The server's HTTP address, e.g. `https://sfu.example.com` (the server command's port). */
  url: string;
  /** The server's API secret: the client makes its admin tokens. */
  secret?: string;
  /** Or an admin token made elsewhere (`createAdminToken`). */
  token?: string;
}

/**
 * The admin API for an app's backend in TypeScript (`RoomService` of the
 * schema, over HTTP with protobuf bodies): list rooms and peers, remove a
 * peer, mute a producer, update room and peer metadata, close a room, mint
 * access tokens. Python (`x_signaling.admin`) and Go (`bindings/go/admin`)
 * have the same client.
 *
 * @example
 * ```ts
 * const admin = new RoomServiceClient({ url: 'http://localhost:7880', secret: process.env.SFU_SECRET });
 * for (const room of await admin.listRooms()) console.log(room.id, room.numPeers);
 * await admin.removePeer('demo', 'troll', 'removed by a moderator');
 * ```
 */
export class RoomServiceClient {
  readonly #base: string;
  readonly #secret: string | undefined;
  #token: { value: string; until: number } | undefined;

  constructor(options: RoomServiceClientOptions) {
    if (!options.secret && !options.token)
      throw new TypeError('RoomServiceClient needs the API secret or an admin token');
    this.#base = options.url.replace(/\/+$/, '');
    this.#secret = options.secret;
    if (options.token) this.#token = { value: options.token, until: Number.POSITIVE_INFINITY };
  }

  /** The open rooms (those of `ids` only, when given). */
  async listRooms(ids: string[] = []): Promise<RoomSummary[]> {
    const r = await this.#call('ListRooms', pb.ListRoomsRequest, pb.ListRoomsResponse, { ids });
    return r.rooms.map(roomFrom);
  }

  /** A room's peers, with what they publish. */
  async listPeers(room: string): Promise<PeerSummary[]> {
    const r = await this.#call('ListPeers', pb.ListPeersRequest, pb.ListPeersResponse, { room });
    return r.peers.map(peerFrom);
  }

  /** Removes a peer: its client is closed with reason `removed` and `message`. */
  async removePeer(room: string, peerName: string, message = ''): Promise<void> {
    await this.#call('RemovePeer', pb.RemovePeerRequest, pb.RemovePeerResponse, {
      room,
      peerName,
      message,
    });
  }

  /** Mutes (pauses) or unmutes a peer's producer: the others' consumers of it pause or resume. */
  async muteProducer(
    room: string,
    peerName: string,
    producerId: number,
    muted: boolean,
  ): Promise<ProducerSummary> {
    const r = await this.#call('MuteProducer', pb.MuteProducerRequest, pb.MuteProducerResponse, {
      room,
      peerName,
      producerId,
      muted,
    });
    return producerFrom(r.producer!);
  }

  /** Replaces a room's metadata: every peer is notified (`roomappdatachange`). */
  async updateRoomMetadata(room: string, appData: AppData): Promise<RoomSummary> {
    const r = await this.#call(
      'UpdateRoomMetadata',
      pb.UpdateRoomMetadataRequest,
      pb.UpdateRoomMetadataResponse,
      { room, appData: optionalJsonToMessage(appData) },
    );
    return roomFrom(r.room!);
  }

  /** Replaces a peer's metadata: every peer of the room is notified (`peerappdatachange`). */
  async updatePeerMetadata(room: string, peerName: string, appData: AppData): Promise<PeerSummary> {
    const r = await this.#call(
      'UpdatePeerMetadata',
      pb.UpdatePeerMetadataRequest,
      pb.UpdatePeerMetadataResponse,
      { room, peerName, appData: optionalJsonToMessage(appData) },
    );
    return peerFrom(r.peer!);
  }

  /** Closes a room: its peers are closed with reason `room_closed`. */
  async closeRoom(room: string): Promise<void> {
    await this.#call('CloseRoom', pb.CloseRoomRequest, pb.CloseRoomResponse, { room });
  }

  /** An access token for `peerName` in `room` (valid `ttlSeconds`, default 6 hours). */
  async createToken(
    room: string,
    peerName: string,
    options: { ttlSeconds?: number; canUsePlainRtp?: boolean } = {},
  ): Promise<string> {
    const r = await this.#call('CreateToken', pb.CreateTokenRequest, pb.CreateTokenResponse, {
      room,
      peerName,
      ttlSeconds: options.ttlSeconds ?? 0,
      canUsePlainRtp: options.canUsePlainRtp ?? false,
    });
    return r.token;
  }

  async #authorization(): Promise<string> {
    if (!this.#token || this.#token.until < Date.now()) {
      // Short-lived, made again well before it expires.
      const value = await createAdminToken({ secret: this.#secret!, expiresIn: '15m' });
      this.#token = { value, until: Date.now() + 10 * 60_000 };
    }
    return `Bearer ${this.#token.value}`;
  }

  async #call<Q, R>(
    method: string,
    request: { encode(message: Q): { finish(): Uint8Array } },
    response: { decode(bytes: Uint8Array): R },
    body: Q,
  ): Promise<R> {
    const answer = await fetch(`${this.#base}${ADMIN_API_PREFIX}${method}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/protobuf',
        authorization: await this.#authorization(),
      },
      body: new Uint8Array(request.encode(body).finish()),
    });
    const bytes = new Uint8Array(await answer.arrayBuffer());
    if (!answer.ok) {
      let error: { code?: string; msg?: string } = {};
      try {
        error = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof error;
      } catch {
        // not Twirp's JSON: a proxy's page
      }
      throw new AdminApiError(
        error.code ?? 'unknown',
        answer.status,
        `${method}: ${error.msg ?? `HTTP ${answer.status}`}`,
      );
    }
    return response.decode(bytes);
  }
}

function roomFrom(m: pb.RoomSummary): RoomSummary {
  return { id: m.id ?? '', numPeers: m.numPeers ?? 0, appData: jsonFromMessage(m.appData) };
}

function producerFrom(m: pb.ProducerSummary): ProducerSummary {
  return {
    id: m.id ?? 0,
    kind: mediaKind.fromMessage(m.kind ?? 0, 'kind'),
    paused: m.paused === true,
    appData: jsonFromMessage(m.appData),
  };
}

function peerFrom(m: pb.PeerSummary): PeerSummary {
  return {
    name: m.name ?? '',
    appData: jsonFromMessage(m.appData),
    producers: (m.producers ?? []).map(producerFrom),
  };
}
