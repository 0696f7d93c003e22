import type {
  AppData,
  DtlsParameters,
  MediaKind,
  RtcStats,
  RtpParameters,
  SctpStreamParameters,
  TransportDirection,
} from '@x/protocol';
import { logger, ObservedEmitter } from '@x/shared';
import type { Device, types as msc } from 'mediasoup-client';
import { ConsumeBatch, type ConsumeSlot } from './ConsumeBatch.js';
import { InvalidStateError, TransportFailedError, type TransportFailure } from './errors.js';
import type { Originator } from './Originator.js';
import type { ResolvedRoomOptions } from './roomOptions.js';
import type { Signal } from './Signal.js';
import { StatsSubscription } from './StatsSubscription.js';

const log = logger('x:client:Transport');

// SCTP streams a data transport asks for: what browsers offer (and the server's most).
const SCTP_STREAMS = { OS: 1024, MIS: 1024 };

/** Connection state of a transport. */
export type ConnectionState =
  | 'new'
  | 'connecting'
  | 'connected'
  | 'failed'
  | 'disconnected'
  | 'closed';

/** Events of a {@link Transport}. */
export type TransportEvents = {
  /** The transport was closed: by the app ('local') or by the server ('remote'). */
  close: [originator: Originator, appData: AppData | undefined];
  /** Its connection state changed. */
  connectionstatechange: [state: ConnectionState];
  /** Server stats of the transport, while enabled (see {@link Transport.enableStats}). */
  stats: [stats: RtcStats[]];
  /**
   * It could not connect: the browser reported the connection failed, or it
   * was not connected `transportConnectTimeout` ms after it started to
   * connect. No media flows on it; it keeps trying (ICE restarts) and a later
   * `connectionstatechange` ('connected') says when it recovers.
   */
  failed: [error: TransportFailedError];
};

/** @internal What a transport needs from its room. */
export interface TransportContext {
  device: Device;
  signal: Signal;
  /** The room's options: transport options, TURN servers, ICE policy, connect timeout. */
  options: Pick<
    ResolvedRoomOptions,
    'transportOptions' | 'iceTransportPolicy' | 'transportConnectTimeout' | 'iceRestartDelay'
  >;
  /**
   * The ICE servers its connection uses: the app's TURN servers
   * (`turnServers`) and those the server sent with credentials for this peer.
   */
  iceServers(): RTCIceServer[];
  /** What the room hears of its transport, apart from its events. */
  hooks: {
    /** It could not connect. */
    failed(transport: Transport, error: TransportFailedError): void;
    /** It closed. */
    closed(transport: Transport): void;
  };
}

/** @internal A producer the transport is creating on the server ('produce' event). */
export interface PendingProduce {
  id: number;
  paused: boolean;
  appData: AppData | undefined;
}

/** @internal A data producer the transport is creating on the server ('producedata' event). */
export interface PendingProduceData {
  id: number;
  appData: AppData | undefined;
}

/**
 * A send or receive transport (mediasoup-client v2's Transport). Its
 * server side is created when it is first used (a producer sent, a
 * consumer received), as in v2.
 */
export class Transport extends ObservedEmitter<TransportEvents> {
  readonly #id: number;
  readonly #direction: TransportDirection;
  readonly #appData: AppData | undefined;
  #closed = false;
  #connectionState: ConnectionState = 'new';
  #engine: msc.Transport | undefined;
  #creating: Promise<msc.Transport> | undefined;
  readonly #context: TransportContext;
  readonly #stats: StatsSubscription;
  readonly #pending = new Map<number, PendingProduce>();
  readonly #pendingData = new Map<number, PendingProduceData>();
  readonly #consumeBatch = new ConsumeBatch();
  readonly #sctp: boolean;
  #maxMessageSize = Number.POSITIVE_INFINITY;
  // The producers and consumers it carries, told when it closes. A parent
  // tracks its children itself (as mediasoup does) rather than through one
  // 'close' listener each, which would trip EventEmitter's leak warning at 11.
  readonly #children = new Set<() => void>();
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #iceRestartTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    id: number,
    direction: TransportDirection,
    appData: AppData | undefined,
    context: TransportContext,
    sctp: boolean,
  ) {
    super();
    this.#sctp = sctp;
    this.#id = id;
    this.#direction = direction;
    this.#appData = appData;
    this.#context = context;
    this.#stats = new StatsSubscription(context.signal, 'transport', id);
  }

  /** @internal Created by `room.createTransport()`. */
  static create(
    id: number,
    direction: TransportDirection,
    appData: AppData | undefined,
    context: TransportContext,
    options: { sctp?: boolean } = {},
  ): Transport {
    return new Transport(id, direction, appData, context, options.sctp ?? false);
  }

  /** Transport id (random, chosen by the client). */
  get id(): number {
    return this.#id;
  }

  /** 'send' for producers, 'recv' for consumers. */
  get direction(): TransportDirection {
    return this.#direction;
  }

  /** The app's data about the transport, given to the server. */
  get appData(): AppData | undefined {
    return this.#appData;
  }

  /** Whether the transport is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Connection state. */
  get connectionState(): ConnectionState {
    return this.#connectionState;
  }

  /** Whether it carries DataChannels (SCTP): the room's own data transports do. */
  get sctp(): boolean {
    return this.#sctp;
  }

  /** @internal The largest data message the server accepts on it (once created). */
  get maxMessageSize(): number {
    return this.#maxMessageSize;
  }

  /** The mediasoup-client transport underneath, once created. */
  get engine(): msc.Transport | undefined {
    return this.#engine;
  }

  /** Closes the transport: its producers and consumers become unhandled (they can go on another). */
  close(appData?: AppData): void {
    if (this.#closed) return;
    if (this.#engine) this.#context.signal.closeTransport(this.#id, appData);
    this.#closeWith('local', appData);
  }

  /** Starts the server stats of the transport: a `stats` event every `interval` ms (at least 1000). */
  enableStats(interval = 1000): void {
    this.#assertOpen('enableStats');
    this.#stats.enable(interval);
  }

  /** Stops the server stats. */
  disableStats(): void {
    this.#assertOpen('disableStats');
    this.#stats.disable();
  }

  /** Restarts ICE (after a network change): new ICE parameters from the server. */
  async restartIce(): Promise<void> {
    this.#assertOpen('restartIce');
    if (!this.#engine) return;
    const iceParameters = await this.#context.signal.restartIce(this.#id);
    if (!this.#engine.closed) await this.#engine.restartIce({ iceParameters });
  }

  /** @internal The mediasoup-client transport, created on the server first if needed. */
  ensure(): Promise<msc.Transport> {
    this.#assertOpen('use');
    this.#creating ??= this.#create();
    this.#creating.catch(() => {
      this.#creating = undefined;
    });
    return this.#creating;
  }

  /** @internal A consumer about to be enabled on it: consumers enabled together consume together. */
  reserveConsume(): ConsumeSlot {
    return this.#consumeBatch.reserve();
  }

  /** @internal Registers a producer about to be produced, for the 'produce' event. */
  expectProduce(localId: number, pending: PendingProduce): void {
    this.#pending.set(localId, pending);
  }

  /** @internal Registers a data producer about to be produced, for the 'producedata' event. */
  expectProduceData(localId: number, pending: PendingProduceData): void {
    this.#pendingData.set(localId, pending);
  }

  /** @internal A producer or consumer now carried: `onClose` runs when the transport closes. */
  adopt(onClose: () => void): void {
    this.#children.add(onClose);
  }

  /** @internal A producer or consumer no longer carried. */
  release(onClose: () => void): void {
    this.#children.delete(onClose);
  }

  /** @internal The server sent fresh TURN credentials (at a resume): ICE restarts use them. */
  async updateIceServers(): Promise<void> {
    if (this.#engine && !this.#engine.closed)
      await this.#engine.updateIceServers({ iceServers: this.#context.iceServers() });
  }

  /**
   * @internal The room joined again, as a new session (its grace period had
   * passed, or its node drained or died): the server side of this transport
   * is gone. It stays open for the app, and is created again on the new
   * server at its next use; what it carried leaves it (producers and
   * consumers `unhandled`), and the room sends its producers on it again.
   */
  rebind(): void {
    if (this.#closed) return;
    this.#clearConnectTimer();
    clearTimeout(this.#iceRestartTimer);
    this.#stats.detach();
    const engine = this.#engine;
    this.#engine = undefined;
    this.#creating = undefined;
    this.#pending.clear();
    this.#pendingData.clear();
    engine?.close();
    const children = [...this.#children];
    this.#children.clear();
    for (const onClose of children) onClose();
    if (this.#connectionState !== 'new') {
      this.#connectionState = 'new';
      this.emitBoth('connectionstatechange', 'new');
    }
  }

  /** @internal The server closed it. */
  remoteClose(appData: AppData | undefined): void {
    this.#closeWith('remote', appData);
  }

  /** @internal The room was left or closed. */
  roomClosed(originator: Originator): void {
    this.#closeWith(originator, undefined);
  }

  /** @internal Server stats arrived. */
  receiveStats(stats: RtcStats[]): void {
    this.emitBoth('stats', stats);
  }

  async #create(): Promise<msc.Transport> {
    const { device, signal, options: roomOptions } = this.#context;
    const created = await signal.createTransport({
      id: this.#id,
      direction: this.#direction,
      options: roomOptions.transportOptions,
      appData: this.#appData,
      sctpStreams: this.#sctp ? SCTP_STREAMS : undefined,
    });
    this.#maxMessageSize = created.sctpParameters?.maxMessageSize ?? Number.POSITIVE_INFINITY;
    const options: msc.TransportOptions = {
      id: String(this.#id),
      iceParameters: created.iceParameters,
      iceCandidates: created.iceCandidates as msc.IceCandidate[],
      dtlsParameters: created.dtlsParameters as msc.DtlsParameters,
      iceServers: this.#context.iceServers(),
      iceTransportPolicy: roomOptions.iceTransportPolicy,
      sctpParameters: created.sctpParameters && {
        ...created.sctpParameters,
        // One limit both ways: the server's (its maxDataMessageSize).
        maxSendMessageSize: created.sctpParameters.maxMessageSize,
        maxReceiveMessageSize: created.sctpParameters.maxMessageSize,
      },
    };
    if (this.#closed) {
      signal.closeTransport(this.#id, undefined);
      throw new InvalidStateError(`transport ${this.#id} closed while it was created`);
    }
    const engine =
      this.#direction === 'send'
        ? device.createSendTransport(options)
        : device.createRecvTransport(options);
    engine.on('connect', ({ dtlsParameters }, callback) => {
      this.#watchConnect();
      // The browser may start ICE at once: the server has the DTLS
      // parameters before any DTLS can reach it (the request is sent before
      // ICE even begins, and it answers a connection's requests in order).
      // Waiting for the answer kept the first frame a round trip later; a
      // refusal fails the transport instead of the consume that set it up.
      callback();
      signal
        .connectTransport(this.#id, dtlsParameters as DtlsParameters)
        .catch((error: unknown) => {
          if (this.#closed || this.#engine !== engine) return;
          log.warn('the server refused to connect transport %s: %o', this.#id, error);
          this.#fail('failed');
        });
    });
    engine.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      const localId = (appData as { localId?: number }).localId ?? -1;
      const pending = this.#pending.get(localId);
      this.#pending.delete(localId);
      if (!pending) {
        errback(new Error('produce event for an unknown producer'));
        return;
      }
      signal
        .produce({
          id: pending.id,
          kind: kind as MediaKind,
          transportId: this.#id,
          rtpParameters: rtpParameters as RtpParameters,
          paused: pending.paused,
          appData: pending.appData,
        })
        .then(() => callback({ id: String(pending.id) }))
        .catch(errback);
    });
    engine.on(
      'producedata',
      ({ sctpStreamParameters, label, protocol, appData }, callback, errback) => {
        const localId = (appData as { localId?: number }).localId ?? -1;
        const pending = this.#pendingData.get(localId);
        this.#pendingData.delete(localId);
        if (!pending) {
          errback(new Error('producedata event for an unknown data producer'));
          return;
        }
        signal
          .produceData({
            id: pending.id,
            transportId: this.#id,
            sctpStreamParameters: sctpStreamParameters as SctpStreamParameters,
            label: label ?? '',
            protocol: protocol ?? '',
            appData: pending.appData,
          })
          .then(() => callback({ id: String(pending.id) }))
          .catch(errback);
      },
    );
    engine.on('connectionstatechange', (state) => {
      // An engine dropped by a rebind may still speak as it closes.
      if (this.#engine !== engine) return;
      this.#connectionState = state;
      this.emitBoth('connectionstatechange', state);
      if (state !== 'disconnected') clearTimeout(this.#iceRestartTimer);
      if (state === 'connected') this.#clearConnectTimer();
      if (state === 'failed' && !this.#closed) {
        this.#fail('failed');
        log.warn('transport %s failed: restarting ICE', this.#id);
        this.#restartIceNow();
      }
      // A path that went quiet (a network change, a NAT that forgot the
      // binding) is not 'failed' before the browser gives up, tens of seconds
      // later: restart ICE after a short wait instead.
      if (state === 'disconnected' && !this.#closed) {
        // The signaling path may have died with the media path (a network
        // change): the ICE restart below needs it.
        this.#context.signal.probeConnection();
        clearTimeout(this.#iceRestartTimer);
        this.#iceRestartTimer = setTimeout(() => {
          if (this.#engine === engine && this.#connectionState === 'disconnected') {
            log.debug('transport %s still disconnected: restarting ICE', this.#id);
            this.#restartIceNow();
          }
        }, this.#context.options.iceRestartDelay);
      }
    });
    this.#engine = engine;
    this.#stats.attach();
    return engine;
  }

  #restartIceNow(): void {
    this.restartIce().catch((error: unknown) =>
      log.warn('ICE restart of transport %s failed: %o', this.#id, error),
    );
  }

  // A transport that never connects says so, rather than leaving the app
  // believing media flows (Firefox, for one, may stay 'checking' for long).
  #watchConnect(): void {
    if (this.#connectTimer || this.#connectionState === 'connected') return;
    this.#connectTimer = setTimeout(() => {
      this.#connectTimer = undefined;
      if (!this.#closed && this.#connectionState !== 'connected') this.#fail('timeout');
    }, this.#context.options.transportConnectTimeout);
  }

  #clearConnectTimer(): void {
    clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
  }

  #fail(reason: TransportFailure): void {
    this.#clearConnectTimer();
    const what = `the ${this.#direction} transport ${this.#id}`;
    const message =
      reason === 'timeout'
        ? `${what} did not connect within ${this.#context.options.transportConnectTimeout} ms`
        : `${what} failed to connect (ICE or DTLS)`;
    const error = new TransportFailedError(
      reason,
      this.#id,
      `${message}: no media flows. The server's media address (its ICE candidates) may not be reachable from this browser.`,
    );
    this.#context.hooks.failed(this, error);
    this.emitBoth('failed', error);
  }

  #closeWith(originator: Originator, appData: AppData | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearConnectTimer();
    clearTimeout(this.#iceRestartTimer);
    this.#connectionState = 'closed';
    this.#stats.detach();
    this.#engine?.close();
    this.#context.hooks.closed(this);
    this.emitBoth('close', originator, appData);
    const children = [...this.#children];
    this.#children.clear();
    for (const onClose of children) onClose();
  }

  #assertOpen(method: string): void {
    if (this.#closed)
      throw new InvalidStateError(`transport ${this.#id} is closed: ${method}() is not possible`);
  }
}
