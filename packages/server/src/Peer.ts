import type { types as ms } from '@x/mediasoup';
import {
  type AppData,
  type CloseReason,
  closeReason as closeReasonEnum,
  type DtlsParameters,
  dtlsParametersFromMessage,
  dtlsParametersToMessage,
  iceCandidateToMessage,
  iceParametersToMessage,
  jsonFromMessage,
  mediaKind,
  optionalJsonToMessage,
  pb,
  plainRtpParametersFromMessage,
  profile as profileEnum,
  type RtcStats,
  type RtpCapabilities,
  requiredRtpParametersFromMessage,
  rtpParametersToMessage,
  sctpParametersToMessage,
  statsListToMessage,
  transportDirection,
} from '@x/protocol';
import type { Consumer } from './Consumer.js';
import { Emitter } from './Emitter.js';
import { errorToMessage, SfuError, toSfuError } from './errors.js';
import { checkLimit } from './limits.js';
import { logger } from './logger.js';
import { PlainRtpTransport } from './PlainRtpTransport.js';
import { type Originator, Producer } from './Producer.js';
import type { PreferredProfile } from './profiles.js';
import type { Room } from './Room.js';
import type { Transport } from './Transport.js';
import { WebRtcTransport } from './WebRtcTransport.js';

const log = logger('Peer');

/** What a peer may do, from its access token (all allowed without one). */
export interface PeerPermissions {
  /** May create producers. */
  canPublish: boolean;
  /** May receive media. */
  canSubscribe: boolean;
}

/** Events of a {@link Peer}. */
export type PeerEvents = {
  /** The peer was closed: by the app ('local') or because its client left ('remote'). */
  close: [originator: Originator, appData: AppData | undefined];
  /** A notification for the peer's client: relay it (the WebSocket endpoint does). */
  notify: [notification: pb.ServerNotification];
  /** The client created a transport. */
  newtransport: [transport: Transport];
  /** The client created a producer. */
  newproducer: [producer: Producer];
  /** A consumer was created for the peer (another peer produced). */
  newconsumer: [consumer: Consumer];
};

type StatsTarget = 'transport' | 'producer' | 'consumer';

const MIN_STATS_INTERVAL = 1000;

/**
 * A participant of a room (mediasoup v2's server Peer): it owns transports,
 * producers and consumers, takes its client's requests and notifications,
 * and emits the notifications its client must receive.
 */
export class Peer extends Emitter<PeerEvents> {
  /** Peer name, unique in the room. */
  readonly name: string;
  /** The room. */
  readonly room: Room;
  /** The app's data about the peer, from its join. */
  appData: AppData | undefined;
  /** What the client can receive. */
  readonly rtpCapabilities: RtpCapabilities;
  /** A spy receives media but is invisible to other peers and cannot produce. */
  readonly spy: boolean;
  /** What the peer may do. */
  readonly permissions: PeerPermissions;

  #closed = false;
  readonly #transports = new Map<number, Transport>();
  readonly #producers = new Map<number, Producer>();
  readonly #consumers = new Map<number, Consumer>();
  readonly #consumerOf = new Map<Producer, Consumer>();
  readonly #stats = new Map<string, NodeJS.Timeout>();

  /** @internal Created by its room. */
  constructor(options: {
    name: string;
    room: Room;
    rtpCapabilities: RtpCapabilities;
    spy: boolean;
    appData: AppData | undefined;
    permissions?: PeerPermissions;
  }) {
    super();
    this.name = options.name;
    this.room = options.room;
    this.rtpCapabilities = options.rtpCapabilities;
    this.spy = options.spy;
    this.appData = options.appData;
    this.permissions = options.permissions ?? { canPublish: true, canSubscribe: true };
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
  close(appData?: AppData, reason: CloseReason = 'peer_closed', message = ''): void {
    this.closeWith('local', appData, reason, message);
  }

  /** @internal */
  closeWith(
    originator: Originator,
    appData?: AppData,
    reason: CloseReason = 'peer_closed',
    message = '',
  ): void {
    if (this.#closed) return;
    if (originator === 'local') {
      this.notify({
        closed: {
          appData: optionalJsonToMessage(appData),
          reason: closeReasonEnum.toMessage(reason, 'reason'),
          message,
        },
      });
    }
    this.#closed = true;
    log.debug('peer %s closed (%s, %s)', this.name, originator, reason);
    for (const timer of this.#stats.values()) clearInterval(timer);
    this.#stats.clear();
    for (const transport of [...this.#transports.values()]) transport.closeWith(originator);
    for (const producer of [...this.#producers.values()]) producer.closeWith(originator);
    for (const consumer of [...this.#consumers.values()]) consumer.close();
    this.room.removePeer(this, appData);
    this.safeEmit('close', originator, appData);
  }

  /** Sends a notification to the peer's client (through the `notify` event). */
  notify(body: pb.ServerNotification.$Properties): void {
    if (this.#closed) return;
    this.safeEmit('notify', pb.ServerNotification.create(body));
  }

  /**
   * Handles a request of the peer's client and resolves with the response to
   * send back. Never rejects: a failure is an error response with its code.
   */
  async receiveRequest(request: pb.Request): Promise<pb.Response> {
    const id = request.id;
    try {
      if (this.#closed) throw new SfuError('INVALID_STATE', `peer ${this.name} is closed`);
      return pb.Response.create({ id, ...(await this.handleRequest(request)) });
    } catch (error) {
      const e = toSfuError(error);
      if (e.code === 'INTERNAL')
        log.error('request %s of %s failed: %o', request.body, this.name, error);
      return pb.Response.create({ id, error: errorToMessage(e) });
    }
  }

  /**
   * Handles a notification of the peer's client. One it cannot carry out is
   * answered with a `notificationRejected` notification.
   */
  receiveNotification(notification: pb.ClientNotification): void {
    const body = notification.body;
    try {
      if (this.#closed) throw new SfuError('INVALID_STATE', `peer ${this.name} is closed`);
      this.handleNotification(notification);
    } catch (error) {
      const e = toSfuError(error);
      const target = body ? (notification[body] as { id?: number } | null) : null;
      this.notify({
        notificationRejected: {
          notification: body ? body.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : '',
          id: target?.id ?? 0,
          error: errorToMessage(e),
        },
      });
    }
  }

  /** @internal A consumer of another peer's producer, created by the room. */
  addConsumer(consumer: Consumer): void {
    this.#consumers.set(consumer.id, consumer);
    this.#consumerOf.set(consumer.source, consumer);
    consumer.once('close', () => {
      this.#consumers.delete(consumer.id);
      this.#consumerOf.delete(consumer.source);
      this.stopStats('consumer', consumer.id);
    });
    this.safeEmit('newconsumer', consumer);
  }

  /** @internal Creates a plain RTP transport for this peer (RTP ingest, non-WebRTC clients). */
  async createPlainRtpTransport(options: {
    id: number;
    direction: 'send' | 'recv';
    ipFamily: 4 | 6;
    rtcpMux: boolean;
    comedia: boolean;
    listenIp?: ms.TransportListenIp;
    appData?: AppData;
  }): Promise<PlainRtpTransport> {
    const listenIp = options.listenIp ?? this.room.listenIp(options.ipFamily);
    const engine = await this.room.router.createPlainTransport({
      listenIp,
      rtcpMux: options.rtcpMux,
      comedia: options.comedia,
    });
    const transport = new PlainRtpTransport({
      id: options.id,
      direction: options.direction,
      peer: this,
      engine,
      appData: options.appData,
    });
    this.addTransport(transport);
    return transport;
  }

  /** @internal Creates a producer on one of the peer's send transports. */
  async produce(options: {
    id: number;
    transport: Transport;
    kind: 'audio' | 'video';
    rtpParameters: ms.RtpParameters;
    paused: boolean;
    appData: AppData | undefined;
  }): Promise<Producer> {
    checkLimit(this.room.limits, 'producersPerPeer', this.#producers.size, `peer ${this.name}`);
    const engine = await options.transport.engine.produce({
      kind: options.kind,
      rtpParameters: options.rtpParameters,
      paused: options.paused,
    });
    if (this.#closed || options.transport.closed) {
      engine.close();
      throw new SfuError(
        'INVALID_STATE',
        `transport ${options.transport.id} closed while the producer was created`,
      );
    }
    const producer = new Producer({
      id: options.id,
      peer: this,
      transport: options.transport,
      engine,
      appData: options.appData,
      paused: options.paused,
    });
    this.#producers.set(producer.id, producer);
    options.transport.addProducer(producer);
    producer.once('close', () => {
      this.#producers.delete(producer.id);
      this.stopStats('producer', producer.id);
    });
    this.safeEmit('newproducer', producer);
    this.room.producerAdded(producer);
    return producer;
  }

  private addTransport(transport: Transport): void {
    this.#transports.set(transport.id, transport);
    transport.once('close', () => {
      this.#transports.delete(transport.id);
      this.stopStats('transport', transport.id);
    });
    this.safeEmit('newtransport', transport);
  }

  private async handleRequest(request: pb.Request): Promise<Omit<pb.Response.$Properties, 'id'>> {
    switch (request.body) {
      case 'queryRoom':
        return { queryRoom: this.room.queryRoomResponse() };
      case 'join':
        throw new SfuError(
          'ALREADY_JOINED',
          `already joined as "${this.name}": leave first to join again`,
        );
      case 'resumeSession':
        throw new SfuError(
          'INVALID_STATE',
          'the session is live: resume only after a lost connection',
        );
      case 'createTransport':
        return { createTransport: await this.createTransport(request.createTransport!) };
      case 'connectTransport': {
        const req = request.connectTransport!;
        await this.webRtcTransport(req.transportId).connectOnce(
          dtlsParametersFromMessage(req.dtlsParameters, 'dtlsParameters'),
        );
        return { connectTransport: {} };
      }
      case 'restartIce':
        return {
          restartIce: {
            iceParameters: iceParametersToMessage(
              await this.webRtcTransport(request.restartIce!.transportId).restartIce(),
            ),
          },
        };
      case 'createProducer':
        await this.createProducer(request.createProducer!);
        return { createProducer: {} };
      case 'enableConsumer':
        return { enableConsumer: await this.enableConsumer(request.enableConsumer!) };
      case 'startConsumer':
        this.consumer(request.startConsumer!.id).start();
        return { startConsumer: {} };
      default:
        throw new SfuError('BAD_REQUEST', 'request has no body this server knows');
    }
  }

  private async createTransport(
    req: pb.CreateTransportRequest,
  ): Promise<pb.CreateTransportResponse.$Properties> {
    const id = nonZeroId(req.id, 'id');
    if (this.#transports.has(id))
      throw new SfuError('ALREADY_EXISTS', `transport ${id} already exists: choose another id`, {
        field: 'id',
      });
    const direction = transportDirection.fromMessage(req.direction, 'direction');
    if (direction === 'recv' && !this.permissions.canSubscribe) {
      throw new SfuError(
        'FORBIDDEN',
        'this peer may not receive media: its token does not allow subscribing',
      );
    }
    if (direction === 'send' && (this.spy || !this.permissions.canPublish)) {
      throw new SfuError(
        'FORBIDDEN',
        this.spy
          ? 'a spy cannot send media'
          : 'this peer may not send media: its token does not allow publishing',
      );
    }
    checkLimit(this.room.limits, 'transportsPerPeer', this.#transports.size, `peer ${this.name}`);
    const appData = jsonFromMessage(req.appData);

    if (req.plainRtpParameters) {
      const remote = plainRtpParametersFromMessage(req.plainRtpParameters, 'plainRtpParameters');
      const transport = await this.createPlainRtpTransport({
        id,
        direction,
        ipFamily: remote.ipVersion,
        rtcpMux: remote.rtcpPort === undefined,
        comedia: false,
        appData,
      });
      await transport.setRemoteParameters(remote);
      return {
        plainRtpParameters: {
          ip: transport.engine.tuple.localIp,
          ipVersion: remote.ipVersion,
          port: transport.localPort,
          rtcpPort: transport.rtcpTuple?.localPort,
        },
      };
    }

    const options = req.options;
    const engine = await this.room.router.createWebRtcTransport({
      listenIps: this.room.webRtcListenIps(),
      enableUdp: options?.udp ?? true,
      enableTcp: options?.tcp ?? true,
      preferUdp: options?.preferUdp ?? false,
      preferTcp: options?.preferTcp ?? false,
      enableSctp: req.sctpCapabilities != null,
      numSctpStreams: req.sctpCapabilities?.numStreams
        ? { OS: req.sctpCapabilities.numStreams.os, MIS: req.sctpCapabilities.numStreams.mis }
        : undefined,
    });
    if (this.#closed) {
      engine.close();
      throw new SfuError(
        'INVALID_STATE',
        `peer ${this.name} closed while the transport was created`,
      );
    }
    const transport = new WebRtcTransport({ id, direction, peer: this, engine, appData });
    this.addTransport(transport);
    if (req.dtlsParameters)
      await transport.connectOnce(dtlsParametersFromMessage(req.dtlsParameters));
    return {
      iceParameters: iceParametersToMessage(engine.iceParameters),
      iceCandidates: engine.iceCandidates.map((c, i) =>
        iceCandidateToMessage(c, `iceCandidates[${i}]`),
      ),
      dtlsParameters: dtlsParametersToMessage(engine.dtlsParameters as DtlsParameters),
      sctpParameters: engine.sctpParameters
        ? sctpParametersToMessage(engine.sctpParameters)
        : undefined,
    };
  }

  private async createProducer(req: pb.CreateProducerRequest): Promise<void> {
    if (this.spy) throw new SfuError('FORBIDDEN', 'a spy cannot produce');
    if (!this.permissions.canPublish)
      throw new SfuError(
        'FORBIDDEN',
        'this peer may not produce: its token does not allow publishing',
      );
    const id = nonZeroId(req.id, 'id');
    if (this.#producers.has(id))
      throw new SfuError('ALREADY_EXISTS', `producer ${id} already exists: choose another id`, {
        field: 'id',
      });
    const kind = mediaKind.fromMessage(req.kind, 'kind');
    const transport = this.transport(req.transportId);
    if (transport.direction !== 'send') {
      throw new SfuError(
        'INVALID_STATE',
        `transport ${transport.id} is a receive transport: producers go on a send transport`,
        {
          field: 'transportId',
        },
      );
    }
    const rtpParameters = requiredRtpParametersFromMessage(req.rtpParameters, 'rtpParameters');
    await this.produce({
      id,
      transport,
      kind,
      rtpParameters: rtpParameters as ms.RtpParameters,
      paused: req.paused,
      appData: jsonFromMessage(req.appData),
    });
  }

  private async enableConsumer(
    req: pb.EnableConsumerRequest,
  ): Promise<pb.EnableConsumerResponse.$Properties> {
    const consumer = this.consumer(req.id);
    const transport = this.transport(req.transportId);
    if (transport.direction !== 'recv') {
      throw new SfuError(
        'INVALID_STATE',
        `transport ${transport.id} is a send transport: consumers go on a receive transport`,
        {
          field: 'transportId',
        },
      );
    }
    const preferredProfile = req.preferredProfile
      ? preferred(profileEnum.fromMessage(req.preferredProfile, 'preferredProfile'))
      : undefined;
    await consumer.enable(transport, { paused: req.paused, preferredProfile });
    transport.addConsumer(consumer);
    return {
      rtpParameters: consumer.rtpParameters
        ? rtpParametersToMessage(consumer.rtpParameters)
        : undefined,
      paused: consumer.pausedByServer,
      preferredProfile: profileEnum.toMessage(consumer.preferredProfile, 'preferredProfile'),
      effectiveProfile: profileEnum.toMessage(consumer.effectiveProfile, 'effectiveProfile'),
    };
  }

  private handleNotification(n: pb.ClientNotification): void {
    switch (n.body) {
      case 'leave':
        this.closeWith('remote', jsonFromMessage(n.leave!.appData));
        return;
      case 'updateTransport': {
        const { id, dtlsParameters } = n.updateTransport!;
        this.webRtcTransport(id)
          .connectOnce(dtlsParametersFromMessage(dtlsParameters))
          .catch((error: unknown) => {
            this.notify({
              notificationRejected: {
                notification: 'update_transport',
                id,
                error: errorToMessage(error),
              },
            });
          });
        return;
      }
      case 'closeTransport':
        this.transport(n.closeTransport!.id).closeWith(
          'remote',
          jsonFromMessage(n.closeTransport!.appData),
        );
        return;
      case 'enableTransportStats': {
        const { id, intervalMs } = n.enableTransportStats!;
        const transport = this.transport(id);
        this.startStats(
          'transport',
          id,
          intervalMs,
          () => transport.getStats(),
          (stats) => ({ transportStats: { id, stats } }),
        );
        return;
      }
      case 'disableTransportStats':
        this.transport(n.disableTransportStats!.id);
        this.stopStats('transport', n.disableTransportStats!.id);
        return;
      case 'pauseProducer':
        this.producer(n.pauseProducer!.id).setRemotelyPaused(
          true,
          jsonFromMessage(n.pauseProducer!.appData),
        );
        return;
      case 'resumeProducer':
        this.producer(n.resumeProducer!.id).setRemotelyPaused(
          false,
          jsonFromMessage(n.resumeProducer!.appData),
        );
        return;
      case 'closeProducer':
        this.producer(n.closeProducer!.id).closeWith(
          'remote',
          jsonFromMessage(n.closeProducer!.appData),
        );
        return;
      case 'enableProducerStats': {
        const { id, intervalMs } = n.enableProducerStats!;
        const producer = this.producer(id);
        this.startStats(
          'producer',
          id,
          intervalMs,
          () => producer.getStats(),
          (stats) => ({ producerStats: { id, stats } }),
        );
        return;
      }
      case 'disableProducerStats':
        this.producer(n.disableProducerStats!.id);
        this.stopStats('producer', n.disableProducerStats!.id);
        return;
      case 'pauseConsumer':
        this.consumer(n.pauseConsumer!.id).setRemotelyPaused(
          true,
          jsonFromMessage(n.pauseConsumer!.appData),
        );
        return;
      case 'resumeConsumer':
        this.consumer(n.resumeConsumer!.id).setRemotelyPaused(
          false,
          jsonFromMessage(n.resumeConsumer!.appData),
        );
        return;
      case 'setConsumerPreferredProfile': {
        const { id, profile } = n.setConsumerPreferredProfile!;
        this.consumer(id).applyPreferredProfile(
          preferred(profileEnum.fromMessage(profile, 'profile')),
        );
        return;
      }
      case 'enableConsumerStats': {
        const { id, intervalMs } = n.enableConsumerStats!;
        const consumer = this.consumer(id);
        const peerName = consumer.source.peer.name;
        this.startStats(
          'consumer',
          id,
          intervalMs,
          () => consumer.getStats(),
          (stats) => ({ consumerStats: { id, peerName, stats } }),
        );
        return;
      }
      case 'disableConsumerStats':
        this.consumer(n.disableConsumerStats!.id);
        this.stopStats('consumer', n.disableConsumerStats!.id);
        return;
      default:
        throw new SfuError('BAD_REQUEST', 'notification has no body this server knows');
    }
  }

  private startStats(
    target: StatsTarget,
    id: number,
    intervalMs: number,
    get: () => Promise<RtcStats[]>,
    body: (stats: pb.Stats[]) => pb.ServerNotification.$Properties,
  ): void {
    this.stopStats(target, id);
    const interval = Math.max(MIN_STATS_INTERVAL, intervalMs || MIN_STATS_INTERVAL);
    const timer = setInterval(() => {
      get()
        .then((stats) => this.notify(body(statsListToMessage(stats))))
        .catch((error: unknown) => log.debug('%s %d stats failed: %o', target, id, error));
    }, interval);
    timer.unref();
    this.#stats.set(`${target}:${id}`, timer);
  }

  private stopStats(target: StatsTarget, id: number): void {
    const key = `${target}:${id}`;
    const timer = this.#stats.get(key);
    if (timer) clearInterval(timer);
    this.#stats.delete(key);
  }

  private transport(id: number): Transport {
    const transport = this.#transports.get(id);
    if (!transport)
      throw new SfuError('NOT_FOUND', `no transport ${id} belongs to peer ${this.name}`, {
        field: 'transportId',
      });
    return transport;
  }

  private webRtcTransport(id: number): WebRtcTransport {
    const transport = this.transport(id);
    if (!(transport instanceof WebRtcTransport)) {
      throw new SfuError(
        'INVALID_STATE',
        `transport ${id} is a plain RTP transport: it has no ICE or DTLS`,
      );
    }
    return transport;
  }

  private producer(id: number): Producer {
    const producer = this.#producers.get(id);
    if (!producer)
      throw new SfuError('NOT_FOUND', `no producer ${id} belongs to peer ${this.name}`, {
        field: 'id',
      });
    return producer;
  }

  private consumer(id: number): Consumer {
    const consumer = this.#consumers.get(id);
    if (!consumer)
      throw new SfuError('NOT_FOUND', `no consumer ${id} belongs to peer ${this.name}`, {
        field: 'id',
      });
    return consumer;
  }
}

function nonZeroId(id: number, field: string): number {
  if (!id)
    throw new SfuError(
      'BAD_REQUEST',
      `${field} must be a non-zero 32-bit number chosen by the client`,
      { field },
    );
  return id;
}

function preferred(profile: string): PreferredProfile {
  if (profile === 'none')
    throw new SfuError('BAD_REQUEST', "'none' is not a profile one can prefer", {
      field: 'profile',
    });
  return profile as PreferredProfile;
}
