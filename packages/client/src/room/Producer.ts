import type { AppData, MediaKind, RtcStats, RtpParameters } from '@x/protocol';
import { logger, ObservedEmitter } from '@x/shared';
import type { types as msc } from 'mediasoup-client';
import { InvalidStateError } from './errors.js';
import { randomId } from './ids.js';
import type { Originator } from './Originator.js';
import type { Signal } from './Signal.js';
import { StatsSubscription } from './StatsSubscription.js';
import type { Transport } from './Transport.js';

const log = logger('x:client:Producer');

/**
 * Bitrates of the simulcast streams, in bits per second (the seed page says
 * kbps; mediasoup-client v2's code, which this follows, uses bps). Only a
 * hint: some browsers cannot set per-stream bitrates.
 */
export interface SimulcastOptions {
  /** Bitrate of the lowest stream. Default 100000. */
  low?: number;
  /** Bitrate of the medium stream. Default 300000. */
  medium?: number;
  /** Bitrate of the highest stream. Default 1500000. */
  high?: number;
}

/** Options of `room.createProducer()`. */
export interface ProducerOptions {
  /** Simulcast (video): `true` for the defaults, or the bitrates of the streams. */
  simulcast?: SimulcastOptions | boolean;
}

/** The simulcast bitrates `simulcast: true` stands for. */
export const DEFAULT_SIMULCAST_OPTIONS: Readonly<Required<SimulcastOptions>> = {
  low: 100000,
  medium: 300000,
  high: 1500000,
};

/** Events of a {@link Producer} (the seed's `producer.on(...)` events). */
export type ProducerEvents = {
  /** The producer was closed: by the app ('local') or the server ('remote'). */
  close: [originator: Originator, appData: AppData | undefined];
  /** It was paused locally or remotely. */
  pause: [originator: Originator, appData: AppData | undefined];
  /** It was resumed locally or remotely. */
  resume: [originator: Originator, appData: AppData | undefined];
  /** Its track ended (the device went away); the producer stays open. */
  trackended: [];
  /** A transport was given to it. */
  handled: [];
  /** Its transport closed. */
  unhandled: [];
  /** Server stats, while enabled. */
  stats: [stats: RtcStats[]];
};

/** @internal What a producer needs from its room. */
export interface ProducerContext {
  signal: Signal;
  /** What the room hears of its producer, apart from its events. */
  hooks: {
    /** It closed. */
    closed(producer: Producer): void;
  };
}

/**
 * An audio or video track sent to the room (mediasoup-client v2's Producer,
 * as its documentation page specifies). Create it with
 * `room.createProducer(track)`, then `send(transport)`.
 */
export class Producer extends ObservedEmitter<ProducerEvents> {
  /** Custom data set by the application (read-write). */
  appData: AppData | undefined;

  readonly #id: number;
  readonly #simulcast: Readonly<Required<SimulcastOptions>> | undefined;
  #closed = false;
  #track: MediaStreamTrack;
  #originalTrack: MediaStreamTrack;
  #transport: Transport | undefined;
  #engine: msc.Producer | undefined;
  #rtpParameters: RtpParameters | undefined;
  #locallyPaused: boolean;
  #remotelyPaused = false;
  #sending = false;
  readonly #signal: Signal;
  readonly #hooks: ProducerContext['hooks'];
  readonly #stats: StatsSubscription;
  readonly #onTrackEnded = () => {
    log.debug('track of producer %s ended', this.#id);
    this.emitBoth('trackended');
  };
  readonly #onTransportClose = () => this.#becomeUnhandled();

  private constructor(
    track: MediaStreamTrack,
    options: ProducerOptions,
    appData: AppData | undefined,
    context: ProducerContext,
  ) {
    super();
    this.#id = randomId();
    this.appData = appData;
    this.#signal = context.signal;
    this.#hooks = context.hooks;
    this.#stats = new StatsSubscription(context.signal, 'producer', this.#id);
    this.#originalTrack = track;
    this.#track = track.clone();
    this.#locallyPaused = !track.enabled;
    this.#track.enabled = track.enabled;
    this.#track.addEventListener('ended', this.#onTrackEnded);
    if (track.kind === 'video' && options.simulcast) {
      this.#simulcast =
        options.simulcast === true
          ? DEFAULT_SIMULCAST_OPTIONS
          : { ...DEFAULT_SIMULCAST_OPTIONS, ...options.simulcast };
    }
  }

  /** @internal Created by `room.createProducer()`. */
  static create(
    track: MediaStreamTrack,
    options: ProducerOptions,
    appData: AppData | undefined,
    context: ProducerContext,
  ): Producer {
    return new Producer(track, options, appData, context);
  }

  /** Unique identifier (a random 32-bit integer chosen here, as in v2). Read only. */
  get id(): number {
    return this.#id;
  }

  /** The simulcast bitrates in use (undefined without simulcast). */
  get simulcast(): Readonly<Required<SimulcastOptions>> | undefined {
    return this.#simulcast;
  }

  /** Whether the producer has been closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The media kind ("audio" or "video"). */
  get kind(): MediaKind {
    return this.#originalTrack.kind as MediaKind;
  }

  /** The MediaStreamTrack handled by the producer (a clone of the one given). */
  get track(): MediaStreamTrack {
    return this.#track;
  }

  /** The MediaStreamTrack given to the producer (not used internally). */
  get originalTrack(): MediaStreamTrack {
    return this.#originalTrack;
  }

  /** The transport assigned to the producer, if any. */
  get transport(): Transport | undefined {
    return this.#transport;
  }

  /** The effective RTP parameters, once sent. */
  get rtpParameters(): RtpParameters | undefined {
    return this.#rtpParameters;
  }

  /** Whether it has been paused locally. */
  get locallyPaused(): boolean {
    return this.#locallyPaused;
  }

  /** Whether it has been paused remotely (by the server). */
  get remotelyPaused(): boolean {
    return this.#remotelyPaused;
  }

  /** Whether it is paused locally or remotely. */
  get paused(): boolean {
    return this.#locallyPaused || this.#remotelyPaused;
  }

  /** The mediasoup-client producer underneath, while handled. */
  get engine(): msc.Producer | undefined {
    return this.#engine;
  }

  /** Closes the producer (and tells the server if it was sent); emits `close` ('local'). */
  close(appData?: AppData): void {
    if (this.#closed) return;
    if (this.#engine) this.#signal.closeProducer(this.#id, appData);
    this.#closeWith('local', appData);
  }

  /** Starts sending on a send transport. Rejects if the transport cannot take it or the server refuses. */
  async send(transport: Transport): Promise<void> {
    if (this.#closed)
      throw new InvalidStateError(`producer ${this.#id} is closed: send() is not possible`);
    if (!transport || typeof transport.ensure !== 'function')
      throw new TypeError('send() needs a Transport');
    if (transport.direction !== 'send')
      throw new TypeError(
        `transport ${transport.id} is a receive transport: producers need a send transport`,
      );
    if (transport.closed) throw new InvalidStateError(`transport ${transport.id} is closed`);
    if (this.#transport || this.#sending)
      throw new InvalidStateError(`producer ${this.#id} is already handled by a transport`);
    this.#sending = true;
    try {
      const engine = await transport.ensure();
      const localId = randomId();
      transport.expectProduce(localId, {
        id: this.#id,
        paused: this.paused,
        appData: this.appData,
      });
      const producer = await engine.produce({
        track: this.#track,
        encodings: this.#encodings(),
        stopTracks: false,
        disableTrackOnPause: false,
        zeroRtpOnPause: true,
        appData: { localId },
      });
      if (this.#closed || transport.closed) {
        producer.close();
        throw new InvalidStateError(
          `producer ${this.#id} or its transport closed while it was sent`,
        );
      }
      this.#engine = producer;
      this.#transport = transport;
      this.#rtpParameters = producer.rtpParameters as RtpParameters;
      if (this.paused) producer.pause();
      transport.adopt(this.#onTransportClose);
      this.#stats.attach();
      this.emitBoth('handled');
    } finally {
      this.#sending = false;
    }
  }

  /**
   * Pauses the producer locally: no RTP goes to the room. Returns whether it
   * is paused (false if closed).
   */
  pause(appData?: AppData): boolean {
    if (this.#closed) {
      log.error('pause() | producer %s closed', this.#id);
      return false;
    }
    if (this.#locallyPaused) return true;
    this.#locallyPaused = true;
    this.#track.enabled = false;
    if (this.#engine) {
      this.#engine.pause();
      this.#signal.pauseProducer(this.#id, appData);
    }
    this.emitBoth('pause', 'local', appData);
    return this.paused;
  }

  /**
   * Resumes the producer locally: RTP goes to the room again unless it is
   * also paused remotely. Returns whether it is now flowing.
   */
  resume(appData?: AppData): boolean {
    if (this.#closed) {
      log.error('resume() | producer %s closed', this.#id);
      return false;
    }
    if (!this.#locallyPaused) return true;
    this.#locallyPaused = false;
    if (!this.#remotelyPaused) this.#track.enabled = true;
    if (this.#engine) {
      if (!this.#remotelyPaused) this.#engine.resume();
      this.#signal.resumeProducer(this.#id, appData);
    }
    this.emitBoth('resume', 'local', appData);
    return !this.paused;
  }

  /** Replaces the track being sent; resolves with the new (cloned) track. */
  async replaceTrack(track: MediaStreamTrack): Promise<MediaStreamTrack> {
    if (this.#closed)
      throw new InvalidStateError(`producer ${this.#id} is closed: replaceTrack() is not possible`);
    if (!track || typeof track.clone !== 'function')
      throw new TypeError('replaceTrack() needs a MediaStreamTrack');
    if (track.kind !== this.kind)
      throw new TypeError(`the new track is ${track.kind}; this producer sends ${this.kind}`);
    if (track.readyState === 'ended') throw new InvalidStateError('the new track has ended');
    const clone = track.clone();
    clone.enabled = !this.paused;
    try {
      if (this.#engine) await this.#engine.replaceTrack({ track: clone });
    } catch (error) {
      clone.stop();
      throw error;
    }
    if (this.#closed) {
      clone.stop();
      throw new InvalidStateError(`producer ${this.#id} closed while its track was replaced`);
    }
    this.#track.removeEventListener('ended', this.#onTrackEnded);
    this.#track.stop();
    this.#originalTrack = track;
    this.#track = clone;
    clone.addEventListener('ended', this.#onTrackEnded);
    return clone;
  }

  /** Subscribes to the producer's server stats: a `stats` event every `interval` ms (at least 1000). */
  enableStats(interval = 1000): void {
    if (this.#closed)
      throw new InvalidStateError(`producer ${this.#id} is closed: enableStats() is not possible`);
    this.#stats.enable(interval);
  }

  /** Closes the subscription to stats. */
  disableStats(): void {
    this.#stats.disable();
  }

  /** @internal The server paused it. */
  remotePause(appData: AppData | undefined): void {
    if (this.#closed || this.#remotelyPaused) return;
    this.#remotelyPaused = true;
    this.#track.enabled = false;
    this.#engine?.pause();
    this.emitBoth('pause', 'remote', appData);
  }

  /** @internal The server resumed it. */
  remoteResume(appData: AppData | undefined): void {
    if (this.#closed || !this.#remotelyPaused) return;
    this.#remotelyPaused = false;
    if (!this.#locallyPaused) {
      this.#track.enabled = true;
      this.#engine?.resume();
    }
    this.emitBoth('resume', 'remote', appData);
  }

  /** @internal The server closed it. */
  remoteClose(appData: AppData | undefined): void {
    this.#closeWith('remote', appData);
  }

  /** @internal Server stats arrived. */
  receiveStats(stats: RtcStats[]): void {
    this.emitBoth('stats', stats);
  }

  /** @internal The room was left or closed. */
  roomClosed(originator: Originator): void {
    // Its transport closes with the room and takes the engine with it. Closing
    // the engine first would queue a stopSending that the transport's close
    // then aborts, logged as "producer closure failed: AwaitQueueStoppedError".
    this.#closeWith(originator, undefined, false);
  }

  #encodings(): msc.RtpEncodingParameters[] | undefined {
    if (!this.#simulcast) return undefined;
    const { low, medium, high } = this.#simulcast;
    return [
      { maxBitrate: low, scaleResolutionDownBy: 4 },
      { maxBitrate: medium, scaleResolutionDownBy: 2 },
      { maxBitrate: high, scaleResolutionDownBy: 1 },
    ];
  }

  #becomeUnhandled(): void {
    if (!this.#transport) return;
    this.#transport.release(this.#onTransportClose);
    this.#transport = undefined;
    this.#stats.detach();
    this.#rtpParameters = undefined;
    this.#engine?.close();
    this.#engine = undefined;
    if (!this.#closed) this.emitBoth('unhandled');
  }

  #closeWith(originator: Originator, appData: AppData | undefined, closeEngine = true): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#transport?.release(this.#onTransportClose);
    this.#stats.detach();
    if (closeEngine) this.#engine?.close();
    this.#engine = undefined;
    this.#transport = undefined;
    this.#track.removeEventListener('ended', this.#onTrackEnded);
    this.#track.stop();
    this.#hooks.closed(this);
    this.emitBoth('close', originator, appData);
  }
}
