import type { AppData, RtpCapabilities } from '@x/protocol';
import type { AudioLevel } from './AudioLevels.js';
import type { DataProducer } from './DataProducer.js';
import type { Peer } from './Peer.js';
import type { PeerLink } from './PeerLink.js';
import type { Producer } from './Producer.js';
import type { PeerPermissions } from './permissions.js';
import type { RoomMember } from './RoomMember.js';
import type { RtpStreamer } from './RtpStreamer.js';

// A room's events, and what a joiner brings.

/** Events of a {@link Room}. */
export type RoomEvents = {
  /** A peer joined on this server. */
  newpeer: [peer: Peer];
  /** A member joined: a peer of this server (after its `newpeer`) or, in a cluster, of another node. */
  newmember: [member: RoomMember];
  /** The room was closed. */
  close: [appData: AppData | undefined];
  /** Levels of the loudest audio producers, loudest first, every 500 ms while someone listens ([] in silence). */
  audiolevels: [levels: AudioLevel[]];
  /** A peer sent a data message (once the app called `receiveData()`). */
  datamessage: [dataProducer: DataProducer, message: DataMessage];
};

/** Events of a room's {@link Room.observer}. */
export type RoomObserverEvents = {
  /** A peer joined on this server. */
  newpeer: [peer: Peer];
  /** A member joined (a peer of this server, or of another node). */
  newmember: [member: RoomMember];
  /** A member left. */
  memberclose: [member: RoomMember, appData: AppData | undefined];
  /** A member has a new producer (its consumers exist by then). */
  newproducer: [producer: Producer];
  /** An RtpStreamer of the room was created. */
  newrtpstreamer: [streamer: RtpStreamer];
  /** A recording of the room started or ended. */
  recordingchange: [state: RecordingState];
  /** The dominant speaker changed (while someone watches it: see `watchActiveSpeaker`). */
  activespeakerchange: [member: RoomMember, producer: Producer];
  /** The room's audio levels, loudest first, [] in silence (while someone watches them). */
  audiolevels: [levels: AudioLevel[]];
  /** A peer has a new data producer (its data consumers exist by then). */
  newdataproducer: [dataProducer: DataProducer];
  /** A peer sent a data message (once the app called `receiveData()`). */
  datamessage: [dataProducer: DataProducer, message: DataMessage];
  /** The server app sent a message (`sendData`): to these peers, or to every peer. */
  servermessage: [message: ServerDataMessage];
  /** The room's metadata changed (`setAppData`). */
  appdatachange: [appData: AppData | undefined];
  /** A peer's metadata changed (`setPeerAppData`). */
  peerappdatachange: [peer: Peer, appData: AppData | undefined];
  /** The room is closing: its peers have left; its routers close next. */
  close: [appData: AppData | undefined];
};

/** A message a peer sent on a data producer, as the server app receives it (`datamessage`). */
export type DataMessage = string | Buffer;

/** A message the server app sends to peers ({@link Room.sendData}). */
export interface ServerDataMessage {
  /** The app's name for the kind of message. */
  label: string;
  /** Text, or bytes. */
  data: string | Uint8Array;
  /** The peers it goes to (names); undefined: every peer of the room. */
  to: ReadonlySet<string> | undefined;
  /** Whether the server app of another node of the cluster sent it (this node passes it on). */
  relayed: boolean;
}

/** Whether a room is being recorded, and whom. */
export interface RecordingState {
  /** Whether at least one recording of the room runs. */
  active: boolean;
  /** The peers being recorded. */
  peerNames: string[];
}

/** What a client joins with, in domain terms (see {@link Room.join}). */
export interface PeerJoin {
  /** Peer name, unique in the room (1 to 256 characters). */
  name: string;
  /** What the client can receive. */
  rtpCapabilities: RtpCapabilities;
  /** Join as a spy: receive, be seen by no one, send nothing. Default false. */
  spy?: boolean;
  /** The app's data about the peer. */
  appData?: AppData;
  /** What the peer may do (from its token). Default: everything. */
  permissions?: Partial<PeerPermissions>;
  /**
   * @internal Links the peer to the signaling layer that joined it (a
   * client connection); default: the server's signaling, for apps that relay
   * the v2 `notify` events themselves.
   */
  link?: (peer: Peer) => PeerLink;
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
