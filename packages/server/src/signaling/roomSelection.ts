import type { AppData, RtpCapabilities } from '@x/protocol';
import type { RoomMediaCodec } from '../media/mediaCodecs.js';
import type { Room } from '../media/Room.js';
import { SfuError } from '../util/errors.js';
import type { Limits } from '../util/limits.js';
import type { AccessTokenClaims } from './auth.js';
import type { ConnectionInfo } from './ConnectionSink.js';
import type { IceServer } from './turn.js';

// Which room a client queries or joins: what the app is asked, what it may
// answer, the usual answer (the room named in the URL), and what the
// signaling layer needs of the server to open that room.

/**
 * What the signaling layer needs of its SFU server (a `Server` has it all):
 * its limits and rooms, and to open a room at its first authorized join.
 */
export interface RoomHost {
  /** Limits per room, peer and connection. */
  readonly limits: Limits;
  /** The open room with this id. */
  getRoom(id: string): Room | undefined;
  /** Opens a room. */
  createRoom(options: RoomSpec): Promise<Room>;
  /** The capabilities a room of these codecs has (or will have). */
  rtpCapabilitiesFor(mediaCodecs?: readonly RoomMediaCodec[]): Promise<RtpCapabilities>;
  /** TURN servers with fresh credentials for a joining (or resuming) peer: none without TURN. */
  iceServers(): IceServer[];
  /**
   * @internal A connection the server closed: `sent` resolves once its
   * closing frame has left (what `cluster.drain()` waits for).
   */
  farewell?(sent: Promise<void>): void;
}

/** What the app is asked when a client queries or joins: which room is it for? */
export interface RoomRequest {
  /** 'query' (queryRoom: nothing may be created for it) or 'join' (authorized). */
  purpose: 'query' | 'join';
  /** The connection (URL, headers, address). */
  connection: ConnectionInfo;
  /** Peer name (absent for `queryRoom`). */
  peerName?: string;
  /** The access token the client sent. */
  token?: string;
  /** Its verified claims, when the server checks tokens. */
  claims?: AccessTokenClaims;
  /** The appData the client joins with. */
  appData?: AppData;
}

/**
 * A room that may not exist yet: the server creates it at the first
 * authorized join (a `queryRoom` or a refused join creates nothing).
 */
export interface RoomSpec {
  /** Room id. */
  id: string;
  /** Codecs of the room when it is created (default: the server's). */
  mediaCodecs?: RoomMediaCodec[];
  /** The app's data about the room when it is created. */
  appData?: AppData;
  /** Close the room once empty for `limits.emptyRoomTimeoutMs`. Default true. */
  closeWhenEmpty?: boolean;
}

/**
 * Picks the room a client queries or joins: an open Room, or a
 * {@link RoomSpec} the server creates on the first authorized join. Throw
 * an SfuError to refuse.
 */
export type RoomSelector = (request: RoomRequest) => Room | RoomSpec | Promise<Room | RoomSpec>;

/** Whether the app's selector answered an open room (else a spec to open). */
export function isRoom(selected: Room | RoomSpec): selected is Room {
  return typeof (selected as Room).join === 'function';
}

/** Options of {@link roomFromUrl}. */
export interface RoomFromUrlOptions {
  /** The query parameter naming the room. Default 'roomId'. */
  param?: string;
  /** Codecs of rooms it creates (default: the server's defaults). */
  mediaCodecs?: RoomMediaCodec[];
  /** Close a room once it has had no peer for `limits.emptyRoomTimeoutMs`. Default true. */
  closeWhenEmpty?: boolean;
}

/**
 * A room selector for the common case: the room named in the connection URL
 * (`?roomId=name`), created at its first authorized join.
 */
export function roomFromUrl(server: RoomHost, options: RoomFromUrlOptions = {}): RoomSelector {
  const param = options.param ?? 'roomId';
  return ({ connection }) => {
    const id = connection.url?.searchParams.get(param);
    if (!id) {
      throw new SfuError(
        'BAD_REQUEST',
        `the connection URL names no room: add ?${param}=<room> to it`,
      );
    }
    if (id.length > 256) throw new SfuError('BAD_REQUEST', 'a room id has at most 256 characters');
    return (
      server.getRoom(id) ?? {
        id,
        mediaCodecs: options.mediaCodecs,
        closeWhenEmpty: options.closeWhenEmpty ?? true,
      }
    );
  };
}
