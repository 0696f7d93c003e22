import {
  type AppData,
  dtlsParametersFromMessage,
  dtlsParametersToMessage,
  iceCandidateFromMessage,
  iceParametersFromMessage,
  mediaKind,
  optionalJsonToMessage,
  type RtcStats,
  rtpParametersToMessage,
  type TransportDirection,
  transportDirection,
} from '@x/protocol';
import { Emitter, logger } from '@x/shared';
import type { Device, types as msc } from 'mediasoup-client';
import { InvalidStateError } from './errors.js';
import type { Originator } from './Peer.js';
import type { Signal } from './Signal.js';

const log = logger('x:client:Transport');

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
};

/** @internal What a transport needs from its room. */
export interface TransportContext {
  device: Device;
  signal: Signal;
  transportOptions: { udp?: boolean; tcp?: boolean; preferUdp?: boolean; preferTcp?: boolean };
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
}

/** @internal A producer the transport is creating on the server ('produce' event). */
export interface PendingProduce {
  id: number;
  paused: boolean;
  appData: AppData | undefined;
}

/**
 * A send or receive transport (mediasoup-client v2's Transport). Its
 * server side is created when it is first used (a producer sent, a
 * consumer received), as in v2.
 */
export class Transport extends Emitter<TransportEvents> {
  /** Transport id (random, chosen by the client). */
  readonly id: number;
  /** 'send' for producers, 'recv' for consumers. */
  readonly direction: TransportDirection;
  /** The app's data about the transport, given to the server. */
  readonly appData: AppData | undefined;

  #closed = false;
  #connectionState: ConnectionState = 'new';
  #engine: msc.Transport | undefined;
  #creating: Promise<msc.Transport> | undefined;
  #statsInterval: number | undefined;
  readonly #context: TransportContext;
  readonly #pending = new Map<number, PendingProduce>();

  /** @internal Created by `room.createTransport()`. */
  constructor(
    id: number,
    direction: TransportDirection,
    appData: AppData | undefined,
    context: TransportContext,
  ) {
    super();
    this.id = id;
    this.direction = direction;
    this.appData = appData;
    this.#context = context;
  }

  /** Whether the transport is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Connection state. */
  get connectionState(): ConnectionState {
    return this.#connectionState;
  }

  /** The mediasoup-client transport underneath, once created. */
  get engine(): msc.Transport | undefined {
    return this.#engine;
  }

  /** Closes the transport: its producers and consumers become unhandled (they can go on another). */
  close(appData?: AppData): void {
    if (this.#closed) return;
    if (this.#engine)
      this.#context.signal.notify({
        closeTransport: { id: this.id, appData: optionalJsonToMessage(appData) },
      });
    this.closeWith('local', appData);
  }

  /** Starts the server stats of the transport: a `stats` event every `interval` ms (at least 1000). */
  enableStats(interval = 1000): void {
    this.assertOpen('enableStats');
    this.#statsInterval = interval;
    if (this.#engine)
      this.#context.signal.notify({ enableTransportStats: { id: this.id, intervalMs: interval } });
  }

  /** Stops the server stats. */
  disableStats(): void {
    this.assertOpen('disableStats');
    const was = this.#statsInterval;
    this.#statsInterval = undefined;
    if (this.#engine && was !== undefined)
      this.#context.signal.notify({ disableTransportStats: { id: this.id } });
  }

  /** Restarts ICE (after a network change): new ICE parameters from the server. */
  async restartIce(): Promise<void> {
    this.assertOpen('restartIce');
    if (!this.#engine) return;
    const response = await this.#context.signal.request({ restartIce: { transportId: this.id } });
    const iceParameters = iceParametersFromMessage(response.restartIce?.iceParameters);
    if (!this.#engine.closed) await this.#engine.restartIce({ iceParameters });
  }

  /** @internal The mediasoup-client transport, created on the server first if needed. */
  ensure(): Promise<msc.Transport> {
    this.assertOpen('use');
    this.#creating ??= this.create();
    this.#creating.catch(() => {
      this.#creating = undefined;
    });
    return this.#creating;
  }

  /** @internal Registers a producer about to be produced, for the 'produce' event. */
  expectProduce(localId: number, pending: PendingProduce): void {
    this.#pending.set(localId, pending);
  }

  /** @internal The server closed it. */
  remoteClose(appData: AppData | undefined): void {
    this.closeWith('remote', appData);
  }

  /** @internal The room was left or closed. */
  roomClosed(originator: Originator): void {
    this.closeWith(originator, undefined);
  }

  /** @internal Server stats arrived. */
  receiveStats(stats: RtcStats[]): void {
    this.safeEmit('stats', stats);
  }

  private async create(): Promise<msc.Transport> {
    const { device, signal, transportOptions } = this.#context;
    const response = await signal.request({
      createTransport: {
        id: this.id,
        direction: transportDirection.toMessage(this.direction, 'direction'),
        options: transportOptions,
        appData: optionalJsonToMessage(this.appData),
      },
    });
    const created = response.createTransport!;
    const options: msc.TransportOptions = {
      id: String(this.id),
      iceParameters: iceParametersFromMessage(created.iceParameters),
      iceCandidates: created.iceCandidates.map((c, i) =>
        iceCandidateFromMessage(c, `iceCandidates[${i}]`),
      ) as msc.IceCandidate[],
      dtlsParameters: dtlsParametersFromMessage(created.dtlsParameters) as msc.DtlsParameters,
      iceServers: this.#context.iceServers,
      iceTransportPolicy: this.#context.iceTransportPolicy,
    };
    if (this.#closed) {
      signal.notify({ closeTransport: { id: this.id } });
      throw new InvalidStateError(`transport ${this.id} closed while it was created`);
    }
    const engine =
      this.direction === 'send'
        ? device.createSendTransport(options)
        : device.createRecvTransport(options);
    engine.on('connect', ({ dtlsParameters }, callback, errback) => {
      signal
        .request({
          connectTransport: {
            transportId: this.id,
            dtlsParameters: dtlsParametersToMessage(dtlsParameters),
          },
        })
        .then(() => callback())
        .catch(errback);
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
        .request({
          createProducer: {
            id: pending.id,
            kind: mediaKind.toMessage(kind, 'kind'),
            transportId: this.id,
            rtpParameters: rtpParametersToMessage(rtpParameters as never),
            paused: pending.paused,
            appData: optionalJsonToMessage(pending.appData),
          },
        })
        .then(() => callback({ id: String(pending.id) }))
        .catch(errback);
    });
    engine.on('connectionstatechange', (state) => {
      this.#connectionState = state;
      this.safeEmit('connectionstatechange', state);
      if (state === 'failed' && !this.#closed) {
        log.warn('transport %d failed: restarting ICE', this.id);
        this.restartIce().catch((error: unknown) =>
          log.warn('ICE restart of transport %d failed: %o', this.id, error),
        );
      }
    });
    this.#engine = engine;
    if (this.#statsInterval !== undefined)
      signal.notify({ enableTransportStats: { id: this.id, intervalMs: this.#statsInterval } });
    return engine;
  }

  private closeWith(originator: Originator, appData: AppData | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connectionState = 'closed';
    this.#engine?.close();
    this.safeEmit('close', originator, appData);
  }

  private assertOpen(method: string): void {
    if (this.#closed)
      throw new InvalidStateError(`transport ${this.id} is closed: ${method}() is not possible`);
  }
}
