import type {
  AppData,
  ClientNotification,
  ClientRequest,
  CloseReason,
  Profile,
  ServerResponse,
} from '@x/protocol';
import type { AudioLevel } from './AudioLevels.js';
import type { Consumer } from './Consumer.js';
import type { Peer, PeerPermissions } from './Peer.js';
import type { Producer } from './Producer.js';
import type { PreferredProfile } from './profiles.js';
import type { Room } from './Room.js';
import type { Transport } from './Transport.js';

/**
 * What a peer's client must hear, in domain terms. The domain calls these;
 * the signaling layer turns each into the notification its client receives
 * (and the v2 `notify` event). The peer it belongs to is the receiver.
 */
export interface PeerChannel {
  /** The server closed the peer (for `node_draining`: the node to join again through). */
  closed(
    reason: CloseReason,
    message: string,
    appData: AppData | undefined,
    redirectUrl?: string,
  ): void;
  /** The server closed one of the peer's transports. */
  transportClosed(transport: Transport, appData: AppData | undefined): void;
  /** Another peer joined. */
  newPeer(peer: Peer): void;
  /** Another peer left. */
  peerClosed(peer: Peer, appData: AppData | undefined): void;
  /** The server app paused one of the peer's producers. */
  producerPaused(producer: Producer, appData: AppData | undefined): void;
  /** The server app resumed one of the peer's producers. */
  producerResumed(producer: Producer, appData: AppData | undefined): void;
  /** The server closed one of the peer's producers. */
  producerClosed(producer: Producer, appData: AppData | undefined): void;
  /** The peer can receive a new producer. */
  newConsumer(consumer: Consumer): void;
  /** A consumer of the peer closed. */
  consumerClosed(consumer: Consumer): void;
  /** A consumer was paused by the server app ('local') or because its producer paused ('source'). */
  consumerPaused(
    consumer: Consumer,
    originator: 'local' | 'source',
    appData: AppData | undefined,
  ): void;
  /** A consumer was resumed by the server app ('local') or because its producer resumed ('source'). */
  consumerResumed(
    consumer: Consumer,
    originator: 'local' | 'source',
    appData: AppData | undefined,
  ): void;
  /** The server app set the profile a consumer prefers. */
  consumerPreferredProfileSet(consumer: Consumer, profile: PreferredProfile): void;
  /** The profile a consumer receives changed. */
  consumerEffectiveProfileChanged(consumer: Consumer, profile: Profile): void;
  /** A recording of the room started or ended. */
  recording(state: RecordingState): void;
  /** The room's dominant speaker changed (the client subscribed to it). */
  activeSpeaker(peer: Peer, producer: Producer): void;
  /** The room's audio levels, loudest first; [] in silence (the client subscribed to them). */
  audioLevels(levels: AudioLevel[]): void;
  /** The quality of one of the peer's consumers changed (0 to 10, as sent and as received). */
  consumerScore(consumer: Consumer, score: number, producerScore: number): void;
  /** The quality of one of the peer's producers changed, per encoding (0 to 10). */
  producerScore(producer: Producer, scores: number[]): void;
}

/** Whether a room is being recorded, and whom. */
export interface RecordingState {
  /** Whether at least one recording of the room runs. */
  active: boolean;
  /** The peers being recorded. */
  peerNames: string[];
}

/**
 * A peer's link to its client: the channel out, and mediasoup v2's entry
 * points in (`peer.receiveRequest()`, `peer.receiveNotification()`), which
 * hand the messages through untouched.
 */
export interface PeerLink extends PeerChannel {
  /** Handles a request of the client; resolves with the response to send back. */
  receiveRequest(request: ClientRequest): Promise<ServerResponse>;
  /** Handles a notification of the client. */
  receiveNotification(notification: ClientNotification): void;
}

/** Options of a join that the signaling layer adds to the request (v2's `room.receiveRequest()`). */
export interface JoinOptions {
  /** What the peer may do (from its token). */
  permissions?: Partial<PeerPermissions>;
  /** The session id to return to the client. */
  sessionId?: string;
  /** How long the server keeps the peer after a lost connection, in ms. */
  sessionGraceMs?: number;
}

/**
 * The signaling layer as the domain sees it, plugged in by the Server: the
 * domain never builds, reads or dispatches a wire message itself.
 */
export interface SignalingPort {
  /** Links a new peer to its client. */
  linkPeer(peer: Peer): PeerLink;
  /** mediasoup v2's `room.receiveRequest()`: `queryRoom` and `join` of a client not yet in the room. */
  receiveRoomRequest(
    room: Room,
    request: ClientRequest,
    options: JoinOptions,
  ): Promise<ServerResponse>;
}
