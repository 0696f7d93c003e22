import type { types as ms } from '@x/mediasoup';
import type {
  AppData,
  ClientRequest,
  CloseReason,
  RtpCapabilities,
  ServerResponse,
} from '@x/protocol';
import { Emitter, logger } from '@x/shared';
import { createRtpStreamer } from '../rtp/createRtpStreamer.js';
import { RtpIngest, type RtpIngestOptions } from '../rtp/RtpIngest.js';
import type { RtpStreamer, RtpStreamerOptions } from '../rtp/RtpStreamer.js';
import { InvalidStateError, SfuError } from '../util/errors.js';
import { randomId } from '../util/ids.js';
import type { Limits } from '../util/limits.js';
import { ActiveSpeakerDetector } from './ActiveSpeakerDetector.js';
import { AudioLevels } from './AudioLevels.js';
import { assertCanJoin, assertFanOut, producerCount, type RoomView } from './admission.js';
import { Consumer } from './Consumer.js';
import { Peer } from './Peer.js';
import type { Producer } from './Producer.js';
import type { RoomRouters } from './RoomRouters.js';
import { RoomSubscriptions } from './RoomSubscriptions.js';
import type { PeerJoin, RoomContext, RoomEvents } from './roomTypes.js';
import type { JoinOptions, RecordingState } from './SignalingPort.js';

const log = logger('x:server:Room');

export type { PeerJoin, RoomEvents } from './roomTypes.js';

/**
 * A room: its peers, and what they send and receive (mediasoup v2's Room),
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

  #closed = false;
  #emptyTimer: NodeJS.Timeout | undefined;
  readonly #context: RoomContext;
  readonly #peers = new Map<string, Peer>();
  readonly #consumerIds = new Set<number>();
  readonly #streamers = new Set<RtpStreamer>();
  readonly #detectors = new Set<ActiveSpeakerDetector>();
  readonly #audioLevels: AudioLevels;
  readonly #subscriptions: RoomSubscriptions;
  readonly #joining = new Set<string>();

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
      producers: () => this.peers.flatMap((p) => p.producers),
      listening: () => this.listenerCount('audiolevels') > 0 || this.#subscriptions.wantsLevels,
      emit: (levels) => {
        this.#subscriptions.deliverLevels(levels);
        this.safeEmit('audiolevels', levels);
      },
    });
    this.#subscriptions = new RoomSubscriptions({
      peers: () => this.#peers.values(),
      createDetector: () => this.createActiveSpeakerDetector(),
      levelsWanted: () => this.#audioLevels.start(),
    });
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

  /** How many other routers of the room a producer is piped to now (monitoring). */
  pipesOf(producer: Producer): number {
    return this.routerSet.pipesOf(producer);
  }

  /** The peers in the room. */
  get peers(): Peer[] {
    return [...this.#peers.values()];
  }

  /** The RtpStreamers of the room's producers. */
  get rtpStreamers(): RtpStreamer[] {
    return [...this.#streamers];
  }

  /** Whether the room is being recorded, and whom: every peer is told when this changes. */
  get recording(): RecordingState {
    return this.#subscriptions.recording;
  }

  /**
   * @internal A recording of the room started (a Recorder): every peer is
   * told now, and again when the returned function says it ended.
   */
  recordingStarted(peerNames: string[]): () => void {
    return this.#subscriptions.recordingStarted(peerNames);
  }

  /** The peer with this name, if it is in the room. */
  getPeerByName(name: string): Peer | undefined {
    return this.#peers.get(name);
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
      const router = await this.routerSet.homeFor(producerCount(this.view()));
      if (this.#closed) throw new SfuError('ROOM_CLOSED', `room ${this.id} is closed`);
      return this.addPeer(options, router);
    } catch (error) {
      release();
      throw error;
    } finally {
      this.#joining.delete(options.name);
    }
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
    this.#subscriptions.close();
    log.debug('room %s closed (%s)', this.id, reason);
    for (const peer of this.peers) peer.closeWith('local', appData, reason, message);
    for (const streamer of [...this.#streamers]) streamer.close();
    this.routerSet.close();
    this.safeEmit('close', appData);
  }

  /**
   * Relays a producer's RTP and RTCP to a remote address as plain RTP
   * (mediasoup v2's RtpStreamer). See {@link RtpStreamerOptions}.
   */
  async createRtpStreamer(producer: Producer, options: RtpStreamerOptions): Promise<RtpStreamer> {
    this.assertOpen('createRtpStreamer');
    const streamer = await createRtpStreamer(this, producer, options);
    this.#streamers.add(streamer);
    streamer.once('close', () => this.#streamers.delete(streamer));
    return streamer;
  }

  /**
   * Brings an external RTP stream (ffmpeg, GStreamer, a camera) into the room
   * as a producer of a server-side peer, which the other peers consume like
   * any other. See {@link RtpIngestOptions}.
   */
  createRtpIngest(options: RtpIngestOptions): Promise<RtpIngest> {
    this.assertOpen('createRtpIngest');
    return RtpIngest.create(this, options);
  }

  /** Creates a detector of the active speaker among the room's audio producers. */
  async createActiveSpeakerDetector(): Promise<ActiveSpeakerDetector> {
    this.assertOpen('createActiveSpeakerDetector');
    const router = this.router;
    const observer = await router.createActiveSpeakerObserver({ interval: 300 });
    const detector = new ActiveSpeakerDetector(observer, this.routerSet, router);
    for (const peer of this.peers) for (const p of peer.producers) detector.addProducer(p);
    this.#detectors.add(detector);
    detector.once('close', () => this.#detectors.delete(detector));
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

  /** @internal A client subscribes to the active speaker (or ends it). */
  subscribeActiveSpeaker(peer: Peer, on: boolean): void {
    this.#subscriptions.activeSpeaker(peer, on);
  }

  /** @internal A client subscribes to the audio levels every `intervalMs` (or ends it: undefined). */
  subscribeAudioLevels(peer: Peer, intervalMs: number | undefined): void {
    this.#subscriptions.audioLevels(peer, intervalMs);
  }

  /** @internal A producer was created: every other peer that may receive gets a consumer of it. */
  producerAdded(producer: Producer): void {
    for (const viewer of this.#peers.values()) {
      if (viewer === producer.peer || viewer.closed || !viewer.permissions.canSubscribe) continue;
      // A peer of another node consumes on its node, not here.
      if (viewer.node) continue;
      viewer.channel.newConsumer(this.newConsumer(viewer, producer));
    }
    this.#audioLevels.add(producer);
    for (const detector of this.#detectors) detector.addProducer(producer);
  }

  /** @internal Refuses a producer of `owner` that would give a peer too many consumers. */
  assertFanOut(owner: Peer): void {
    assertFanOut(this.view(), owner);
  }

  /** @internal A peer closed: the others are told. */
  removePeer(peer: Peer, appData: AppData | undefined): void {
    if (this.#peers.get(peer.name) !== peer) return;
    this.#peers.delete(peer.name);
    this.#subscriptions.removePeer(peer);
    this.watchEmpty();
    if (peer.spy) return;
    for (const other of this.#peers.values()) other.channel.peerClosed(peer, appData);
  }

  /** @internal The server's settings and workers, for what the room builds outside its router. */
  get context(): RoomContext {
    return this.#context;
  }

  /**
   * @internal A consumer of `producer` for `viewer` (no viewer: an
   * RtpStreamer's), with an id unique in the room.
   */
  newConsumer(
    viewer: Peer | undefined,
    producer: Producer,
    options: { rtpCapabilities?: RtpCapabilities; supported?: boolean } = {},
  ): Consumer {
    const id = randomId(this.#consumerIds);
    this.#consumerIds.add(id);
    const rtpCapabilities =
      options.rtpCapabilities ?? viewer?.rtpCapabilities ?? this.rtpCapabilities;
    const consumer = new Consumer({
      id,
      source: producer,
      peer: viewer,
      rtpCapabilities,
      supported: options.supported ?? this.canConsume(producer, rtpCapabilities),
    });
    consumer.once('close', () => this.#consumerIds.delete(id));
    producer.addConsumer(consumer);
    viewer?.addConsumer(consumer);
    return consumer;
  }

  /**
   * @internal A peer of the room that lives on another node of the cluster
   * (its producers come later, piped): the local peers are told it joined.
   */
  addRemotePeer(options: { name: string; appData: AppData | undefined; node: string }): Peer {
    const existing = this.#peers.get(options.name);
    if (existing) return existing;
    return this.addPeer(
      { name: options.name, rtpCapabilities: this.rtpCapabilities, appData: options.appData },
      this.router,
      options.node,
    );
  }

  /** The peers that live on this node. */
  get localPeers(): Peer[] {
    return this.peers.filter((p) => !p.node);
  }

  private addPeer(options: PeerJoin, router: ms.Router, node?: string): Peer {
    const peer = new Peer({
      name: options.name,
      room: this,
      router,
      node,
      rtpCapabilities: options.rtpCapabilities,
      spy: options.spy ?? false,
      appData: options.appData,
      permissions: options.permissions,
      signaling: this.#context.signaling,
    });
    this.#peers.set(peer.name, peer);
    if (!node) clearTimeout(this.#emptyTimer);
    if (peer.permissions.canSubscribe && !node) {
      for (const other of this.#peers.values()) {
        if (other === peer) continue;
        for (const producer of other.producers) this.newConsumer(peer, producer);
      }
    }
    if (!peer.spy) {
      for (const other of this.#peers.values()) if (other !== peer) other.channel.newPeer(peer);
    }
    log.debug('peer %s joined room %s', peer.name, this.id);
    this.safeEmit('newpeer', peer);
    return peer;
  }

  private view(): RoomView {
    return {
      id: this.id,
      limits: this.limits,
      rtpCapabilities: this.rtpCapabilities,
      peers: this.#peers.values(),
      joining: this.#joining,
    };
  }

  /** An empty room closes after a grace period, unless a peer joins (or the app keeps it open). */
  private watchEmpty(): void {
    clearTimeout(this.#emptyTimer);
    // Peers of other nodes do not keep a room open here.
    const empty = () => this.localPeers.length === 0;
    if (!empty() || this.#closed) return;
    this.#emptyTimer = setTimeout(() => {
      if (this.closeWhenEmpty && empty()) this.close();
      else this.watchEmpty();
    }, this.limits.emptyRoomTimeoutMs);
    this.#emptyTimer.unref();
  }

  private canConsume(producer: Producer, rtpCapabilities: RtpCapabilities): boolean {
    try {
      return producer.transport.router.canConsume({
        producerId: producer.engine.id,
        rtpCapabilities: rtpCapabilities as ms.RtpCapabilities,
      });
    } catch {
      return false;
    }
  }

  private assertOpen(method: string): void {
    if (this.#closed)
      throw new InvalidStateError(`room ${this.id} is closed: ${method}() is not possible`);
  }
}
