import type { types as ms } from '@x/mediasoup';
import type {
  AppData,
  ClientNotification,
  ClientRequest,
  CloseReason,
  DtlsParameters,
  IceParameters,
  Profile,
  RtpCapabilities,
  ServerNotification,
  ServerResponse,
  TransportDirection,
} from '@x/protocol';
import { Emitter, logger, Observer } from '@x/shared';
import { InvalidStateError, SfuError } from '../util/errors.js';
import { checkLimit, type Limits } from '../util/limits.js';
import {
  Consumer,
  type ConsumerHooks,
  type ConsumerOriginator,
  type ConsumerPipes,
} from './Consumer.js';
import { DataConsumer, type DataConsumerHooks, type DataPipesSide } from './DataConsumer.js';
import { DataProducer, type DataProducerHooks } from './DataProducer.js';
import type { MemberHooks } from './MemberHooks.js';
import type { Originator } from './Originator.js';
import type { PeerLink } from './PeerLink.js';
import type { PlainRtpPolicy } from './PlainRtpPolicy.js';
import { PlainRtpTransport } from './PlainRtpTransport.js';
import { Producer, type ProducerHooks } from './Producer.js';
import type {
  EnableConsumerOptions,
  PlainRtpTransportOptions,
  ProduceDataOptions,
  ProduceOptions,
  WebRtcTransportOptions,
} from './peerOptions.js';
import {
  assertDirection,
  assertMayProduce,
  assertMaySend,
  assertPlainRtpAllowed,
  type PeerPermissions,
} from './permissions.js';
import type { PreferredProfile } from './profiles.js';
import type { RoomMember } from './RoomMember.js';
import { plainListenIp, type ResolvedSettings } from './ServerSettings.js';
import type { Transport, TransportOwnerSide } from './Transport.js';
import { WebRtcTransport } from './WebRtcTransport.js';
import { createdInTime } from './workerRequests.js';

const log = logger('x:server:Peer');

// A browser ignores a key-frame request within ~300 ms of the last it honoured and mediasoup
// asks again only after 1 s: one close behind another (a new subscriber or pipe) waits instead.
const KEY_FRAME_REQUEST_DELAY_MS = 400;

/**
 * What the server may hold for one receiving peer that has not acknowledged
 * it yet: mediasoup drops a data message that does not fit (it has no flow
 * control back to the sender), so this is what lets a peer on a slower path
 * fall behind a burst without losing messages: two seconds of one sender at
 * the rate limit, 1 to 16 MiB.
 */
function receiveBufferSize(limits: Limits): number {
  return Math.min(16 * 1024 * 1024, Math.max(1024 * 1024, 2 * limits.dataBytesPerSecond));
}

export type { PeerPermissions } from './permissions.js';

/** Events of a {@link Peer}. */
export type PeerEvents = {
  /** The peer was closed: by the app ('local') or because its client left ('remote'). */
  close: [originator: Originator, appData: AppData | undefined];
  /** A notification for the peer's client (mediasoup v2): relay it, unless a signaling endpoint does. */
  notify: [notification: ServerNotification];
  /** The client created a transport. */
  newtransport: [transport: Transport];
  /** The client created a producer. */
  newproducer: [producer: Producer];
  /** A consumer was created for the peer (another peer produced). */
  newconsumer: [consumer: Consumer];
  /** The client created a data producer. */
  newdataproducer: [dataProducer: DataProducer];
  /** A data consumer was created for the peer (another peer produced data). */
  newdataconsumer: [dataConsumer: DataConsumer];
};

/** How and why a peer closed (its observer's `close`). */
export interface PeerClosing {
  /** The server app ('local') or its client ('remote'). */
  originator: Originator;
  /** The app's data given to `close()`. */
  appData: AppData | undefined;
  /** Why, for its client (a local close). */
  reason: CloseReason;
  /** A message for its client. */
  message: string;
  /** For `node_draining`: where its client joins again. */
  redirectUrl: string | undefined;
}

/**
 * Events of a peer's {@link Peer.observer}. Besides its own, it carries its
 * consumers' changes: a room fans each pause of a producer out to a consumer
 * in every peer, and one watcher per peer serves them all (a consumer's own
 * observer has the same events, for those who watch one consumer).
 */
export type PeerObserverEvents = {
  /** The peer is closing (sent before its transports, producers and consumers close). */
  close: [closing: PeerClosing];
  /** It has a new transport. */
  newtransport: [transport: Transport];
  /** It has a new producer. */
  newproducer: [producer: Producer];
  /** It has a new consumer. */
  newconsumer: [consumer: Consumer];
  /** One of its consumers closed. */
  consumerclose: [consumer: Consumer];
  /** One of its consumers was paused or resumed (by the app, its client, or its producer). */
  consumerpause: [
    consumer: Consumer,
    paused: boolean,
    originator: ConsumerOriginator,
    appData: AppData | undefined,
  ];
  /** The profile one of its consumers prefers was set (by the server app: 'local'). */
  consumerpreferredprofilechange: [
    consumer: Consumer,
    profile: PreferredProfile,
    originator: 'local' | 'remote',
  ];
  /** The profile one of its consumers receives changed. */
  consumereffectiveprofilechange: [consumer: Consumer, profile: Profile];
  /** The quality of one of its consumers changed. */
  consumerscore: [consumer: Consumer, score: number, producerScore: number];
  /** It has a new data producer. */
  newdataproducer: [dataProducer: DataProducer];
  /** It has a new data consumer. */
  newdataconsumer: [dataConsumer: DataConsumer];
  /** One of its data consumers closed. */
  dataconsumerclose: [dataConsumer: DataConsumer];
};

/** @internal What a room hears of and asks its peer, apart from its events. */
export interface PeerHooks extends MemberHooks {
  /** Refuses a new producer of `peer` that would give another peer too many consumers. */
  assertFanOut(peer: Peer): void;
  /** One of its consumers closed. */
  consumerClosed(consumer: Consumer): void;
  /** One of its data consumers closed. */
  dataConsumerClosed(dataConsumer: DataConsumer): void;
}

/** @internal What a peer gets from its room. */
export interface PeerContext {
  settings: ResolvedSettings;
  limits: Limits;
  /** Where clients may point plain RTP transports (none: nowhere). */
  plainRtp: PlainRtpPolicy | undefined;
  /** How its consumers reach producers that live on other routers. */
  pipes: ConsumerPipes;
  /** How its data consumers reach data producers that live on other routers. */
  dataPipes: DataPipesSide;
  /**
   * Where a WebRTC transport on `router` listens: its worker's WebRtcServer
   * (one port for all), or addresses of its own (ports from the range).
   */
  webRtcListen(
    router: ms.Router,
  ): { webRtcServer: ms.WebRtcServer } | { listenIps: ms.TransportListenIp[] };
  hooks: PeerHooks;
  /** Links the new peer to the signaling layer (called once, by the constructor). */
  link: (peer: Peer) => PeerLink;
}

/**
 * A participant of a room on this server (mediasoup v2's server Peer): it
 * owns transports, producers and consumers. Its client acts on it through
 * typed methods (called by the signaling layer), which learns what to tell
 * the client by watching the {@link Peer.observer}.
 */
export class Peer extends Emitter<PeerEvents> implements RoomMember {
  /** Peer name, unique in the room. */
  readonly name: string;
  /** The app's data about the peer, from its join. */
  appData: AppData | undefined;
  /** What the client can receive. */
  readonly rtpCapabilities: RtpCapabilities;
  /** A spy receives media but is invisible to other peers and cannot produce. */
  readonly spy: boolean;
  /** What the peer may do. */
  readonly permissions: Readonly<PeerPermissions>;
  /** Its home router: where its transports (and producers) live. */
  readonly router: ms.Router;
  /** What the server's own subsystems watch (see {@link PeerObserverEvents}). */
  readonly observer = new Observer<PeerObserverEvents>();

  #closed = false;
  readonly #context: PeerContext;
  readonly #link: PeerLink;
  readonly #transports = new Map<number, Transport>();
  readonly #producers = new Map<number, Producer>();
  readonly #consumers = new Map<number, Consumer>();
  readonly #consumerOf = new Map<Producer, Consumer>();
  readonly #dataProducers = new Map<number, DataProducer>();
  readonly #dataConsumers = new Map<number, DataConsumer>();
  readonly #dataConsumerOf = new Map<DataProducer, DataConsumer>();

  /** @internal Created by its room. */
  constructor(options: {
    name: string;
    router: ms.Router;
    rtpCapabilities: RtpCapabilities;
    spy: boolean;
    appData: AppData | undefined;
    permissions?: Partial<PeerPermissions>;
    context: PeerContext;
  }) {
    super();
    this.name = options.name;
    this.router = options.router;
    this.rtpCapabilities = options.rtpCapabilities;
    this.spy = options.spy;
    this.appData = options.appData;
    this.permissions = Object.freeze({
      canPublish: options.permissions?.canPublish ?? true,
      canSubscribe: options.permissions?.canSubscribe ?? true,
      canUsePlainRtp: options.permissions?.canUsePlainRtp ?? false,
    });
    this.#context = options.context;
    this.#link = options.context.link(this);
  }

  /** Whether the peer is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Its transports. */
  get transports(): Transport[] {
    return [...this.#transports.values()];
  }

  /** Its producers. */
  get producers(): Producer[] {
    return [...this.#producers.values()];
  }

  /** Its consumers. */
  get consumers(): Consumer[] {
    return [...this.#consumers.values()];
  }

  /** Its data producers (DataChannels its client sends on). */
  get dataProducers(): DataProducer[] {
    return [...this.#dataProducers.values()];
  }

  /** Its data consumers (the other peers' data producers, as it receives them). */
  get dataConsumers(): DataConsumer[] {
    return [...this.#dataConsumers.values()];
  }

  /** The data producer with this id, if it is the peer's. */
  getDataProducerById(id: number): DataProducer | undefined {
    return this.#dataProducers.get(id);
  }

  /** The data consumer with this id, if it is the peer's. */
  getDataConsumerById(id: number): DataConsumer | undefined {
    return this.#dataConsumers.get(id);
  }

  /** The peer's data consumer of a data producer, if it has one. */
  getDataConsumerOf(dataProducer: DataProducer): DataConsumer | undefined {
    return this.#dataConsumerOf.get(dataProducer);
  }

  /** The transport with this id, if it is the peer's. */
  getTransportById(id: number): Transport | undefined {
    return this.#transports.get(id);
  }

  /** The producer with this id, if it is the peer's. */
  getProducerById(id: number): Producer | undefined {
    return this.#producers.get(id);
  }

  /** The consumer with this id, if it is the peer's. */
  getConsumerById(id: number): Consumer | undefined {
    return this.#consumers.get(id);
  }

  /** The peer's consumer of a producer, if it has one. */
  getConsumerOf(producer: Producer): Consumer | undefined {
    return this.#consumerOf.get(producer);
  }

  /**
   * Closes the peer: its client is told (`closed`), its transports, producers
   * and consumers close, and the other peers are told (`peerClosed`).
   */
  close(
    appData?: AppData,
    reason: CloseReason = 'peer_closed',
    message = '',
    redirectUrl?: string,
  ): void {
    this.closeWith('local', appData, reason, message, redirectUrl);
  }

  /** @internal */
  closeWith(
    originator: Originator,
    appData?: AppData,
    reason: CloseReason = 'peer_closed',
    message = '',
    redirectUrl?: string,
  ): void {
    if (this.#closed) return;
    this.#closed = true;
    log.debug('peer %s closed (%s, %s)', this.name, originator, reason);
    this.observer.notify('close', { originator, appData, reason, message, redirectUrl });
    for (const transport of [...this.#transports.values()]) transport.closeWith(originator);
    for (const producer of [...this.#producers.values()]) producer.closeWith(originator);
    for (const consumer of [...this.#consumers.values()]) consumer.close();
    for (const dp of [...this.#dataProducers.values()]) dp.closeWith(originator);
    for (const dc of [...this.#dataConsumers.values()]) dc.close();
    this.#context.hooks.closed(this, appData);
    this.safeEmit('close', originator, appData);
  }

  /** mediasoup v2: handles a request of the peer's client; resolves with the response (an error one on failure). */
  receiveRequest(request: ClientRequest): Promise<ServerResponse> {
    return this.#link.receiveRequest(request);
  }

  /** mediasoup v2: handles a notification of the peer's client (a `notificationRejected` answers one that fails). */
  receiveNotification(notification: ClientNotification): void {
    this.#link.receiveNotification(notification);
  }

  /** Creates a WebRTC transport for the client (ICE + DTLS). */
  async createWebRtcTransport(options: WebRtcTransportOptions): Promise<WebRtcTransport> {
    this.assertCanOpen(options.id, options.direction);
    const router = this.router;
    const engine = await createdInTime('transport', () =>
      router.createWebRtcTransport({
        ...this.#context.webRtcListen(router),
        enableUdp: options.udp ?? true,
        enableTcp: options.tcp ?? true,
        preferUdp: options.preferUdp ?? false,
        preferTcp: options.preferTcp ?? false,
        enableSctp: options.numSctpStreams !== undefined,
        numSctpStreams: options.numSctpStreams,
        // The SDP's max-message-size: browsers refuse to send more, the worker drops it.
        maxSctpMessageSize: this.#context.limits.maxDataMessageSize,
        sctpSendBufferSize:
          options.direction === 'recv' ? receiveBufferSize(this.#context.limits) : undefined,
      }),
    );
    this.assertStillOpen(engine, 'transport');
    const transport = new WebRtcTransport({
      id: options.id,
      direction: options.direction,
      peer: this,
      engine,
      router,
      appData: options.appData,
      owner: this.transportOwnerSide(),
    });
    this.addTransport(transport);
    if (options.dtlsParameters) await transport.connectOnce(options.dtlsParameters);
    return transport;
  }

  /**
   * Creates a plain RTP transport (no ICE, no DTLS): for RTP ingest and
   * endpoints that are not browsers.
   */
  async createPlainRtpTransport(options: PlainRtpTransportOptions): Promise<PlainRtpTransport> {
    this.assertCanOpen(options.id, options.direction);
    // A remote address given by a client: only where the server lets clients send.
    if (options.remote) assertPlainRtpAllowed(this, this.#context.plainRtp, options.remote);
    const listenIp =
      options.listenIp ?? plainListenIp(this.#context.settings, options.ipFamily ?? 4);
    const router = this.router;
    const engine = await createdInTime('transport', () =>
      router.createPlainTransport({
        listenIp,
        rtcpMux: options.rtcpMux ?? true,
        comedia: options.comedia ?? false,
      }),
    );
    this.assertStillOpen(engine, 'transport');
    const transport = new PlainRtpTransport({
      id: options.id,
      direction: options.direction,
      peer: this,
      engine,
      router,
      appData: options.appData,
      owner: this.transportOwnerSide(),
    });
    this.addTransport(transport);
    if (options.remote) await transport.setRemoteParameters(options.remote);
    return transport;
  }

  /** Connects a WebRTC transport with the client's DTLS parameters (once). */
  async connectTransport(transportId: number, dtlsParameters: DtlsParameters): Promise<void> {
    await this.webRtcTransport(transportId).connectOnce(dtlsParameters);
  }

  /** Restarts ICE on a WebRTC transport; resolves with the new ICE parameters. */
  restartIce(transportId: number): Promise<IceParameters> {
    return this.webRtcTransport(transportId).restartIce();
  }

  /** Creates a producer on one of the peer's send transports; every other peer gets a consumer of it. */
  async produce(options: ProduceOptions): Promise<Producer> {
    assertMayProduce(this);
    if (this.#producers.has(options.id))
      throw new SfuError(
        'ALREADY_EXISTS',
        `producer ${options.id} already exists: choose another id`,
        { field: 'id' },
      );
    const transport = this.transport(options.transportId);
    assertDirection(transport, 'send');
    checkLimit(this.#context.limits, 'producersPerPeer', this.#producers.size, `peer ${this.name}`);
    this.#context.hooks.assertFanOut(this);
    const paused = options.paused ?? false;
    const engine = await createdInTime('producer', () =>
      transport.engine.produce({
        kind: options.kind,
        rtpParameters: options.rtpParameters as ms.RtpParameters,
        paused,
        keyFrameRequestDelay: KEY_FRAME_REQUEST_DELAY_MS,
      }),
    );
    if (this.#closed || transport.closed) {
      engine.close();
      throw new InvalidStateError(
        `transport ${transport.id} closed while the producer was created`,
      );
    }
    const producer = new Producer({
      id: options.id,
      peer: this,
      transport,
      engine,
      appData: options.appData,
      paused,
      hooks: this.producerHooks(),
    });
    this.#producers.set(producer.id, producer);
    // The room has it (and its consumers exist) by the time anyone hears of it.
    this.#context.hooks.producerAdded(producer);
    this.observer.notify('newproducer', producer);
    this.safeEmit('newproducer', producer);
    return producer;
  }

  /**
   * Creates a data producer (a DataChannel its client sends on) on one of its
   * send transports with SCTP; every other peer gets a data consumer of it.
   */
  async produceData(options: ProduceDataOptions): Promise<DataProducer> {
    assertMayProduce(this);
    if (this.#dataProducers.has(options.id))
      throw new SfuError(
        'ALREADY_EXISTS',
        `data producer ${options.id} already exists: choose another id`,
        { field: 'id' },
      );
    const transport = this.transport(options.transportId);
    assertDirection(transport, 'send');
    if (!transport.engine.sctpParameters)
      throw new SfuError(
        'INVALID_STATE',
        `transport ${transport.id} has no SCTP: create it with sctpCapabilities to send data`,
        { field: 'transportId' },
      );
    checkLimit(
      this.#context.limits,
      'dataProducersPerPeer',
      this.#dataProducers.size,
      `peer ${this.name}`,
    );
    const engine = await createdInTime('data producer', () =>
      transport.engine.produceData({
        sctpStreamParameters: options.sctpStreamParameters,
        label: options.label ?? '',
        protocol: options.protocol ?? '',
      }),
    );
    if (this.#closed || transport.closed) {
      engine.close();
      throw new InvalidStateError(
        `transport ${transport.id} closed while the data producer was created`,
      );
    }
    const dataProducer = new DataProducer({
      id: options.id,
      peer: this,
      transport,
      engine,
      appData: options.appData,
      hooks: this.#dataProducerHooks,
    });
    this.#dataProducers.set(dataProducer.id, dataProducer);
    this.#context.hooks.dataProducerAdded(dataProducer);
    this.observer.notify('newdataproducer', dataProducer);
    this.safeEmit('newdataproducer', dataProducer);
    return dataProducer;
  }

  /** Enables one of the peer's data consumers on a receive transport with SCTP. */
  async enableDataConsumer(id: number, transportId: number): Promise<DataConsumer> {
    const dataConsumer = this.owned(this.#dataConsumers, id, 'data consumer', 'id');
    const transport = this.transport(transportId);
    assertDirection(transport, 'recv');
    await dataConsumer.enable(transport);
    return dataConsumer;
  }

  /** @internal Gives the peer a data consumer of another peer's data producer (the room does). */
  subscribeData(dataProducer: DataProducer, options: { id: number }): DataConsumer {
    const dataConsumer = new DataConsumer({
      id: options.id,
      source: dataProducer,
      peer: this,
      pipes: this.#context.dataPipes,
      hooks: this.#dataConsumerHooks,
    });
    this.#dataConsumers.set(dataConsumer.id, dataConsumer);
    this.#dataConsumerOf.set(dataProducer, dataConsumer);
    this.observer.notify('newdataconsumer', dataConsumer);
    this.safeEmit('newdataconsumer', dataConsumer);
    return dataConsumer;
  }

  readonly #dataProducerHooks: DataProducerHooks = {
    closed: (dp) => {
      this.#dataProducers.delete(dp.id);
      this.#context.hooks.dataProducerClosed(dp);
    },
  };

  readonly #dataConsumerHooks: DataConsumerHooks = {
    closed: (dc) => {
      this.#dataConsumers.delete(dc.id);
      this.#dataConsumerOf.delete(dc.source);
      this.#context.hooks.dataConsumerClosed(dc);
      this.observer.notify('dataconsumerclose', dc);
    },
  };

  /** @internal The peer's data producer with this id, or NOT_FOUND for its client. */
  dataProducer(id: number): DataProducer {
    return this.owned(this.#dataProducers, id, 'data producer', 'id');
  }

  /**
   * Enables one of the peer's consumers on a receive transport: media is
   * ready to flow once the client starts it ({@link startConsumer}).
   */
  async enableConsumer(
    id: number,
    transportId: number,
    options: EnableConsumerOptions = {},
  ): Promise<Consumer> {
    const consumer = this.consumer(id);
    const transport = this.transport(transportId);
    assertDirection(transport, 'recv');
    await consumer.enable(transport, {
      paused: options.paused ?? false,
      preferredProfile: options.preferredProfile,
    });
    return consumer;
  }

  /** The client's receiver of a consumer is ready: media flows (unless paused). */
  startConsumer(id: number): void {
    this.consumer(id).start();
  }

  /**
   * @internal Gives the peer a consumer of another member's producer (the
   * room does, for every producer the peer may receive).
   */
  subscribe(producer: Producer, options: { id: number; supported: boolean }): Consumer {
    const consumer = new Consumer({
      id: options.id,
      source: producer,
      peer: this,
      rtpCapabilities: this.rtpCapabilities,
      supported: options.supported,
      pipes: this.#context.pipes,
      hooks: this.#consumerHooks,
    });
    this.#consumers.set(consumer.id, consumer);
    this.#consumerOf.set(producer, consumer);
    this.observer.notify('newconsumer', consumer);
    this.safeEmit('newconsumer', consumer);
    return consumer;
  }

  /** What the peer hears of its consumers: one object for them all, their changes on to its observer. */
  readonly #consumerHooks: ConsumerHooks = {
    closed: (c) => {
      this.#consumers.delete(c.id);
      this.#consumerOf.delete(c.source);
      this.#context.hooks.consumerClosed(c);
      this.observer.notify('consumerclose', c);
    },
    paused: (c, paused, originator, appData) =>
      this.observer.notify('consumerpause', c, paused, originator, appData),
    preferredProfileChanged: (c, profile, originator) =>
      this.observer.notify('consumerpreferredprofilechange', c, profile, originator),
    effectiveProfileChanged: (c, profile) =>
      this.observer.notify('consumereffectiveprofilechange', c, profile),
    score: (c, score, producerScore) =>
      this.observer.notify('consumerscore', c, score, producerScore),
  };

  /** @internal The peer's transport with this id, or NOT_FOUND for its client. */
  transport(id: number): Transport {
    return this.owned(this.#transports, id, 'transport', 'transportId');
  }

  /** @internal The peer's producer with this id, or NOT_FOUND for its client. */
  producer(id: number): Producer {
    return this.owned(this.#producers, id, 'producer', 'id');
  }

  /** @internal The peer's consumer with this id, or NOT_FOUND for its client. */
  consumer(id: number): Consumer {
    return this.owned(this.#consumers, id, 'consumer', 'id');
  }

  /** @internal The peer's WebRTC transport with this id. */
  webRtcTransport(id: number): WebRtcTransport {
    const transport = this.transport(id);
    if (transport instanceof WebRtcTransport) return transport;
    throw new SfuError(
      'INVALID_STATE',
      `transport ${id} is not a WebRTC transport: it has no ICE or DTLS`,
    );
  }

  /** What a new transport of the peer is given: what it carries, and its closing. */
  private transportOwnerSide(): TransportOwnerSide {
    return {
      producers: (t) => this.producers.filter((p) => p.transport === t),
      consumers: (t) => this.consumers.filter((c) => c.transport === t),
      // Its producers close with it, on behalf of whoever closed it.
      closing: (t, originator) => {
        for (const producer of this.producers) {
          if (producer.transport === t) producer.closeWith(originator);
        }
        for (const dp of this.dataProducers) if (dp.transport === t) dp.closeWith(originator);
        this.#transports.delete(t.id);
      },
    };
  }

  private producerHooks(): ProducerHooks {
    const hooks = this.#context.hooks;
    return {
      pauseChanged: (p, appData) => hooks.producerPauseChanged(p, appData),
      preferredProfileSet: (p, profile) => hooks.producerPreferredProfileSet(p, profile),
      closed: (p) => {
        this.#producers.delete(p.id);
        hooks.producerClosed(p);
      },
    };
  }

  private addTransport(transport: Transport): void {
    this.#transports.set(transport.id, transport);
    this.observer.notify('newtransport', transport);
    this.safeEmit('newtransport', transport);
  }

  /** Checks that a transport may be opened: id free, direction allowed, limit not reached. */
  private assertCanOpen(id: number, direction: TransportDirection): void {
    if (this.#closed) throw new InvalidStateError(`peer ${this.name} is closed`);
    if (this.#transports.has(id))
      throw new SfuError('ALREADY_EXISTS', `transport ${id} already exists: choose another id`, {
        field: 'id',
      });
    assertMaySend(this, direction);
    checkLimit(
      this.#context.limits,
      'transportsPerPeer',
      this.#transports.size,
      `peer ${this.name}`,
    );
  }

  private owned<T>(map: Map<number, T>, id: number, what: string, field: string): T {
    const found = map.get(id);
    if (!found)
      throw new SfuError('NOT_FOUND', `no ${what} ${id} belongs to peer ${this.name}`, { field });
    return found;
  }

  /** A peer closed while the worker created something for it: that thing goes too. */
  private assertStillOpen(engine: { close(): void }, what: string): void {
    if (!this.#closed) return;
    engine.close();
    throw new InvalidStateError(`peer ${this.name} closed while the ${what} was created`);
  }
}
