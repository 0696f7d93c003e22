import type {
  AppData,
  ClientNotification,
  ClientRequest,
  CloseReason as ProtocolCloseReason,
  RtpCapabilities,
  ServerResponse,
} from '@x/protocol';
import type { types as msc } from 'mediasoup-client';
import type { RequestError, TransportFailedError } from './errors.js';
import type { Originator, Peer } from './Peer.js';
import type { Producer } from './Producer.js';
import type { AudioLevelData, RecordingState } from './Signal.js';
import type { Transport } from './Transport.js';

// The options and events of a Room, apart from its behaviour.

/** Why the server closed this client's peer ('unspecified' from a server that gave no reason). */
export type CloseReason = ProtocolCloseReason | 'unspecified';

/** Options of a {@link Room} (mediasoup-client v2's RoomOptions, plus the engine choice). */
export interface RoomOptions {
  /** The room's capabilities, when known: join skips `queryRoom`. */
  roomSettings?: {
    /** The room's RTP capabilities (what `queryRoom` answers). */
    rtpCapabilities: RtpCapabilities;
    /** Payload types of the codecs every peer must support (mediasoup v2: read by no one here). */
    mandatoryCodecPayloadTypes?: number[];
  };
  /** Time to wait for a response, in ms. Default 30000. */
  requestTimeout?: number;
  /**
   * Time a transport may take to connect (ICE and DTLS) once it starts, in
   * ms, before `transportfailed` ('timeout') is emitted. Default 15000.
   */
  transportConnectTimeout?: number;
  /** WebRTC transport options sent to the server. Default {}. */
  transportOptions?: {
    /** Offer UDP candidates. Default true. */
    udp?: boolean;
    /** Offer TCP candidates. Default true. */
    tcp?: boolean;
    /** Prefer UDP. Default false. */
    preferUdp?: boolean;
    /** Prefer TCP. Default false. */
    preferTcp?: boolean;
  };
  /** TURN servers. Default []. */
  turnServers?: RTCIceServer[];
  /** ICE transport policy. Default 'all'. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Join as a spy: receive everything, be seen by no one, send nothing. Default false. */
  spy?: boolean;
  /** mediasoup-client handler name (default: detected from the browser). */
  handlerName?: msc.BuiltinHandlerName;
  /** mediasoup-client handler factory (e.g. `FakeHandler.createFactory(...)` in Node tests). */
  handlerFactory?: msc.HandlerFactory;
}

/** @internal The options of a room with their defaults. */
export type ResolvedRoomOptions = Required<
  Omit<RoomOptions, 'roomSettings' | 'handlerName' | 'handlerFactory'>
> &
  Pick<RoomOptions, 'roomSettings' | 'handlerName' | 'handlerFactory'>;

/** Options of {@link Room.join}. */
export interface JoinOptions {
  /** Access token for servers that require one. */
  token?: string;
}

/** Events of a {@link Room}. */
export type RoomEvents = {
  /**
   * A request for the server: send it and call `callback` with its Response
   * (or `errback` if it could not be carried). The WebSocket connector does this.
   */
  request: [
    request: ClientRequest,
    callback: (response: ServerResponse) => void,
    errback: (error: Error) => void,
  ];
  /** A notification for the server: send it. */
  notify: [notification: ClientNotification];
  /** A peer joined. */
  newpeer: [peer: Peer];
  /** The room was left ('local') or the server closed this peer ('remote', with the reason). */
  close: [originator: Originator, appData: AppData | undefined, reason: CloseReason | undefined];
  /** The server refused a notification of this client. */
  notificationerror: [error: RequestError, notification: string, id: number];
  /** A recording of the room started or ended (and, at join, one that runs): show it to the user. */
  recording: [state: RecordingState];
  /**
   * The room's dominant speaker changed (after `enableActiveSpeaker()`): its
   * name, its Peer (undefined when it is this client), and its producer id.
   */
  activespeaker: [peerName: string, peer: Peer | undefined, producerId: number];
  /** The room's audio levels, loudest first, [] in silence (after `enableAudioLevels()`). */
  audiolevels: [levels: AudioLevelData[]];
  /**
   * A transport could not connect (the browser said it failed, or it did not
   * connect within `transportConnectTimeout`): no media flows on it. Show it
   * to the user; a later `connectionstatechange` of the transport says if it recovers.
   */
  transportfailed: [transport: Transport, error: TransportFailedError];
  /** The quality of one of this client's producers, as the server receives it (0 to 10 per encoding). */
  producerscore: [producer: Producer, scores: number[]];
};
