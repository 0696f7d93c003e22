import type {
  AppData,
  MediaKind,
  RtpCapabilities,
  ServerNotification,
  TransportDirection,
} from '@x/protocol';
import { logger, ObservedEmitter } from '@x/shared';
import { Device, type types as msc } from 'mediasoup-client';
import type { Consumer } from './room/Consumer.js';
import type { DataProducer, DataProducerOptions } from './room/DataProducer.js';
import { InvalidStateError, UnsupportedError } from './room/errors.js';
import { randomId } from './room/ids.js';
import type { Originator } from './room/Originator.js';
import { Peer } from './room/Peer.js';
import { Producer, type ProducerOptions } from './room/Producer.js';
import { preparedDevice } from './room/preparedDevice.js';
import { RoomData } from './room/RoomData.js';
import type {
  CloseReason,
  JoinOptions,
  ResolvedRoomOptions,
  RoomOptions,
} from './room/roomOptions.js';
import type { PeerData, RecordingState, ResumedState, SignalListener } from './room/Signal.js';
import { Transport, type TransportContext } from './room/Transport.js';
import type { RoomEvents } from './roomEvents.js';
import { SignalClient } from './signaling/SignalClient.js';

const log = logger('x:client:Room');

type State = 'new' | 'joining' | 'joined' | 'closed';

/**
 * A room as this client sees it (mediasoup-client v2's Room): join it, send
 * producers, receive the other peers' consumers. Connect it to a server
 * with `connect(room, url)`, or carry its `request` and `notify` events yourself.
 *
 * @example
 * ```ts
 * const room = new Room();
 * await connect(room, 'wss://sfu.example.com/?roomId=demo');
 * const peers = await room.join('alice');
 * const transport = room.createTransport('send');
 * await room.createProducer(track).send(transport);
 * ```
 */
export class Room extends ObservedEmitter<RoomEvents> {
  readonly #options: ResolvedRoomOptions;
  #state: State = 'new';
  #recording: RecordingState = { active: false, peerNames: [] };
  #roomAppData: AppData | undefined;
  #peerName: string | undefined;
  #appData: AppData | undefined;
  #joinOptions: JoinOptions = {};
  #sessionId = '';
  #sessionGraceMs = 0;
  /** TURN servers the server sent with credentials for this peer (at join, renewed at resume). */
  #serverIceServers: RTCIceServer[] = [];
  #device: Device | undefined;
  readonly #transports = new Map<number, Transport>();
  readonly #producers = new Map<number, Producer>();
  readonly #peers = new Map<string, Peer>();
  /** Producers to send again after a rejoin, on their transports. */
  readonly #resend = new Map<Producer, Transport>();
  readonly #signal: SignalClient;
  readonly #data: RoomData;

  constructor(options: RoomOptions = {}) {
    super();
    this.#options = {
      requestTimeout: 30_000,
      transportConnectTimeout: 15_000,
      iceRestartDelay: 2000,
      transportOptions: {},
      turnServers: [],
      iceTransportPolicy: 'all',
      spy: false,
      receiveData: true,
      ...options,
    };
    // Its native capabilities are asked for now, while the app connects and
    // gets a token, rather than on the way to the first frame (see preparedDevice).
    this.#device = preparedDevice(this.#options);
    // The room's protobuf signal; the app carries its messages (the v2
    // `request` and `notify` events) unless a connection does (`connect()`).
    this.#signal = new SignalClient({
      requestTimeout: this.#options.requestTimeout,
      // The v2 entry points: what the signal sends goes out as these events, untouched.
      carrier: {
        canRequest: () => this.#state !== 'closed',
        canNotify: () => this.#state === 'joined',
        request: (request, callback, errback) =>
          this.safeEmit('request', request, callback, errback),
        notify: (notification) => void this.safeEmit('notify', notification),
      },
      listener: this.#listener,
    });
    this.#data = new RoomData({
      signal: this.#signal,
      autoReceive: this.#options.receiveData,
      createTransport: (direction) =>
        Transport.create(randomId(), direction, undefined, this.#transportContext(), {
          sctp: true,
        }),
    });
  }

  /** The room's metadata (its app data, set by the app's backend): at join, then each `roomappdatachange`. */
  get roomAppData(): AppData | undefined {
    return this.#roomAppData;
  }

  /** This client's own metadata: its join's appData, or what the app's backend set since (`peerappdatachange`). */
  get appData(): AppData | undefined {
    return this.#appData;
  }

  /** Whether the room is being recorded, and whom (the last `recording` event). */
  get recording(): RecordingState {
    return this.#recording;
  }

  /** Whether the room is joined. */
  get joined(): boolean {
    return this.#state === 'joined';
  }

  /** Whether the room is closed (left, or closed by the server). */
  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** This client's peer name, once joined. */
  get peerName(): string | undefined {
    return this.#peerName;
  }

  /** The transports. */
  get transports(): Transport[] {
    return [...this.#transports.values()];
  }

  /** The producers. */
  get producers(): Producer[] {
    return [...this.#producers.values()];
  }

  /** This client's data producers. */
  get dataProducers(): DataProducer[] {
    return this.#data.producers;
  }

  /** The other peers. */
  get peers(): Peer[] {
    return [...this.#peers.values()];
  }

  /** The mediasoup-client device underneath, once joined. */
  get device(): Device | undefined {
    return this.#device;
  }

  /** @internal The room's signal: what a connection carries and resumes. */
  get signal(): SignalClient {
    return this.#signal;
  }

  /** The session id the server gave at join (a connector resumes with it). */
  get sessionId(): string {
    return this.#sessionId;
  }

  /** How long the server keeps this peer after a lost connection, in ms. */
  get sessionGraceMs(): number {
    return this.#sessionGraceMs;
  }

  /** The transport with this id. */
  getTransportById(id: number): Transport | undefined {
    return this.#transports.get(id);
  }

  /** The producer with this id. */
  getProducerById(id: number): Producer | undefined {
    return this.#producers.get(id);
  }

  /** The peer with this name. */
  getPeerByName(name: string): Peer | undefined {
    return this.#peers.get(name);
  }

  /**
   * Joins the room as `peerName`; resolves with the peers already in it, each
   * with a consumer per producer.
   */
  async join(peerName: string, appData?: AppData, options: JoinOptions = {}): Promise<Peer[]> {
    if (this.#state !== 'new')
      throw new InvalidStateError(`join() is not possible: the room is ${this.#state}`);
    if (typeof peerName !== 'string' || peerName.length === 0)
      throw new TypeError('join() needs a peer name');
    this.#state = 'joining';
    try {
      const caps =
        this.#options.roomSettings?.rtpCapabilities ??
        (await this.#signal.queryRoom(options.token));
      this.#device ??= new Device({
        handlerName: this.#options.handlerName,
        handlerFactory: this.#options.handlerFactory,
      });
      if (!this.#device.loaded)
        await this.#device.load({ routerRtpCapabilities: caps as msc.RtpCapabilities });
      return await this.#joinAs(peerName, appData, options);
    } catch (error) {
      if (this.#state === 'joining') this.#state = 'new';
      throw error;
    }
  }

  /** Leaves the room: the server is told, everything here closes, `close` ('local') is emitted. */
  leave(appData?: AppData): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'joined') this.#signal.leave(appData);
    this.#closeWith('local', appData, undefined);
  }

  /** Whether this device can send media of a kind in this room. */
  canSend(kind: MediaKind): boolean {
    if (!this.joined || !this.#device) throw new InvalidStateError('canSend() needs a joined room');
    if (this.#options.spy) return false;
    return this.#device.canProduce(kind);
  }

  /** Creates a send or receive transport (its server side is created on first use). */
  createTransport(direction: TransportDirection, appData?: AppData): Transport {
    if (!this.joined || !this.#device)
      throw new InvalidStateError('createTransport() needs a joined room');
    if (direction !== 'send' && direction !== 'recv')
      throw new TypeError(`direction must be 'send' or 'recv', got ${String(direction)}`);
    if (direction === 'send' && this.#options.spy) throw new InvalidStateError('a spy cannot send');
    const transport = Transport.create(randomId(), direction, appData, this.#transportContext());
    this.#transports.set(transport.id, transport);
    return transport;
  }

  /** Creates a producer of a track; `send(transport)` starts sending it. */
  createProducer(
    track: MediaStreamTrack,
    options: ProducerOptions = {},
    appData?: AppData,
  ): Producer {
    if (!this.joined) throw new InvalidStateError('createProducer() needs a joined room');
    if (!track || typeof track.clone !== 'function')
      throw new TypeError('createProducer() needs a MediaStreamTrack');
    if (this.#options.spy) throw new InvalidStateError('a spy cannot produce');
    if (track.readyState === 'ended') throw new InvalidStateError('the track has ended');
    if (!this.canSend(track.kind as MediaKind))
      throw new UnsupportedError(`this device cannot send ${track.kind} in this room`);
    const producer = Producer.create(track, options, appData, {
      signal: this.#signal,
      hooks: { closed: (p) => this.#producers.delete(p.id) },
    });
    this.#producers.set(producer.id, producer);
    return producer;
  }

  /**
   * Opens a DataChannel to every other peer of the room, through the server
   * (chat, reactions, app state): resolves with its {@link DataProducer} once
   * the server has it; the other peers get a `DataConsumer` of it
   * (`newdataconsumer` on its Peer). Data rides a pair of transports with
   * SCTP that the room makes itself, apart from the app's media transports.
   * Rejects with a RequestError LIMIT_EXCEEDED past the room's
   * `dataProducersPerPeer`.
   */
  async produceData(options: DataProducerOptions = {}): Promise<DataProducer> {
    if (!this.joined) throw new InvalidStateError('produceData() needs a joined room');
    if (this.#options.spy) throw new InvalidStateError('a spy cannot send');
    return this.#data.produce(options);
  }

  /** Asks for `activespeaker` events (room and peer) whenever the dominant speaker changes. */
  enableActiveSpeaker(): void {
    if (!this.joined) throw new InvalidStateError('enableActiveSpeaker() needs a joined room');
    this.#signal.setActiveSpeaker(true);
  }

  /** Stops the `activespeaker` events. */
  disableActiveSpeaker(): void {
    this.#signal.setActiveSpeaker(false);
  }

  /**
   * Asks for `audiolevels` (room) and `audiolevel` (peer) events at most every
   * `interval` ms (500 at least); one with no levels when the room falls silent.
   */
  enableAudioLevels(interval = 500): void {
    if (!this.joined) throw new InvalidStateError('enableAudioLevels() needs a joined room');
    this.#signal.setAudioLevels(Math.max(500, interval));
  }

  /** Stops the `audiolevels` events. */
  disableAudioLevels(): void {
    this.#signal.setAudioLevels(undefined);
  }

  /** Restarts ICE on every transport (after a network change). */
  async restartIce(): Promise<void> {
    if (!this.joined) throw new InvalidStateError('restartIce() needs a joined room');
    await Promise.all(this.#allTransports().map((t) => t.restartIce()));
  }

  /** Takes a notification from the server (what a `notify` of the server carries). */
  receiveNotification(notification: ServerNotification): void {
    if (this.#state === 'closed') return;
    this.#signal.receive(notification);
  }

  /**
   * @internal The session was resumed: align with the room as it is now (peers,
   * consumers, pause states), then restart ICE on every transport.
   */
  async applyResume(state: ResumedState): Promise<void> {
    const serverPeers = new Map(state.peers.map((p) => [p.name, p]));
    for (const peer of this.peers) {
      if (!serverPeers.has(peer.name)) this.#removePeer(peer.name, undefined);
    }
    for (const data of state.peers) {
      const peer = this.#peers.get(data.name);
      if (!peer) {
        this.#addPeer(data, true);
        continue;
      }
      const serverConsumers = new Map(data.consumers.map((c) => [c.id, c]));
      for (const consumer of peer.consumers) {
        const server = serverConsumers.get(consumer.id);
        if (!server) consumer.remoteClose('remote');
        else consumer.remotePause(server.paused, undefined);
      }
      for (const c of data.consumers) {
        if (!peer.getConsumerById(c.id)) peer.addConsumer(c, true);
      }
      const serverData = new Set(data.dataConsumers.map((c) => c.id));
      for (const dc of peer.dataConsumers) if (!serverData.has(dc.id)) dc.remoteClose('remote');
      for (const c of data.dataConsumers) {
        if (!peer.getDataConsumerById(c.id))
          this.#data.consumerAdded(peer.addDataConsumer(c, true));
      }
    }
    this.#data.align(state.dataProducerIds);
    const serverProducers = new Map(state.producers.map((p) => [p.id, p]));
    for (const producer of this.producers) {
      if (!producer.transport) continue;
      const server = serverProducers.get(producer.id);
      if (!server) producer.remoteClose(undefined);
      else if (server.paused) producer.remotePause(undefined);
      else producer.remoteResume(undefined);
    }
    this.#serverIceServers = state.iceServers;
    const serverTransports = new Set(state.transportIds);
    for (const transport of this.#allTransports()) {
      if (transport.engine && !serverTransports.has(transport.id)) transport.remoteClose(undefined);
    }
    await Promise.all(
      this.#allTransports()
        .filter((t) => t.engine)
        .map((t) =>
          t
            .updateIceServers()
            .then(() => t.restartIce())
            .catch((e: unknown) => log.warn('ICE restart failed: %o', e)),
        ),
    );
  }

  /**
   * @internal The session could not be resumed: the peer is gone on the
   * server. Join again from scratch under the same name, and send again the
   * producers that were being sent.
   */
  async rejoin(): Promise<Peer[]> {
    if (this.#state !== 'joined' || !this.#peerName)
      throw new InvalidStateError('rejoin() needs a joined room');
    // What to send again once joined: kept across attempts (a first one may
    // be refused, say while a dead node's claim on the name has not expired).
    for (const producer of this.producers)
      if (producer.transport) this.#resend.set(producer, producer.transport);
    // The app's transports stay valid: each is created again on the new
    // server at its next use (the producers below, the app's receive()).
    for (const transport of this.#allTransports()) transport.rebind();
    for (const peer of this.peers) this.#removePeer(peer.name, undefined);
    this.#state = 'joining';
    let peers: Peer[];
    try {
      // The app saw every peer close: they come back as `newpeer`, and their
      // consumers are received on the same transports as before.
      peers = await this.#joinAs(this.#peerName, this.#appData, this.#joinOptions, true);
    } catch (error) {
      // Still the app's room, still to be joined again: the next attempt does.
      if (this.#state === 'joining') this.#state = 'joined';
      throw error;
    }
    const resend = [...this.#resend];
    this.#resend.clear();
    for (const [producer, transport] of resend) {
      if (!producer.closed && !transport.closed && !producer.transport)
        await producer.send(transport);
    }
    await this.#data.resend();
    return peers;
  }

  async #joinAs(
    peerName: string,
    appData: AppData | undefined,
    options: JoinOptions,
    announce = false,
  ): Promise<Peer[]> {
    const joined = await this.#signal.join({
      peerName,
      rtpCapabilities: this.#device!.rtpCapabilities as RtpCapabilities,
      spy: this.#options.spy,
      appData,
      token: options.token ?? '',
    });
    if (this.#state !== 'joining') throw new InvalidStateError('the room was closed while joining');
    this.#state = 'joined';
    this.#peerName = peerName;
    this.#appData = appData;
    this.#joinOptions = options;
    this.#sessionId = joined.sessionId;
    this.#sessionGraceMs = joined.sessionGraceMs;
    this.#serverIceServers = joined.iceServers;
    this.#roomAppData = joined.roomAppData;
    return joined.peers.map((data) => this.#addPeer(data, announce));
  }

  /** The app's transports and the room's own data transports. */
  #allTransports(): Transport[] {
    return [...this.transports, ...this.#data.transports];
  }

  /** What a new transport of the room is given. */
  #transportContext(): TransportContext {
    return {
      device: this.#device!,
      signal: this.#signal,
      options: this.#options,
      iceServers: () => [...this.#options.turnServers, ...this.#serverIceServers],
      hooks: {
        failed: (transport, error) => this.emitBoth('transportfailed', transport, error),
        closed: (transport) => {
          if (this.#transports.get(transport.id) === transport)
            this.#transports.delete(transport.id);
        },
      },
    };
  }

  #addPeer(data: PeerData, announce: boolean): Peer {
    const peer = Peer.create(data.name, data.appData, this.#signal, {
      receive: (dc) => this.#data.receive(dc),
      closed: (dc) => this.#data.consumerClosed(dc),
    });
    this.#peers.set(peer.name, peer);
    for (const c of data.consumers) peer.addConsumer(c, false);
    for (const c of data.dataConsumers) this.#data.consumerAdded(peer.addDataConsumer(c, false));
    if (announce) this.emitBoth('newpeer', peer);
    return peer;
  }

  #removePeer(name: string, appData: AppData | undefined): void {
    const peer = this.#peers.get(name);
    if (!peer) return;
    this.#peers.delete(name);
    peer.close('remote', appData);
  }

  #consumer(id: number, peerName: string): Consumer | undefined {
    return this.#peers.get(peerName)?.getConsumerById(id);
  }

  // What the server tells this room, already in domain terms.
  readonly #listener: SignalListener = {
    closed: (appData, reason) => this.#closeWith('remote', appData, reason),
    transportClosed: (id, appData) => this.#transports.get(id)?.remoteClose(appData),
    transportStats: (id, stats) => this.#transports.get(id)?.receiveStats(stats),
    newPeer: (data) => {
      if (!this.#peers.has(data.name)) this.#addPeer(data, true);
    },
    peerClosed: (name, appData) => this.#removePeer(name, appData),
    producerPaused: (id, appData) => this.#producers.get(id)?.remotePause(appData),
    producerResumed: (id, appData) => this.#producers.get(id)?.remoteResume(appData),
    producerClosed: (id, appData) => this.#producers.get(id)?.remoteClose(appData),
    producerStats: (id, stats) => this.#producers.get(id)?.receiveStats(stats),
    newConsumer: (data) => {
      const peer = this.#peers.get(data.peerName);
      if (peer && !peer.getConsumerById(data.id)) peer.addConsumer(data, true);
    },
    consumerClosed: (id, peerName) => this.#consumer(id, peerName)?.remoteClose('remote'),
    consumerPaused: (id, peerName, appData) =>
      this.#consumer(id, peerName)?.remotePause(true, appData),
    consumerResumed: (id, peerName, appData) =>
      this.#consumer(id, peerName)?.remotePause(false, appData),
    consumerPreferredProfileSet: (id, peerName, profile) =>
      this.#consumer(id, peerName)?.remotePreferredProfile(profile),
    consumerEffectiveProfileChanged: (id, peerName, profile) =>
      this.#consumer(id, peerName)?.setEffectiveProfile(profile),
    consumerStats: (id, peerName, stats) => this.#consumer(id, peerName)?.receiveStats(stats),
    notificationRejected: (error, notification, id) =>
      this.emitBoth('notificationerror', error, notification, id),
    recording: (state) => {
      this.#recording = state;
      this.emitBoth('recording', state);
    },
    activeSpeaker: (peerName, producerId) => {
      const peer = this.#peers.get(peerName);
      peer?.hear('activespeaker');
      this.emitBoth('activespeaker', peerName, peer, producerId);
    },
    audioLevels: (levels) => {
      for (const level of levels) this.#peers.get(level.peerName)?.hear('audiolevel', level.level);
      this.emitBoth('audiolevels', levels);
    },
    consumerScore: (id, peerName, score, producerScore) =>
      this.#consumer(id, peerName)?.receiveScore(score, producerScore),
    newDataConsumer: (data) => {
      const peer = this.#peers.get(data.peerName);
      if (peer && !peer.getDataConsumerById(data.id))
        this.#data.consumerAdded(peer.addDataConsumer(data, true));
    },
    dataConsumerClosed: (id, peerName) =>
      this.#peers.get(peerName)?.getDataConsumerById(id)?.remoteClose('remote'),
    dataProducerClosed: (id, appData, error) => this.#data.serverClosed(id, appData, error),
    dataMessage: (label, data) => this.emitBoth('serverdata', data, label),
    roomAppDataChanged: (appData) => {
      this.#roomAppData = appData;
      this.emitBoth('roomappdatachange', appData);
    },
    peerAppDataChanged: (peerName, appData) => {
      const peer = this.#peers.get(peerName);
      if (peerName === this.#peerName) this.#appData = appData;
      peer?.setAppData(appData);
      this.emitBoth('peerappdatachange', peerName, peer, appData);
    },
    producerScore: (id, scores) => {
      const producer = this.#producers.get(id);
      if (producer) this.emitBoth('producerscore', producer, scores);
    },
  };

  #closeWith(
    originator: Originator,
    appData: AppData | undefined,
    reason: CloseReason | undefined,
  ): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    for (const producer of this.producers) producer.roomClosed(originator);
    this.#data.roomClosed(originator);
    for (const transport of this.#allTransports()) transport.roomClosed(originator);
    for (const peer of this.peers) {
      this.#peers.delete(peer.name);
      peer.close('local');
    }
    this.emitBoth('close', originator, appData, reason);
  }
}
