import { isIP, isIPv6 } from 'node:net';
import type { types as ms } from '@x/mediasoup';
import {
  type AppData,
  type CloseReason,
  isCompatibleProtocolVersion,
  jsonFromMessage,
  MIN_PROTOCOL_VERSION,
  optionalJsonToMessage,
  PROTOCOL_VERSION,
  pb,
  profile as profileEnum,
  type RtpCapabilities,
  rtpCapabilitiesFromMessage,
  rtpCapabilitiesToMessage,
} from '@x/protocol';
import { ActiveSpeakerDetector } from './ActiveSpeakerDetector.js';
import { Consumer } from './Consumer.js';
import { Emitter } from './Emitter.js';
import { errorToMessage, InvalidStateError, SfuError, toSfuError } from './errors.js';
import { randomId } from './ids.js';
import { checkLimit, type Limits } from './limits.js';
import { logger } from './logger.js';
import { Peer, type PeerPermissions } from './Peer.js';
import { PlainRtpTransport } from './PlainRtpTransport.js';
import type { Producer } from './Producer.js';
import { RtpIngest, type RtpIngestOptions } from './RtpIngest.js';
import { RtpStreamer, type RtpStreamerOptions } from './RtpStreamer.js';
import { type ResolvedSettings, webRtcListenIps } from './ServerSettings.js';
import type { WorkerPool } from './WorkerPool.js';

const log = logger('Room');

/** The level of one audio producer, as the `audiolevels` event reports it. */
export interface AudioLevel {
  /** The audio producer. */
  producer: Producer;
  /** Its level in dBov (-127 to 0, 0 the loudest). */
  audioLevel: number;
}

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
  settings: ResolvedSettings;
  pool: WorkerPool;
  limits: Limits;
}

/** Options of a join that the signaling layer adds to the request. */
export interface JoinOptions {
  /** What the peer may do (from its token). */
  permissions?: PeerPermissions;
  /** The session id to return to the client. */
  sessionId?: string;
  /** How long the server keeps the peer after a lost connection, in ms. */
  sessionGraceMs?: number;
}

/**
 * A room: one mediasoup router, its peers, and what they send and receive
 * (mediasoup v2's Room). Create one with `server.createRoom()`.
 */
export class Room extends Emitter<RoomEvents> {
  /** Room id (the app's name for it, or a generated one). */
  readonly id: string;
  /** The app's data about the room. */
  appData: AppData | undefined;
  /** The mediasoup router underneath (for what this API does not cover). */
  readonly router: ms.Router;
  /** The limits of this room. */
  readonly limits: Limits;

  #closed = false;
  readonly #context: RoomContext;
  readonly #peers = new Map<string, Peer>();
  readonly #serverPeers = new Set<Peer>();
  readonly #consumerIds = new Set<number>();
  readonly #streamers = new Set<RtpStreamer>();
  #outsideRouter: Promise<ms.Router> | undefined;
  readonly #piped = new Map<Producer, Promise<void>>();
  #audioLevelObserver: ms.AudioLevelObserver | undefined;
  #audioLevelsStarting = false;
  readonly #detectors = new Set<ActiveSpeakerDetector>();

  /** @internal Created by the server. */
  constructor(options: {
    id: string;
    router: ms.Router;
    appData: AppData | undefined;
    context: RoomContext;
  }) {
    super();
    this.id = options.id;
    this.router = options.router;
    this.appData = options.appData;
    this.#context = options.context;
    this.limits = options.context.limits;
    // The router closes only with the room, or with its worker: then the room goes too.
    this.router.observer.once('close', () => {
      this.closeWith(
        undefined,
        'worker_died',
        'the media worker hosting this room died: join again',
      );
    });
  }

  /** Whether the room is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** What the room can send and receive: its codecs (RTX included) and header extensions. */
  get rtpCapabilities(): RtpCapabilities {
    return this.router.rtpCapabilities as RtpCapabilities;
  }

  /** The peers in the room. */
  get peers(): Peer[] {
    return [...this.#peers.values()];
  }

  /** The RtpStreamers of the room's producers. */
  get rtpStreamers(): RtpStreamer[] {
    return [...this.#streamers];
  }

  /** The peer with this name, if it is in the room. */
  getPeerByName(name: string): Peer | undefined {
    return this.#peers.get(name);
  }

  /**
   * Handles a request from a client that has not joined yet (`queryRoom`,
   * `join`) and resolves with the response. Never rejects. After a successful
   * join, `getPeerByName()` gives the new peer.
   */
  async receiveRequest(request: pb.Request, options: JoinOptions = {}): Promise<pb.Response> {
    try {
      switch (request.body) {
        case 'queryRoom':
          return pb.Response.create({ id: request.id, queryRoom: this.queryRoomResponse() });
        case 'join': {
          const { response } = this.join(request.join!, options);
          return pb.Response.create({ id: request.id, join: response });
        }
        default:
          throw new SfuError(
            'NOT_JOINED',
            `join the room before sending ${request.body ?? 'this request'}`,
          );
      }
    } catch (error) {
      return pb.Response.create({ id: request.id, error: errorToMessage(error) });
    }
  }

  /** @internal */
  queryRoomResponse(): pb.QueryRoomResponse.$Properties {
    return {
      rtpCapabilities: rtpCapabilitiesToMessage(this.rtpCapabilities),
      mandatoryCodecPayloadTypes: [],
    };
  }

  /** @internal Joins a client: validates, creates the peer and its consumers, tells the others. */
  join(
    req: pb.JoinRequest,
    options: JoinOptions = {},
  ): { peer: Peer; response: pb.JoinResponse.$Properties } {
    if (this.#closed) throw new SfuError('ROOM_CLOSED', `room ${this.id} is closed`);
    if (!isCompatibleProtocolVersion(req.protocolVersion)) {
      throw new SfuError(
        'INCOMPATIBLE_PROTOCOL_VERSION',
        `protocol version ${req.protocolVersion} is not supported: this server speaks ${MIN_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}; update the client`,
        { field: 'protocolVersion' },
      );
    }
    const name = req.peerName;
    if (!name || name.length > 256) {
      throw new SfuError(
        'BAD_REQUEST',
        'peerName must be a non-empty string of at most 256 characters',
        { field: 'peerName' },
      );
    }
    if (this.#peers.has(name)) {
      throw new SfuError(
        'PEER_NAME_TAKEN',
        `peer name "${name}" is taken in room ${this.id}: choose another`,
        { field: 'peerName' },
      );
    }
    if (!req.rtpCapabilities)
      throw new SfuError('BAD_REQUEST', 'rtpCapabilities are missing', {
        field: 'rtpCapabilities',
      });
    const rtpCapabilities = rtpCapabilitiesFromMessage(req.rtpCapabilities, 'rtpCapabilities');
    this.assertCompatible(rtpCapabilities);
    checkLimit(this.limits, 'peersPerRoom', this.#peers.size, `room ${this.id}`);
    const peer = this.addPeer({
      name,
      rtpCapabilities,
      spy: req.spy,
      appData: jsonFromMessage(req.appData),
      permissions: options.permissions,
    });
    const peers = this.peers.filter((p) => p !== peer && !p.spy).map((p) => this.peerInfo(peer, p));
    return {
      peer,
      response: {
        peers,
        sessionId: options.sessionId ?? '',
        sessionGraceMs: options.sessionGraceMs ?? 0,
      },
    };
  }

  /** Closes the room and every peer in it (they are told `closed`). */
  close(appData?: AppData): void {
    this.closeWith(appData, 'room_closed', '');
  }

  /** @internal */
  closeWith(appData: AppData | undefined, reason: CloseReason, message: string): void {
    if (this.#closed) return;
    this.#closed = true;
    log.debug('room %s closed (%s)', this.id, reason);
    for (const peer of this.peers) peer.closeWith('local', appData, reason, message);
    for (const streamer of [...this.#streamers]) streamer.close();
    if (!this.router.closed) this.router.close();
    this.#outsideRouter?.then((r) => r.close()).catch(() => undefined);
    this.safeEmit('close', appData);
  }

  /**
   * Relays a producer's RTP and RTCP to a remote address as plain RTP
   * (mediasoup v2's RtpStreamer). See {@link RtpStreamerOptions}.
   */
  async createRtpStreamer(producer: Producer, options: RtpStreamerOptions): Promise<RtpStreamer> {
    this.assertOpen('createRtpStreamer');
    if (producer.closed || producer.peer.room !== this)
      throw new SfuError('NOT_FOUND', 'Producer not found');
    if (!options || typeof options.remoteIP !== 'string' || !isIP(options.remoteIP)) {
      throw new TypeError('RtpStreamerOptions.remoteIP must be an IP address');
    }
    if (
      !Number.isInteger(options.remotePort) ||
      options.remotePort < 1 ||
      options.remotePort > 65535
    ) {
      throw new TypeError('RtpStreamerOptions.remotePort must be a port number');
    }
    const family = isIPv6(options.remoteIP) ? 6 : 4;
    const rtcpMux = options.rtcpMux ?? true;
    let router = this.router;
    let listenIp: ms.TransportListenIp;
    if (options.localIP !== undefined) {
      if (!isIP(options.localIP))
        throw new TypeError('RtpStreamerOptions.localIP must be an IP address');
      router = await this.outsideRouter();
      await this.pipeToOutsideRouter(producer, router);
      listenIp = { ip: options.localIP };
    } else {
      listenIp = this.listenIp(family);
    }
    const engine = await router.createPlainTransport({ listenIp, rtcpMux, comedia: false });
    const transport = new PlainRtpTransport({
      id: randomId(),
      direction: 'recv',
      peer: undefined,
      engine,
      appData: undefined,
    });
    let consumer: Consumer | undefined;
    try {
      await transport.setRemoteParameters({
        ip: options.remoteIP,
        port: options.remotePort,
        rtcpPort: rtcpMux ? undefined : (options.remoteRtcpPort ?? options.remotePort + 1),
      });
      consumer = this.newConsumer(
        undefined,
        producer,
        router.rtpCapabilities as RtpCapabilities,
        true,
      );
      // Paused by the app (a local pause), so that consumer.resume() starts it.
      if (options.paused) consumer.pause();
      await consumer.enable(transport, { paused: false, started: true });
      transport.addConsumer(consumer);
    } catch (error) {
      consumer?.close();
      transport.close();
      throw error;
    }
    const streamer = new RtpStreamer({
      consumer,
      transport,
      remoteIP: options.remoteIP,
      remotePort: options.remotePort,
      options,
    });
    this.#streamers.add(streamer);
    streamer.once('close', () => this.#streamers.delete(streamer));
    return streamer;
  }

  /**
   * Brings an external RTP stream (ffmpeg, GStreamer, a camera) into the room
   * as a producer of a server-side peer, which the other peers consume like
   * any other. See {@link RtpIngestOptions}.
   */
  async createRtpIngest(options: RtpIngestOptions): Promise<RtpIngest> {
    this.assertOpen('createRtpIngest');
    const peerName = options.peerName ?? 'rtp-ingest';
    let peer = this.#peers.get(peerName);
    if (peer && !this.#serverPeers.has(peer)) {
      throw new SfuError(
        'PEER_NAME_TAKEN',
        `peer name "${peerName}" belongs to a client in room ${this.id}`,
      );
    }
    if (!peer) {
      checkLimit(this.limits, 'peersPerRoom', this.#peers.size, `room ${this.id}`);
      peer = this.addPeer({
        name: peerName,
        rtpCapabilities: this.rtpCapabilities,
        spy: false,
        appData: options.peerAppData,
      });
      this.#serverPeers.add(peer);
      const serverPeer = peer;
      peer.once('close', () => this.#serverPeers.delete(serverPeer));
    }
    const listenIp =
      options.listenIP ?? this.#context.settings.rtcIPv4 ?? this.#context.settings.rtcIPv6;
    const transport = await peer.createPlainRtpTransport({
      id: randomId({ has: (id) => peer.getTransportById(id) !== undefined }),
      direction: 'send',
      ipFamily: listenIp && isIPv6(listenIp) ? 6 : 4,
      rtcpMux: options.rtcpMux ?? false,
      comedia: true,
      listenIp: listenIp ? { ip: listenIp } : undefined,
    });
    try {
      const codec = options.codec;
      const producer = await peer.produce({
        id: randomId({ has: (id) => peer.getProducerById(id) !== undefined }),
        transport,
        kind: options.kind,
        rtpParameters: {
          codecs: [
            {
              mimeType: codec.mimeType,
              payloadType: codec.payloadType,
              clockRate: codec.clockRate,
              channels: codec.channels,
              parameters: codec.parameters ?? {},
              rtcpFeedback:
                options.kind === 'video'
                  ? [
                      { type: 'nack' },
                      { type: 'nack', parameter: 'pli' },
                      { type: 'ccm', parameter: 'fir' },
                    ]
                  : [],
            },
          ],
          encodings: [{ ssrc: options.ssrc }],
        },
        paused: false,
        appData: options.appData,
      });
      return new RtpIngest({ peer, transport, producer });
    } catch (error) {
      transport.close();
      throw toSfuError(error);
    }
  }

  /** Creates a detector of the active speaker among the room's audio producers. */
  async createActiveSpeakerDetector(): Promise<ActiveSpeakerDetector> {
    this.assertOpen('createActiveSpeakerDetector');
    const observer = await this.router.createActiveSpeakerObserver({ interval: 300 });
    const detector = new ActiveSpeakerDetector(observer);
    for (const peer of this.peers) for (const p of peer.producers) detector.addProducer(p);
    this.#detectors.add(detector);
    detector.once('close', () => this.#detectors.delete(detector));
    return detector;
  }

  /** Listening to `audiolevels` starts the room's audio level observer (it pauses again once nobody listens). */
  override on<E extends keyof RoomEvents>(
    event: E,
    listener: (...args: RoomEvents[E]) => void,
    context?: unknown,
  ): this {
    super.on(event, listener as never, context);
    if (event === 'audiolevels') this.startAudioLevels();
    return this;
  }

  /** @internal A producer was created: every other peer gets a consumer of it. */
  producerAdded(producer: Producer): void {
    for (const viewer of this.#peers.values()) {
      if (viewer === producer.peer || viewer.closed || !viewer.permissions.canSubscribe) continue;
      const consumer = this.newConsumer(viewer, producer, viewer.rtpCapabilities);
      viewer.notify({ newConsumer: { consumer: this.consumerInfo(consumer) } });
    }
    if (producer.kind === 'audio' && this.#audioLevelObserver) {
      this.#audioLevelObserver
        .addProducer({ producerId: producer.engine.id })
        .catch(() => undefined);
    }
    for (const detector of this.#detectors) detector.addProducer(producer);
  }

  /** @internal A peer closed: the others are told. */
  removePeer(peer: Peer, appData: AppData | undefined): void {
    if (this.#peers.get(peer.name) !== peer) return;
    this.#peers.delete(peer.name);
    if (peer.spy) return;
    for (const other of this.#peers.values()) {
      other.notify({ peerClosed: { name: peer.name, appData: optionalJsonToMessage(appData) } });
    }
  }

  /** @internal The listen IP of plain transports for an IP family. */
  listenIp(family: 4 | 6): ms.TransportListenIp {
    const s = this.#context.settings;
    const ip = family === 6 ? s.rtcIPv6 : s.rtcIPv4;
    if (!ip) throw new SfuError('UNSUPPORTED', `IPv${family} is disabled in the server settings`);
    return { ip, announcedIp: family === 6 ? s.rtcAnnouncedIPv6 : s.rtcAnnouncedIPv4 };
  }

  /** @internal The listen IPs of WebRTC transports. */
  webRtcListenIps(): ms.TransportListenIp[] {
    return webRtcListenIps(this.#context.settings);
  }

  /** @internal The protocol view of a consumer. */
  consumerInfo(consumer: Consumer): pb.ConsumerInfo.$Properties {
    return {
      id: consumer.id,
      kind:
        consumer.kind === 'audio' ? pb.MediaKind.MEDIA_KIND_AUDIO : pb.MediaKind.MEDIA_KIND_VIDEO,
      peerName: consumer.source.peer.name,
      paused: consumer.pausedByServer,
      preferredProfile: profileEnum.toMessage(consumer.preferredProfile, 'preferredProfile'),
      effectiveProfile: profileEnum.toMessage(consumer.effectiveProfile, 'effectiveProfile'),
      appData: optionalJsonToMessage(consumer.appData),
      supported: consumer.supported,
      simulcast: consumer.source.simulcast,
    };
  }

  /** @internal What `viewer` sees of `peer`: its name, appData, and viewer's consumers of its producers. */
  peerInfo(viewer: Peer, peer: Peer): pb.PeerInfo.$Properties {
    return {
      name: peer.name,
      appData: optionalJsonToMessage(peer.appData),
      consumers: peer.producers.flatMap((p) => {
        const consumer = viewer.getConsumerOf(p);
        return consumer ? [this.consumerInfo(consumer)] : [];
      }),
    };
  }

  private addPeer(options: {
    name: string;
    rtpCapabilities: RtpCapabilities;
    spy: boolean;
    appData: AppData | undefined;
    permissions?: PeerPermissions;
  }): Peer {
    const peer = new Peer({ ...options, room: this });
    this.#peers.set(peer.name, peer);
    if (peer.permissions.canSubscribe) {
      for (const other of this.#peers.values()) {
        if (other === peer) continue;
        for (const producer of other.producers)
          this.newConsumer(peer, producer, peer.rtpCapabilities);
      }
    }
    if (!peer.spy) {
      for (const other of this.#peers.values()) {
        if (other !== peer) other.notify({ newPeer: { peer: this.peerInfo(other, peer) } });
      }
    }
    log.debug('peer %s joined room %s', peer.name, this.id);
    this.safeEmit('newpeer', peer);
    return peer;
  }

  private newConsumer(
    viewer: Peer | undefined,
    producer: Producer,
    rtpCapabilities: RtpCapabilities,
    supported?: boolean,
  ): Consumer {
    const id = randomId(this.#consumerIds);
    this.#consumerIds.add(id);
    const consumer = new Consumer({
      id,
      source: producer,
      peer: viewer,
      rtpCapabilities,
      supported: supported ?? this.canConsume(producer, rtpCapabilities),
    });
    consumer.once('close', () => this.#consumerIds.delete(id));
    producer.addConsumer(consumer);
    viewer?.addConsumer(consumer);
    return consumer;
  }

  private canConsume(producer: Producer, rtpCapabilities: RtpCapabilities): boolean {
    try {
      return this.router.canConsume({
        producerId: producer.engine.id,
        rtpCapabilities: rtpCapabilities as ms.RtpCapabilities,
      });
    } catch {
      return false;
    }
  }

  /** A client must share at least one media codec with the room. */
  private assertCompatible(caps: RtpCapabilities): void {
    const key = (c: { mimeType: string; clockRate: number }) =>
      `${c.mimeType.toLowerCase()}/${c.clockRate}`;
    const room = new Set(
      (this.rtpCapabilities.codecs ?? []).filter((c) => !/\/rtx$/i.test(c.mimeType)).map(key),
    );
    if (!(caps.codecs ?? []).some((c) => room.has(key(c)))) {
      const names = (this.rtpCapabilities.codecs ?? [])
        .filter((c) => !/\/rtx$/i.test(c.mimeType))
        .map((c) => c.mimeType);
      throw new SfuError(
        'UNSUPPORTED',
        `the client supports none of the room's codecs (${names.join(', ')})`,
        {
          field: 'rtpCapabilities.codecs',
        },
      );
    }
  }

  private pauseAudioLevelsIfUnheard(observer: ms.AudioLevelObserver): boolean {
    if (this.listenerCount('audiolevels') > 0) return false;
    observer.pause().catch(() => undefined);
    return true;
  }

  private startAudioLevels(): void {
    if (this.#closed) return;
    if (this.#audioLevelObserver) {
      if (this.#audioLevelObserver.paused) this.#audioLevelObserver.resume().catch(() => undefined);
      return;
    }
    if (this.#audioLevelsStarting) return;
    this.#audioLevelsStarting = true;
    this.router
      .createAudioLevelObserver({ maxEntries: 16, threshold: -80, interval: 500 })
      .then((observer) => {
        this.#audioLevelObserver = observer;
        const byEngineId = (id: string) => {
          for (const peer of this.#peers.values())
            for (const p of peer.producers) if (p.engine.id === id) return p;
          return undefined;
        };
        observer.on('volumes', (volumes: { producer: ms.Producer; volume: number }[]) => {
          if (this.pauseAudioLevelsIfUnheard(observer)) return;
          const levels = volumes.flatMap((v) => {
            const producer = byEngineId(v.producer.id);
            return producer ? [{ producer, audioLevel: v.volume }] : [];
          });
          this.safeEmit('audiolevels', levels);
        });
        observer.on('silence', () => {
          if (!this.pauseAudioLevelsIfUnheard(observer)) this.safeEmit('audiolevels', []);
        });
        for (const peer of this.#peers.values()) {
          for (const p of peer.producers)
            if (p.kind === 'audio')
              observer.addProducer({ producerId: p.engine.id }).catch(() => undefined);
        }
      })
      .catch((error: unknown) => log.warn('audio level observer failed: %o', error));
  }

  private outsideRouter(): Promise<ms.Router> {
    if (!this.#outsideRouter) {
      const codecs =
        this.router.rtpCapabilities.codecs?.filter((c) => !/\/rtx$/i.test(c.mimeType)) ?? [];
      this.#outsideRouter = this.#context.pool
        .outsideRangeWorker()
        .then((worker) => worker.createRouter({ mediaCodecs: codecs }));
      this.#outsideRouter.catch(() => {
        this.#outsideRouter = undefined;
      });
    }
    return this.#outsideRouter;
  }

  private pipeToOutsideRouter(producer: Producer, router: ms.Router): Promise<void> {
    let piped = this.#piped.get(producer);
    if (!piped) {
      piped = this.router
        .pipeToRouter({ producerId: producer.engine.id, router })
        .then(() => undefined);
      this.#piped.set(producer, piped);
      producer.once('close', () => this.#piped.delete(producer));
      piped.catch(() => this.#piped.delete(producer));
    }
    return piped;
  }

  private assertOpen(method: string): void {
    if (this.#closed)
      throw new InvalidStateError(`room ${this.id} is closed: ${method}() is not possible`);
  }
}
