import {
  isCompatibleProtocolVersion,
  MIN_PROTOCOL_VERSION,
  optionalJsonToMessage,
  PROTOCOL_VERSION,
  pb,
  rtpCapabilitiesFromMessage,
} from '@x/protocol';
import type { Peer } from '../media/Peer.js';
import type { PeerLink } from '../media/PeerLink.js';
import type { Room } from '../media/Room.js';
import type { JoinOptions } from '../media/roomTypes.js';
import { SfuError } from '../util/errors.js';
import { appDataFrom } from './appData.js';
import { checkRtpCounts } from './counts.js';
import { errorToMessage } from './errors.js';
import type { IceServer } from './turn.js';
import { otherPeersView, queryRoomView } from './views.js';

/**
 * A client must speak a protocol version this server speaks: checked first
 * at join and resume, so an old client gets this error and not another, and
 * nothing is created for it.
 */
export function assertProtocolVersion(version: number): void {
  if (isCompatibleProtocolVersion(version)) return;
  throw new SfuError(
    'INCOMPATIBLE_PROTOCOL_VERSION',
    `protocol version ${version} is not supported: this server speaks ${MIN_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}; update the client`,
    { field: 'protocolVersion' },
  );
}

/** What the signaling layer adds to a join, besides the app's {@link JoinOptions}. */
export interface JoinAnswerOptions extends JoinOptions {
  /**
   * Links the new peer to the signaling that joined it (default: the room's,
   * which relays through the peer's v2 `notify` event).
   */
  link?: (peer: Peer) => PeerLink;
  /** TURN servers with credentials for the peer, for the response. */
  iceServers?: IceServer[];
  /** The client's liveness pings the server answers (none: the client sends none). */
  ping?: PingSettings;
}

/** How often a joined client pings, and how long a silence means its connection is dead. */
export interface PingSettings {
  /** Interval between the client's pings, in ms. */
  intervalMs: number;
  /** Silence from the server after which the client reconnects, in ms. */
  timeoutMs: number;
}

/** Joins a client to a room: the join request in domain terms, and the answer it gets. */
export async function joinRoom(
  room: Room,
  req: pb.JoinRequest,
  options: JoinAnswerOptions = {},
): Promise<{ peer: Peer; response: pb.JoinResponse.$Properties }> {
  assertProtocolVersion(req.protocolVersion);
  if (!req.rtpCapabilities)
    throw new SfuError('BAD_REQUEST', 'rtpCapabilities are missing', { field: 'rtpCapabilities' });
  checkRtpCounts(req.rtpCapabilities, 'rtpCapabilities');
  const peer = await room.join({
    name: req.peerName,
    rtpCapabilities: rtpCapabilitiesFromMessage(req.rtpCapabilities, 'rtpCapabilities'),
    spy: req.spy,
    appData: appDataFrom(req.appData, 'appData', room.limits.maxAppDataSize),
    permissions: options.permissions,
    link: options.link,
  });
  return {
    peer,
    response: {
      peers: otherPeersView(peer, room),
      sessionId: options.sessionId ?? '',
      sessionGraceMs: options.sessionGraceMs ?? 0,
      iceServers: options.iceServers ?? [],
      pingIntervalMs: options.ping?.intervalMs ?? 0,
      pingTimeoutMs: options.ping?.timeoutMs ?? 0,
      roomAppData: optionalJsonToMessage(room.appData),
    },
  };
}

/** The state a resuming client aligns with: the room's peers, its producers and transports. */
export function resumeView(
  peer: Peer,
  room: Room,
  iceServers: IceServer[] = [],
): pb.ResumeSessionResponse.$Properties {
  return {
    iceServers,
    peers: otherPeersView(peer, room),
    producers: peer.producers.map((p) => ({ id: p.id, paused: p.locallyPaused })),
    transportIds: peer.transports.map((t) => t.id),
    dataProducerIds: peer.dataProducers.map((dp) => dp.id),
  };
}

/**
 * mediasoup v2's `room.receiveRequest()`: `queryRoom` and `join` of a client
 * not yet in the room. Never rejects: a failure is an error response.
 */
export async function receiveRoomRequest(
  room: Room,
  request: pb.Request,
  options: JoinAnswerOptions,
): Promise<pb.Response> {
  try {
    switch (request.body) {
      case 'queryRoom':
        return pb.Response.create({ id: request.id, queryRoom: queryRoomView(room) });
      case 'join':
        return pb.Response.create({
          id: request.id,
          join: (await joinRoom(room, request.join!, options)).response,
        });
      default:
        throw new SfuError(
          'NOT_JOINED',
          `join the room before sending ${request.body ?? 'this request'}`,
        );
    }
  } catch (error) {
    return pb.Response.create({ id: request.id, error: errorToMessage(error) });
  }
}
