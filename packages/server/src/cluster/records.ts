import type { AppData, MediaKind, RtpParameters } from '@x/protocol';

// What nodes of a cluster tell each other through Redis (JSON), and the
// version of that format: nodes that do not share it do not share a cluster.

/** Version of what nodes exchange through Redis. */
export const CLUSTER_FORMAT = 3;

/** A node, as the registry holds it. */
export interface NodeInfo {
  /** The node's id, unique in the cluster. */
  id: string;
  /** Where its clients connect. */
  signalingUrl: string;
  /** Where its pipes listen (the announced address). */
  pipeIp: string;
  /** The cluster format it speaks. */
  format: number;
  /** Whether its pipes are SRTP (`cluster.pipeSrtp`): nodes pipe media only to nodes that agree. */
  pipeSrtp: boolean;
  /** The signaling protocol versions it speaks. */
  protocol: {
    /** The oldest it speaks. */
    min: number;
    /** The newest it speaks. */
    max: number;
  };
  /** It takes no new peer. */
  draining: boolean;
  /** Peers it takes at most (none: no limit). */
  maxPeers?: number;
  /** Local peers, rooms, and its workers' consumers: what its load is judged by. */
  load: {
    /** Its local peers (in all its rooms). */
    peers: number;
    /** Its rooms. */
    rooms: number;
    /** Consumers on its workers. */
    consumers: number;
  };
  /** When the node started (`Date.now()`, ms). */
  startedAt: number;
}

/** A peer of a room, in the room's peers hash. */
export interface PeerRecord {
  node: string;
  name: string;
  appData: AppData | undefined;
  spy: boolean;
}

/** A producer of a room, in the room's producers hash. */
export interface ProducerRecord {
  node: string;
  peer: string;
  id: number;
  kind: MediaKind;
  paused: boolean;
  appData: AppData | undefined;
  /** The id of its mediasoup producer (the same on every node it is piped to). */
  engineId: string;
  /** The RTP parameters of its pipes (the same to every node, every time). */
  rtpParameters: RtpParameters;
}

/** A data producer of a room, in the room's data producers hash. */
export interface DataProducerRecord {
  node: string;
  peer: string;
  id: number;
  appData: AppData | undefined;
  /** The id of its mediasoup data producer (the same on every node it is piped to). */
  engineId: string;
  label: string;
  protocol: string;
}

/** A message of the server app to a room's peers (`room.sendData`), for the other nodes' peers. */
export interface ServerDataRecord {
  label: string;
  /** Text, or bytes in base64 (`binary`). */
  text?: string;
  binary?: string;
  /** The peers it goes to; absent: all. */
  to?: string[];
}

/** What happens in a room, published on its channel. */
export type RoomEvent =
  | { type: 'peer-join'; from: string; peer: PeerRecord }
  | { type: 'peer-leave'; from: string; peer: string; appData: AppData | undefined }
  | { type: 'producer-add'; from: string; producer: ProducerRecord }
  | { type: 'data-producer-add'; from: string; dataProducer: DataProducerRecord }
  | {
      type: 'data-producer-close';
      from: string;
      peer: string;
      id: number;
      appData: AppData | undefined;
    }
  | { type: 'server-data'; from: string; message: ServerDataRecord }
  | {
      type: 'producer-pause' | 'producer-resume' | 'producer-close';
      from: string;
      peer: string;
      id: number;
      appData: AppData | undefined;
    };

/** What a node asks the node of a peer to pipe its producers. */
export interface LinkRequest {
  room: string;
  peer: string;
  from: string;
  ip: string;
  port: number;
  /** The asking node's SRTP keys for the pipe (absent: plain RTP, `pipeSrtp: false`). */
  srtp?: PipeSrtp;
}

/** The pipe end of the peer's node. */
export interface LinkAnswer {
  ip: string;
  port: number;
  /** The answering node's SRTP keys for the pipe (absent: plain RTP). */
  srtp?: PipeSrtp;
}

/** The SRTP parameters of one end of a pipe (mediasoup's SrtpParameters). */
export interface PipeSrtp {
  cryptoSuite: string;
  keyBase64: string;
}

/** One producer to pipe over a link (`consume`), or no longer (`unconsume`). */
export interface ConsumeRequest {
  room: string;
  peer: string;
  from: string;
  producer: number;
}

/** One data producer to pipe over a link (`consume-data`). */
export interface ConsumeDataRequest {
  room: string;
  peer: string;
  from: string;
  dataProducer: number;
}

/** The SCTP stream of a data producer's pipe: the far end produces on it. */
export interface ConsumeDataAnswer {
  streamId: number;
  ordered: boolean;
  maxPacketLifeTime?: number;
  maxRetransmits?: number;
}

/**
 * Lets a piped producer's media through: the pipe's consumer of a video
 * producer starts paused, so that the key frame it asks for as it resumes
 * comes when a consumer on the receiving node starts, not before.
 */
export type FlowRequest = ConsumeRequest;

/** A request to the node of a peer: take the peer out of the room (an app closed it elsewhere). */
export interface KickRequest {
  room: string;
  peer: string;
  appData: AppData | undefined;
}
