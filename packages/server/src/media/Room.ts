import type { types as ms } from '@x/mediasoup';
import type {
  AppData,
  ClientRequest,
  CloseReason,
  RtpCapabilities,
  ServerResponse,
} from '@x/protocol';
import { Emitter, logger, Observer } from '@x/shared';
import { InvalidStateError, SfuError } from '../util/errors.js';
import type { Limits } from '../util/limits.js';
import { ActiveSpeakerDetector } from './ActiveSpeakerDetector.js';
import { AudioLevels } from './AudioLevels.js';
import { assertCanJoin, assertFanOut, type RoomView } from './admission.js';
import type { Consumer, ConsumerPipes } from './Consumer.js';
import { createRtpStreamer } from './createRtpStreamer.js';
import { DataPipes } from './DataPipes.js';
import type { DataProducer } from './DataProducer.js';
import { DataRateWatch } from './DataRateWatch.js';
import { DataReceiver } from './DataReceiver.js';
import { DominantSpeaker } from './DominantSpeaker.js';
import type { MemberHooks } from './MemberHooks.js';
import { OutsideRouter } from './OutsideRouter.js';
import { Peer, type PeerHooks } from './Peer.js';
import type { PeerLink } from './PeerLink.js';
import type { PlainRtpPolicy } from './PlainRtpPolicy.js';
import type { Producer } from './Producer.js';
import { RoomConsumers } from './RoomConsumers.js';
import { RoomDataConsumers } from './RoomDataConsumers.js';
import type { RoomMember } from './RoomMember.js';
import type { RoomRouters } from './RoomRouters.js';
import { RtpIngest, type RtpIngestOptions } from './RtpIngest.js';
import type { RtpStreamer, RtpStreamerOptions } from './RtpStreamer.js';
import type {
  JoinOptions,
  PeerJoin,
  RecordingState,
  RoomEvents,
  RoomObserverEvents,
  ServerDataMessage,
} from './roomTypes.js';
import { plainListenIp, type ResolvedSettings, webRtcListenIps } from './ServerSettings.js';
import type { WorkerPool } from './WorkerPool.js';

const log = logger('x:server:Room');

export type { PeerJoin, RoomEvents, RoomObserverEvents } from './roomTypes.js';

/**
 * The signaling layer as the domain sees it, plugged in by the Server: the
 * domain never builds, reads or dispatches a wire message itself.
 */
export interface SignalingPort {
  /** Links a new peer (joined without a signaling connection) to the signaling layer. */
  linkPeer(peer: Peer, room: Room): PeerLink;
  /** mediasoup v2's `room.receiveRequest()`: `queryRoom` and `join` of a client not yet in the room. */
  receiveRoomRequest(
    room: Room,
    request: ClientRequest,
    options: JoinOptions,
  ): Promise<ServerResponse>;
}

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
  /** How many other nodes of a cluster a producer of this server is sent to now. */
  nodePipesOf?: (room: Room, producer: Producer) => number;
  settings: ResolvedSettings;
  pool: WorkerPool;
  limits: Limits;
  signaling: SignalingPort;
  /** Where clients may point plain RTP transports (none: nowhere). */
  plainRtp: PlainRtpPolicy | undefined;
}

/**
 * @internal What a member whose media arrives from elsewhere (a peer of
 * another node) gives the room when it is added.
 */
export interface MemberSource {
  /**
   * A consumer here needs one of its producers (its engine consumer is being
   * made): bring that producer's media here until the function returned is
   * called (the last use given back, it stops coming). Never waited for.
   */
  acquire(producer: Producer): () => void;
  /**
   * A consumer here starts receiving one of its producers: let that media
   * come (the first time; later calls cost nothing). Never waited for.
   */
  startMedia(producer: Producer): void;
}

/**
 * A room: its members, and what they send and receive (mediasoup v2's Room),
 * on one mediasoup router per media worker it needs: peers are placed where
 * a worker has headroom, and producers are piped between the room's routers
 * as consumers need them. Create one with `server.createRoom()`.
 */
export class Room extends Emitter<RoomEvents> {
  /** Room id (the app's name for it, or a generated one). */
  readonly id: string;
  /** The app's data about the room. */
  appData: AppData | undefined;
  /** @internal The room's routers and the pipes between them. */
  readonly routerSet: RoomRouters;
  /** The limits of this room. */
  readonly limits: Limits;
  /**
   * Close the room once it has had no peer for `limits.emptyRoomTimeoutMs`
   * (default true: nothing a client starts outlives it; set false to keep the
   * room open until the app closes it).
   */
  closeWhenEmpty: boolean;
  /** What the server's own subsystems watch (see {@link RoomObserverEvents}). */
  readonly observer = new Observer<RoomObserverEvents>();

  #closed = false;
  #emptyTimer: NodeJS.Timeout | undefined;
  #levelWatchers = 0;
  readonly #context: RoomContext;
  /** Every member, by name: the peers of this server and those of other nodes. */
  readonly #members = new Map<string, RoomMember>();
  /** The peers of this server, by name. */
  readonly #peers = new Map<string, Peer>();
  /** Peers the server runs itself (RTP ingest), as opposed to a client's. */
  readonly #serverPeers = new Set<Peer>();
  readonly #sources = new Map<RoomMember, MemberSource>();
  /** Every producer of the room, in the order they came. */
  readonly #producers = new Set<Producer>();
  readonly #consumers: RoomConsumers;
  /** Every data producer of the room's peers, in the order they came. */
  readonly #dataProducers = new Set<DataProducer>();
  readonly #dataConsumers = new RoomDataConsumers();
  readonly #dataPipes = new DataPipes();
  readonly #dataRates: DataRateWatch;
  #dataReceiver: DataReceiver | undefined;
  readonly #recordings = new Map<object, string[]>();
  readonly #streamers = new Set<RtpStreamer>();
  readonly #detectors = new Set<ActiveSpeakerDetector>();
  readonly #joining = new Set<string>();
  readonly #audioLevels: AudioLevels;
  readonly #speaker: DominantSpeaker;
  readonly #outside: OutsideRouter;

  /** @internal Created by the server. */
  constructor(options: {
    id: string;
    routers: RoomRouters;
    appData: AppData | undefined;
    context: RoomContext;
    closeWhenEmpty?: boolean;
  }) {
    super();
    this.id = options.id;
    this.routerSet = options.routers;
    this.appData = options.appData;
    this.#context = options.context;
    this.limits = options.context.limits;
    this.closeWhenEmpty = options.closeWhenEmpty ?? true;
    this.watchEmpty();
    this.#audioLevels = new AudioLevels({
      routers: this.routerSet,
      producers: () => this.#producers,
      listening: () => this.listenerCount('audiolevels') > 0 || this.#levelWatchers > 0,
      emit: (levels) => {
        this.observer.notify('audiolevels', levels);
        this.safeEmit('audiolevels', levels);
      },
    });
    this.#speaker = new DominantSpeaker({
      createDetector: () => this.createActiveSpeakerDetector(),
      changed: (member, producer) => this.observer.notify('activespeakerchange', member, producer),
    });
    this.#consumers = new RoomConsumers(this.#pipes);
    this.#dataRates = new DataRateWatch(this.limits);
    this.#outside = new OutsideRouter(options.context.pool, () =>
      (this.router.rtpCapabilities.codecs ?? []).filter((c) => !/\/rtx$/i.test(c.mimeType)),
    );
    // A router closes with its worker: the peers living on it go, the room and the others go on.
    this.routerSet.on('routerdied', (router, worker) => {
      for (const peer of this.peers) {
        if (peer.router === router)
          peer.closeWith(
            'local',
            undefined,
            'worker_died',
            'the media worker hosting this peer died: join again',
          );
      }
      this.#context.routerDied?.(this, worker);
    });
  }

  /** Whether the room is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** What the room can send and receive: its codecs (RTX included) and header extensions. */
  get rtpCapabilities(): RtpCapabilities {
    // Every router of the room has the same codecs, so the same capabilities.
    return this.routerSet.primary.rtpCapabilities as RtpCapabilities;
  }

  /** The room's first mediasoup router (for what this API does not cover); see {@link routers}. */
  get router(): ms.Router {
    return this.routerSet.primary;
  }

  /** The room's mediasoup routers, one per worker the room spans. */
  get routers(): ms.Router[] {
    return this.routerSet.all;
  }

  /**
   * How many pipes carry a producer away from its router now (monitoring):
   * to the room's other routers on this server and, in a cluster, to other
   * nodes (for a producer of this server's peers). Pipes are made when a
   * consumer needs the producer there and closed when the last one goes.
   */
  pipesOf(producer: Producer): number {
    return this.routerSet.pipesOf(producer) + (this.#context.nodePipesOf?.(this, producer) ?? 0);
  }

  /** The peers of the room on this server. */
  get peers(): Peer[] {
    return [...this.#peers.values()];
  }

  /**
   * Every member of the room: its peers on this server and, in a cluster,
   * those of other nodes (`RemotePeer`s).
   */
  get members(): RoomMember[] {
    return [...this.#members.values()];
  }

  /** Every producer of the room (those of other nodes included, piped here). */
  get producers(): Producer[] {
    return [...this.#producers];
  }

  /** The consumers of a producer of the room: its peers' and its RtpStreamers'. */
  consumersOf(producer: Producer): Consumer[] {
    return this.#consumers.of(producer);
  }

  /** Every data producer of the room's peers on this server. */
  get dataProducers(): DataProducer[] {
    return [...this.#dataProducers];
  }

  /** How many other routers a data producer is piped to now (monitoring). */
  dataPipesOf(dataProducer: DataProducer): number {
    return this.#dataPipes.pipesOf(dataProducer);
  }

  /**
   * Sends a message from the server app to every peer of the room (or to the
   * peers named in `to`), over their signaling connections: it reaches every
   * client, those that have no SCTP transport too. Clients receive it as a
   * `serverdata` event with `label`.
   */
  sendData(data: string | Uint8Array, options: { label?: string; to?: string[] } = {}): void {
    this.assertOpen('sendData');
    if (typeof data !== 'string' && !(data instanceof Uint8Array))
      throw new TypeError('sendData() sends a string or a Uint8Array');
    this.observer.notify('servermessage', {
      label: options.label ?? '',
      data,
      to: options.to ? new Set(options.to) : undefined,
      relayed: false,
    });
  }

  /** @internal A message of the server app of another node of the cluster, for the peers here. */
  relayServerData(message: Omit<ServerDataMessage, 'relayed'>): void {
    if (this.#closed) return;
    this.observer.notify('servermessage', { ...message, relayed: true });
  }

  /**
   * Starts reading what the peers send on their data producers: every
   * message, from then on, is a `datamessage` event (its data producer, and
   * a string or a Buffer). Resolves once the data producers that exist now
   * are read.
   */
  async receiveData(): Promise<void> {
    this.assertOpen('receiveData');
    if (this.#dataReceiver) return;
    const receiver = new DataReceiver({
      router: this.router,
      pipes: this.#dataPipes,
      deliver: (dataProducer, message) => {
        this.observer.notify('datamessage', dataProducer, message);
        this.safeEmit('datamessage', dataProducer, message);
      },
    });
    this.#dataReceiver = receiver;
    await Promise.all([...this.#dataProducers].map((dp) => receiver.add(dp)));
  }

  /** The RtpStreamers of the room's producers. */
  get rtpStreamers(): RtpStreamer[] {
    return [...this.#streamers];
  }

  /** Whether the room is being recorded, and whom: every peer is told when this changes. */
  get recording(): RecordingState {
    const peerNames = [...new Set([...this.#recordings.values()].flat())];
    return { active: this.#recordings.size > 0, peerNames };
  }

  /** The peer of this server with this name, if it is in the room. */
  getPeerByName(name: string): Peer | undefined {
    return this.#peers.get(name);
  }

  /** The member with this name (a peer of this server or of another node), if it is in the room. */
  getMember(name: string): RoomMember | undefined {
    return this.#members.get(name);
  }

  /**
   * mediasoup v2: handles a request from a client that has not joined yet
   * (`queryRoom`, `join`) and resolves with the response. Never rejects.
   * After a successful join, `getPeerByName()` gives the new peer.
   */
  receiveRequest(request: ClientRequest, options: JoinOptions = {}): Promise<ServerResponse> {
    return this.#context.signaling.receiveRoomRequest(this, request, options);
  }

  /**
   * Adds a peer: checks its name, capabilities and the room's limit, places
   * it on a router of the room with headroom, gives it a consumer of every
   * producer it may receive, and tells the others.
   */
  async join(options: PeerJoin): Promise<Peer> {
    if (this.#closed) throw new SfuError('ROOM_CLOSED', `room ${this.id} is closed`);
    assertCanJoin(this.view(), {
      name: options.name,
      rtpCapabilities: options.rtpCapabilities,
      canSubscribe: options.permissions?.canSubscribe !== false,
    });
    // The name is the joiner's while its router is found (and, in a cluster, claimed).
    this.#joining.add(options.name);
    let release: () => void = () => undefined;
    try {
      if (this.#context.admit)
        release = await this.#context.admit(this, options.name, options.spy ?? false);
      const place = await this.routerSet.place(this.#producers.size, (r) =>
        this.#waitingConsumersOn(r),
      );
      try {
        if (this.#closed) throw new SfuError('ROOM_CLOSED', `room ${this.id} is closed`);
        return this.addPeer(options, place.router);
      } finally {
        place.settle();
      }
    } catch (error) {
      release();
      throw error;
    } finally {
      this.#joining.delete(options.name);
    }
  }

  /**
   * Replaces the room's metadata (its app data): every peer of this node is
   * told (`roomAppDataChanged`), and joins from now on carry it.
   */
  setAppData(appData: AppData | undefined): void {
    if (this.#closed) throw new InvalidStateError(`room ${this.id} is closed`);
    this.appData = appData;
    this.observer.notify('appdatachange', appData);
  }

  /**
   * Replaces a peer's metadata (its app data): every peer of the room on this
   * node is told (`peerAppDataChanged`), that peer too.
   */
  setPeerAppData(peer: Peer, appData: AppData | undefined): void {
    if (peer.closed || !this.peers.includes(peer))
      throw new InvalidStateError(`${peer.name} is not a peer of room ${this.id}`);
    peer.appData = appData;
    this.observer.notify('peerappdatachange', peer, appData);
  }

  /** Closes the room and every peer in it (they are told `closed`). */
  close(appData?: AppData): void {
    this.closeWith(appData, 'room_closed', '');
  }

  /** @internal */
  closeWith(appData: AppData | undefined, reason: CloseReason, message: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#emptyTimer);
    this.#speaker.close();
    log.debug('room %s closed (%s)', this.id, reason);
    for (const peer of this.peers) peer.closeWith('local', appData, reason, message);
    for (const streamer of [...this.#streamers]) streamer.close();
    this.#dataRates.close();
    this.#dataReceiver?.close();
    // Members of other nodes leave with their cluster's part of the room, which watches this.
    this.observer.notify('close', appData);
    this.#outside.close();
    this.routerSet.close();
    this.safeEmit('close', appData);
  }

  /**
   * Relays a producer's RTP and RTCP to a remote address as plain RTP
   * (mediasoup v2's RtpStreamer). See {@link RtpStreamerOptions}.
   */
  async createRtpStreamer(producer: Producer, options: RtpStreamerOptions): Promise<RtpStreamer> {
    this.assertOpen('createRtpStreamer');
    if (producer.closed || !this.#producers.has(producer))
      throw new SfuError('NOT_FOUND', 'Producer not found');
    const streamer = await createRtpStreamer(producer, options, {
      listenIp: (family) => plainListenIp(this.#context.settings, family),
      outsideRouter: () => this.#outside.router(),
      createConsumer: (source) => this.#consumers.unowned(source, this.rtpCapabilities),
    });
    this.#streamers.add(streamer);
    streamer.observer.once('close', () => this.#streamers.delete(streamer));
    this.observer.notify('newrtpstreamer', streamer);
    return streamer;
  }

  /**
   * Brings an external RTP stream (ffmpeg, GStreamer, a camera) into the room
   * as a producer of a server-side peer, which the other peers consume like
   * any other. See {@link RtpIngestOptions}.
   */
  async createRtpIngest(options: RtpIngestOptions): Promise<RtpIngest> {
    this.assertOpen('createRtpIngest');
    const peer = await this.serverPeer(options.peerName ?? 'rtp-ingest', options.peerAppData);
    return RtpIngest.create(peer, options, this.#context.settings);
  }

  /** Creates a detector of the active speaker among the room's audio producers. */
  async createActiveSpeakerDetector(): Promise<ActiveSpeakerDetector> {
    this.assertOpen('createActiveSpeakerDetector');
    const router = this.router;
    const observer = await router.createActiveSpeakerObserver({ interval: 300 });
    const detector = new ActiveSpeakerDetector(observer, this.routerSet, router);
    for (const producer of this.#producers) detector.addProducer(producer);
    this.#detectors.add(detector);
    detector.observer.once('close', () => this.#detectors.delete(detector));
    return detector;
  }

  /** Listening to `audiolevels` starts the room's audio level observer (it pauses again once nobody listens). */
  override on<K extends keyof RoomEvents & string>(
    event: K,
    listener: (...args: RoomEvents[K]) => void,
  ): this {
    super.on(event, listener);
    if (event === 'audiolevels') this.#audioLevels.start();
    return this;
  }

  /**
   * @internal Keeps the room's active speaker detection running (the
   * observer's `activespeakerchange`) until the returned function is called.
   */
  watchActiveSpeaker(): () => void {
    return this.#speaker.watch();
  }

  /** @internal The dominant speaker now, while someone watches it. */
  get activeSpeaker(): { member: RoomMember; producer: Producer } | undefined {
    return this.#speaker.current;
  }

  /**
   * @internal Keeps the room's audio levels coming (the observer's
   * `audiolevels`) until the returned function is called.
   */
  watchAudioLevels(): () => void {
    this.#levelWatchers++;
    this.#audioLevels.start();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#levelWatchers--;
    };
  }

  /**
   * @internal A recording of the room started (a Recorder): every peer is
   * told now, and again when the returned function says it ended.
   */
  recordingStarted(peerNames: string[]): () => void {
    const key = {};
    this.#recordings.set(key, peerNames);
    this.observer.notify('recordingchange', this.recording);
    return () => {
      if (this.#recordings.delete(key)) this.observer.notify('recordingchange', this.recording);
    };
  }

  /**
   * @internal Adds a member whose media arrives from elsewhere (in a
   * cluster, a peer of another node): the local peers are told it joined.
   * Returns what the member tells the room: its producers as they come and
   * go, and its leaving.
   */
  addMember(member: RoomMember, source: MemberSource): MemberHooks {
    if (this.#closed) throw new SfuError('ROOM_CLOSED', `room ${this.id} is closed`);
    if (this.#members.has(member.name))
      throw new SfuError(
        'PEER_NAME_TAKEN',
        `peer name "${member.name}" is taken in room ${this.id}`,
      );
    this.#members.set(member.name, member);
    this.#sources.set(member, source);
    this.announce(member);
    return this.#memberHooks;
  }

  /** What the room hears of every member. */
  readonly #memberHooks: MemberHooks = {
    producerAdded: (producer) => this.producerAdded(producer),
    producerPauseChanged: (producer, appData) =>
      this.#consumers.sourcePauseChanged(producer, appData),
    producerPreferredProfileSet: (producer, profile) =>
      this.#consumers.preferredProfileSet(producer, profile),
    producerClosed: (producer) => {
      this.#producers.delete(producer);
      this.#consumers.sourceClosed(producer);
    },
    closed: (member, appData) => this.removeMember(member, appData),
    dataProducerAdded: (dataProducer) => this.dataProducerAdded(dataProducer),
    dataProducerClosed: (dataProducer) => {
      this.#dataProducers.delete(dataProducer);
      this.#dataRates.remove(dataProducer);
      this.#dataConsumers.sourceClosed(dataProducer);
      this.#dataPipes.sourceClosed(dataProducer);
    },
  };

  /** What the room hears of and answers its peers. */
  readonly #peerHooks: PeerHooks = {
    ...this.#memberHooks,
    assertFanOut: (peer) => assertFanOut(this.view(), peer),
    consumerClosed: (consumer) => this.#consumers.forget(consumer),
    dataConsumerClosed: (dataConsumer) => this.#dataConsumers.forget(dataConsumer),
  };

  /** How consumers reach producers on other routers, and members whose media comes on demand. */
  readonly #pipes: ConsumerPipes = {
    acquire: async (producer, router, options) => {
      // A producer of another node comes here first, then to the router.
      const fromSource = this.#sources.get(producer.peer)?.acquire(producer);
      try {
        const release = await this.routerSet.acquire(producer, router, options);
        return () => {
          release();
          fromSource?.();
        };
      } catch (error) {
        fromSource?.();
        throw error;
      }
    },
    flow: (producer, router) => {
      this.#sources.get(producer.peer)?.startMedia(producer);
      return this.routerSet.flow(producer, router);
    },
  };

  /** Consumers of this room's peers homed on `router` that no transport consumes yet. */
  #waitingConsumersOn(router: ms.Router): number {
    let waiting = 0;
    for (const peer of this.#peers.values()) {
      if (peer.router !== router) continue;
      for (const consumer of peer.consumers) if (!consumer.enabled && !consumer.closed) waiting++;
    }
    return waiting;
  }

  private addPeer(options: PeerJoin, router: ms.Router): Peer {
    const link = options.link ?? ((p: Peer) => this.#context.signaling.linkPeer(p, this));
    const peer = new Peer({
      name: options.name,
      router,
      rtpCapabilities: options.rtpCapabilities,
      spy: options.spy ?? false,
      appData: options.appData,
      permissions: options.permissions,
      context: {
        settings: this.#context.settings,
        limits: this.limits,
        plainRtp: this.#context.plainRtp,
        pipes: this.#pipes,
        dataPipes: this.#dataPipes,
        webRtcListen: (r) => this.webRtcListen(r),
        hooks: this.#peerHooks,
        link,
      },
    });
    this.#members.set(peer.name, peer);
    this.#peers.set(peer.name, peer);
    clearTimeout(this.#emptyTimer);
    if (peer.permissions.canSubscribe) {
      for (const producer of this.#producers) this.#consumers.subscribe(peer, producer);
      for (const dp of this.#dataProducers) this.#dataConsumers.subscribe(peer, dp);
    }
    log.debug('peer %s joined room %s', peer.name, this.id);
    this.observer.notify('newpeer', peer);
    this.safeEmit('newpeer', peer);
    this.announce(peer);
    return peer;
  }

  /** Where a WebRTC transport on `router` listens: its worker's WebRtcServer, if the server has them. */
  private webRtcListen(
    router: ms.Router,
  ): { webRtcServer: ms.WebRtcServer } | { listenIps: ms.TransportListenIp[] } {
    const worker = this.routerSet.workerOf(router);
    const webRtcServer = worker && this.#context.pool.webRtcServerOf(worker);
    return webRtcServer ? { webRtcServer } : { listenIps: webRtcListenIps(this.#context.settings) };
  }

  /** Tells everyone a member joined. */
  private announce(member: RoomMember): void {
    this.observer.notify('newmember', member);
    this.safeEmit('newmember', member);
  }

  /** A member's new producer: every other peer here that may receive gets a consumer of it. */
  private producerAdded(producer: Producer): void {
    this.#producers.add(producer);
    for (const viewer of this.#peers.values()) {
      if (viewer === producer.peer || viewer.closed || !viewer.permissions.canSubscribe) continue;
      this.#consumers.subscribe(viewer, producer);
    }
    this.#audioLevels.add(producer);
    for (const detector of this.#detectors) detector.addProducer(producer);
    this.observer.notify('newproducer', producer);
  }

  /** A peer's new data producer: every other peer here that may receive gets a data consumer of it. */
  private dataProducerAdded(dataProducer: DataProducer): void {
    this.#dataProducers.add(dataProducer);
    for (const viewer of this.#peers.values()) {
      if (viewer === dataProducer.peer || viewer.closed || !viewer.permissions.canSubscribe)
        continue;
      this.#dataConsumers.subscribe(viewer, dataProducer);
    }
    // A peer of another node is held to its limits there.
    if (dataProducer.peer instanceof Peer) this.#dataRates.add(dataProducer);
    void this.#dataReceiver?.add(dataProducer);
    this.observer.notify('newdataproducer', dataProducer);
  }

  /** A member left: the others are told. */
  private removeMember(member: RoomMember, appData: AppData | undefined): void {
    if (this.#members.get(member.name) !== member) return;
    this.#members.delete(member.name);
    this.#peers.delete(member.name);
    this.#sources.delete(member);
    this.#speaker.forget(member);
    if (member instanceof Peer) this.#serverPeers.delete(member);
    this.watchEmpty();
    this.observer.notify('memberclose', member, appData);
  }

  /** The server-side peer of this name, created if needed; a client's peer of that name is refused. */
  private async serverPeer(name: string, appData: AppData | undefined): Promise<Peer> {
    const existing = this.#peers.get(name);
    if (existing && !this.#serverPeers.has(existing))
      throw new SfuError(
        'PEER_NAME_TAKEN',
        `peer name "${name}" belongs to a client in room ${this.id}`,
      );
    if (existing) return existing;
    const peer = await this.join({ name, rtpCapabilities: this.rtpCapabilities, appData });
    this.#serverPeers.add(peer);
    return peer;
  }

  private view(): RoomView {
    return {
      id: this.id,
      limits: this.limits,
      rtpCapabilities: this.rtpCapabilities,
      members: this.#members.size,
      hasName: (name) => this.#members.has(name),
      joining: this.#joining,
      producers: this.#producers.size,
      peers: this.#peers.values(),
    };
  }

  /** An empty room closes after a grace period, unless a peer joins (or the app keeps it open). */
  private watchEmpty(): void {
    clearTimeout(this.#emptyTimer);
    // Members of other nodes do not keep a room open here.
    const empty = () => this.#peers.size === 0;
    if (!empty() || this.#closed) return;
    this.#emptyTimer = setTimeout(() => {
      if (this.closeWhenEmpty && empty()) this.close();
      else this.watchEmpty();
    }, this.limits.emptyRoomTimeoutMs);
    this.#emptyTimer.unref();
  }

  private assertOpen(method: string): void {
    if (this.#closed)
      throw new InvalidStateError(`room ${this.id} is closed: ${method}() is not possible`);
  }
}
