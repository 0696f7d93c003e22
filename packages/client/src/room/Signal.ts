import type {
  AppData,
  ClientNotification,
  ClientRequest,
  DtlsParameters,
  IceCandidate,
  IceParameters,
  MediaKind,
  Profile,
  RtcStats,
  RtpCapabilities,
  RtpParameters,
  SctpParameters,
  SctpStreamParameters,
  ServerNotification,
  ServerResponse,
  TransportDirection,
} from '@x/protocol';
import type { RequestError } from './errors.js';
import type { PreferredProfile } from './profiles.js';
import type { CloseReason } from './roomOptions.js';

// How the room and its objects talk to the server, in domain and mediasoup
// types only. src/signaling/SignalClient implements it: the messages, their
// ids and timeouts, and every protobuf conversion live there, so that no
// domain file builds or reads a message (a Biome rule keeps it that way).

/** What has server stats. */
export type StatsTarget = 'transport' | 'producer' | 'consumer';

/** WebRTC transport options given to the server. */
export interface WebRtcTransportOptions {
  /** Offer UDP candidates. Default true. */
  udp?: boolean;
  /** Offer TCP candidates. Default true. */
  tcp?: boolean;
  /** Prefer UDP. Default false. */
  preferUdp?: boolean;
  /** Prefer TCP. Default false. */
  preferTcp?: boolean;
}

/** @internal What the server said of a consumer. */
export interface ConsumerData {
  id: number;
  peerName: string;
  kind: MediaKind;
  paused: boolean;
  preferredProfile: PreferredProfile;
  effectiveProfile: Profile;
  appData: AppData | undefined;
  supported: boolean;
  simulcast: boolean;
}

/** @internal What the server said of a data consumer. */
export interface DataConsumerData {
  id: number;
  peerName: string;
  dataProducerId: number;
  label: string;
  protocol: string;
  ordered: boolean;
  maxPacketLifeTime: number | undefined;
  maxRetransmits: number | undefined;
  appData: AppData | undefined;
}

/** @internal What the server said of a peer. */
export interface PeerData {
  name: string;
  appData: AppData | undefined;
  consumers: ConsumerData[];
  dataConsumers: DataConsumerData[];
}

/** @internal The answer to a join. */
export interface Joined {
  peers: PeerData[];
  sessionId: string;
  sessionGraceMs: number;
  /** TURN servers with credentials the server minted for this peer. */
  iceServers: RTCIceServer[];
  /** The room's metadata (its app data). */
  roomAppData: AppData | undefined;
}

/** @internal The room as the server has it when a session is resumed. */
export interface ResumedState {
  peers: PeerData[];
  producers: { id: number; paused: boolean }[];
  transportIds: number[];
  dataProducerIds: number[];
  /** TURN servers with fresh credentials. */
  iceServers: RTCIceServer[];
}

/** @internal The server side of a new transport. */
export interface TransportCreated {
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
  /** When SCTP was asked for. */
  sctpParameters: SctpParameters | undefined;
}

/** @internal A consumer enabled on a transport. */
export interface ConsumerEnabled {
  rtpParameters: RtpParameters;
  paused: boolean;
  /** Undefined when the server did not say. */
  effectiveProfile: Profile | undefined;
}

/** @internal What a join sends. */
export interface JoinParams {
  peerName: string;
  rtpCapabilities: RtpCapabilities;
  spy: boolean;
  appData: AppData | undefined;
  token: string;
}

/** @internal What creating a transport on the server sends. */
export interface CreateTransportParams {
  id: number;
  direction: TransportDirection;
  options: WebRtcTransportOptions;
  appData: AppData | undefined;
  /** Ask for SCTP (DataChannels), with the numbers of streams this device has. */
  sctpStreams?: { OS: number; MIS: number };
}

/** @internal What creating a data producer on the server sends. */
export interface ProduceDataParams {
  id: number;
  transportId: number;
  sctpStreamParameters: SctpStreamParameters;
  label: string;
  protocol: string;
  appData: AppData | undefined;
}

/** @internal What creating a producer on the server sends. */
export interface ProduceParams {
  id: number;
  kind: MediaKind;
  transportId: number;
  rtpParameters: RtpParameters;
  paused: boolean;
  appData: AppData | undefined;
}

/** @internal What enabling a consumer on a transport sends. */
export interface EnableConsumerParams {
  id: number;
  transportId: number;
  paused: boolean;
  preferredProfile: PreferredProfile;
}

/**
 * @internal What the domain asks of the server. Requests resolve with the
 * answer or reject with RequestError (the server refused), TimeoutError (no
 * answer in time) or InvalidStateError (the room is closed); notifications are
 * fire-and-forget and dropped while the room is not joined.
 */
export interface Signal {
  /** A transport's media path went quiet: check the signaling path now (see SignalCarrier.probe). */
  probeConnection(): void;
  queryRoom(token?: string): Promise<RtpCapabilities>;
  join(params: JoinParams): Promise<Joined>;
  createTransport(params: CreateTransportParams): Promise<TransportCreated>;
  connectTransport(transportId: number, dtlsParameters: DtlsParameters): Promise<void>;
  restartIce(transportId: number): Promise<IceParameters>;
  produce(params: ProduceParams): Promise<void>;
  enableConsumer(params: EnableConsumerParams): Promise<ConsumerEnabled>;
  startConsumer(id: number): Promise<void>;
  produceData(params: ProduceDataParams): Promise<void>;
  /** Resolves with the stream the server sends on. */
  enableDataConsumer(id: number, transportId: number): Promise<SctpStreamParameters>;

  leave(appData: AppData | undefined): void;
  closeTransport(id: number, appData: AppData | undefined): void;
  pauseProducer(id: number, appData: AppData | undefined): void;
  resumeProducer(id: number, appData: AppData | undefined): void;
  closeProducer(id: number, appData: AppData | undefined): void;
  closeDataProducer(id: number, appData: AppData | undefined): void;
  pauseConsumer(id: number, appData: AppData | undefined): void;
  resumeConsumer(id: number, appData: AppData | undefined): void;
  setConsumerPreferredProfile(id: number, profile: PreferredProfile): void;
  enableStats(target: StatsTarget, id: number, intervalMs: number): void;
  disableStats(target: StatsTarget, id: number): void;
  /** Subscribes to the room's active speaker, or ends it. */
  setActiveSpeaker(on: boolean): void;
  /** Subscribes to the room's audio levels every `intervalMs`, or ends it (undefined). */
  setAudioLevels(intervalMs: number | undefined): void;

  /** A notification from the server, handed to the {@link SignalListener}. */
  receive(notification: ServerNotification): void;
}

/** @internal What the server tells the room, in domain types (one call per notification). */
export interface SignalListener {
  closed(appData: AppData | undefined, reason: CloseReason): void;
  transportClosed(id: number, appData: AppData | undefined): void;
  transportStats(id: number, stats: RtcStats[]): void;
  newPeer(peer: PeerData): void;
  peerClosed(name: string, appData: AppData | undefined): void;
  producerPaused(id: number, appData: AppData | undefined): void;
  producerResumed(id: number, appData: AppData | undefined): void;
  producerClosed(id: number, appData: AppData | undefined): void;
  producerStats(id: number, stats: RtcStats[]): void;
  newConsumer(consumer: ConsumerData): void;
  consumerClosed(id: number, peerName: string): void;
  consumerPaused(id: number, peerName: string, appData: AppData | undefined): void;
  consumerResumed(id: number, peerName: string, appData: AppData | undefined): void;
  consumerPreferredProfileSet(id: number, peerName: string, profile: PreferredProfile): void;
  consumerEffectiveProfileChanged(id: number, peerName: string, profile: Profile): void;
  consumerStats(id: number, peerName: string, stats: RtcStats[]): void;
  notificationRejected(error: RequestError, notification: string, id: number): void;
  recording(state: RecordingState): void;
  activeSpeaker(peerName: string, producerId: number): void;
  audioLevels(levels: AudioLevelData[]): void;
  consumerScore(id: number, peerName: string, score: number, producerScore: number): void;
  producerScore(id: number, scores: number[]): void;
  newDataConsumer(dataConsumer: DataConsumerData): void;
  dataConsumerClosed(id: number, peerName: string): void;
  dataProducerClosed(
    id: number,
    appData: AppData | undefined,
    error: RequestError | undefined,
  ): void;
  dataMessage(label: string, data: string | Uint8Array): void;
  roomAppDataChanged(appData: AppData | undefined): void;
  peerAppDataChanged(peerName: string, appData: AppData | undefined): void;
}

/** The level of one audio producer of the room (the `audiolevels` event of a Room). */
export interface AudioLevelData {
  /** The peer that sends it (this client's own name for its own producers). */
  peerName: string;
  /** Its producer id. */
  producerId: number;
  /** Level in dBov, -127 (silence) to 0 (loudest). */
  level: number;
}

/** Whether the room is being recorded (the `recording` event of a Room). */
export interface RecordingState {
  /** Whether at least one recording of the room runs. */
  active: boolean;
  /** The peers being recorded. */
  peerNames: string[];
}

/**
 * @internal How a signal's messages are carried: by default the room's v2
 * `request` and `notify` events (the app carries them); while a connection
 * (`connect()`) carries them, straight to its socket. It hands them on as
 * they are and never reads them.
 */
export interface SignalCarrier {
  /** False once the room is closed: requests then fail at once. */
  canRequest(): boolean;
  /** True only while the room is joined: notifications are dropped otherwise. */
  canNotify(): boolean;
  /** Carries a request; returns false when nothing listens. */
  request(
    request: ClientRequest,
    callback: (response: ServerResponse) => void,
    errback: (error: Error) => void,
  ): boolean;
  notify(notification: ClientNotification): void;
  /**
   * A transport's media path went quiet: if the signaling path died with it
   * (a network change), say so now rather than at the next missed ping.
   */
  probe?(): void;
}

/** @internal What a room gives its signal. */
export interface SignalOptions {
  /** Time to wait for a response, in ms. */
  requestTimeout: number;
  carrier: SignalCarrier;
  listener: SignalListener;
}
