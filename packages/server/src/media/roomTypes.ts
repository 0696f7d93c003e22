import type { types as ms } from '@x/mediasoup';
import type { AppData, RtpCapabilities } from '@x/protocol';
import type { ResolvedSettings } from '../ServerSettings.js';
import type { Limits } from '../util/limits.js';
import type { AudioLevel } from './AudioLevels.js';
import type { Peer, PeerPermissions } from './Peer.js';
import type { PlainRtpPolicy } from './PlainRtpPolicy.js';
import type { Room } from './Room.js';
import type { SignalingPort } from './SignalingPort.js';
import type { WorkerPool } from './WorkerPool.js';

// A room's events, what it needs from its server, and what a joiner brings.

/** Events of a {@link Room}. */
export type RoomEvents = {
  /** A peer joined. */
  newpeer: [peer: Peer];
  /** The room was closed. */
  close: [appData: AppData | undefined];
  /** Levels of the loudest audio producers, loudest first, every 500 ms while someone listens ([] in silence). */
  audiolevels: [levels: AudioLevel[]];
};

/** @internal What a room needs from its server. */
export interface RoomContext {
  /**
   * Admits a joiner before it is added (a cluster claims its name across
   * nodes, or refuses: NODE_UNAVAILABLE); resolves with what undoes it if the
   * join fails after all.
   */
  admit?: (room: Room, name: string, spy: boolean) => Promise<() => void>;
  /** Called when one of the room's routers died with its worker. */
  routerDied?: (room: Room, worker: ms.Worker) => void;
  settings: ResolvedSettings;
  pool: WorkerPool;
  limits: Limits;
  signaling: SignalingPort;
  /** Where clients may point plain RTP transports (none: nowhere). */
  plainRtp: PlainRtpPolicy | undefined;
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
}
