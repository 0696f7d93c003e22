import type { AppData, MediaKind, Profile, RtcStats, RtpParameters } from '@x/protocol';
import { logger, ObservedEmitter } from '@x/shared';
import type { types as msc } from 'mediasoup-client';
import { InvalidStateError, UnsupportedError } from './errors.js';
import type { Originator } from './Originator.js';
import type { PreferredProfile } from './profiles.js';
import type { RoomMember } from './RoomMember.js';
import type { ConsumerData, Signal } from './Signal.js';
import { StatsSubscription } from './StatsSubscription.js';
import type { Transport } from './Transport.js';

const log = logger('x:client:Consumer');

export type { PreferredProfile } from './profiles.js';

/** Events of a {@link Consumer}. */
export type ConsumerEvents = {
  /** The consumer was closed: its producer or peer is gone ('remote'), or the room closed ('local'). */
  close: [originator: Originator];
  /** It was paused: by the app ('local') or on the server side ('remote': the server or its producer). */
  pause: [originator: Originator, appData: AppData | undefined];
  /** It was resumed. */
  resume: [originator: Originator, appData: AppData | undefined];
  /** The profile it receives changed. */
  effectiveprofilechange: [profile: Profile];
  /** A transport was given to it. */
  handled: [];
  /** Its transport closed. */
  unhandled: [];
  /** Server stats, while enabled. */
  stats: [stats: RtcStats[]];
  /**
   * Its quality changed: how well the server sends it to this client, and
   * how well the producer's stream reaches the server (0 to 10 each).
   */
  score: [score: number, producerScore: number];
};

/**
 * A remote peer's producer as this client receives it (mediasoup-client
 * v2's Consumer). Call `receive(transport)` to get its track.
 */
export class Consumer extends ObservedEmitter<ConsumerEvents> {
  readonly #id: number;
  readonly #kind: MediaKind;
  readonly #peer: RoomMember;
  readonly #appData: AppData | undefined;
  readonly #supported: boolean;
  readonly #simulcast: boolean;
  #closed = false;
  #transport: Transport | undefined;
  #engine: msc.Consumer | undefined;
  #rtpParameters: RtpParameters | undefined;
  #locallyPaused = false;
  #remotelyPaused: boolean;
  #preferredProfile: PreferredProfile;
  #effectiveProfile: Profile;
  #receiving = false;
  readonly #signal: Signal;
  readonly #stats: StatsSubscription;
  readonly #onTransportClose = () => this.#becomeUnhandled();

  readonly #onClosed: (consumer: Consumer) => void;

  private constructor(
    data: ConsumerData,
    peer: RoomMember,
    signal: Signal,
    onClosed: (consumer: Consumer) => void,
  ) {
    super();
    this.#id = data.id;
    this.#kind = data.kind;
    this.#peer = peer;
    this.#appData = data.appData;
    this.#supported = data.supported;
    this.#simulcast = data.simulcast;
    this.#remotelyPaused = data.paused;
    this.#preferredProfile = data.preferredProfile;
    this.#effectiveProfile = data.effectiveProfile;
    this.#signal = signal;
    this.#onClosed = onClosed;
    this.#stats = new StatsSubscription(signal, 'consumer', data.id);
  }

  /**
   * @internal Created by its peer from what the server announced; `onClosed`
   * tells the peer when it closes.
   */
  static create(
    data: ConsumerData,
    peer: RoomMember,
    signal: Signal,
    onClosed: (consumer: Consumer) => void,
  ): Consumer {
    return new Consumer(data, peer, signal, onClosed);
  }

  /** Consumer id (chosen by the server). */
  get id(): number {
    return this.#id;
  }

  /** Media kind. */
  get kind(): MediaKind {
    return this.#kind;
  }

  /** The peer whose producer it receives (a {@link Peer}). */
  get peer(): RoomMember {
    return this.#peer;
  }

  /** The producer's appData. */
  get appData(): AppData | undefined {
    return this.#appData;
  }

  /** Whether this device can receive it. */
  get supported(): boolean {
    return this.#supported;
  }

  /** Whether its producer sends simulcast (profiles apply). */
  get simulcast(): boolean {
    return this.#simulcast;
  }

  /** Whether it is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** RTP parameters it is received with (once received). */
  get rtpParameters(): RtpParameters | undefined {
    return this.#rtpParameters;
  }

  /** The transport it is received on, if any. */
  get transport(): Transport | undefined {
    return this.#transport;
  }

  /** The received track (null until received). */
  get track(): MediaStreamTrack | null {
    return this.#engine?.track ?? null;
  }

  /** Whether the app paused it. */
  get locallyPaused(): boolean {
    return this.#locallyPaused;
  }

  /** Whether it is paused on the server side (by the server or its producer). */
  get remotelyPaused(): boolean {
    return this.#remotelyPaused;
  }

  /** Whether it is paused either way. */
  get paused(): boolean {
    return this.#locallyPaused || this.#remotelyPaused;
  }

  /** The simulcast profile it prefers. */
  get preferredProfile(): PreferredProfile {
    return this.#preferredProfile;
  }

  /** The profile it receives ('none': nothing). */
  get effectiveProfile(): Profile {
    return this.#effectiveProfile;
  }

  /** The mediasoup-client consumer underneath, while received. */
  get engine(): msc.Consumer | undefined {
    return this.#engine;
  }

  /**
   * Receives it on a receive transport; resolves with the track. Rejects with
   * UnsupportedError when this device cannot receive it.
   */
  async receive(transport: Transport): Promise<MediaStreamTrack> {
    if (this.#closed)
      throw new InvalidStateError(`consumer ${this.#id} is closed: receive() is not possible`);
    if (!this.#supported)
      throw new UnsupportedError(
        `consumer ${this.#id} cannot be received: this device shares no codec with its producer`,
        this,
      );
    if (!transport || typeof transport.ensure !== 'function')
      throw new TypeError('receive() needs a Transport');
    if (transport.direction !== 'recv')
      throw new TypeError(
        `transport ${transport.id} is a send transport: consumers need a receive transport`,
      );
    if (transport.closed) throw new InvalidStateError(`transport ${transport.id} is closed`);
    if (this.#transport || this.#receiving)
      throw new InvalidStateError(`consumer ${this.#id} is already handled by a transport`);
    this.#receiving = true;
    const slot = transport.reserveConsume();
    try {
      // The enable request goes right behind the transport's creation (when
      // this is its first use) rather than after its answer: the server
      // handles a connection's requests in order, so this saves a round trip.
      const creating = transport.ensure();
      const enabling = this.#signal.enableConsumer({
        id: this.#id,
        transportId: transport.id,
        paused: this.#locallyPaused,
        preferredProfile: this.#preferredProfile,
      });
      // The transport's own error says more than the enable's refusal behind it.
      enabling.catch(() => undefined);
      const engineTransport = await creating;
      const enabled = await enabling;
      const { rtpParameters } = enabled;
      await slot.ready();
      const consumer = await engineTransport.consume({
        id: String(this.#id),
        producerId: String(this.#id),
        kind: this.#kind,
        rtpParameters: rtpParameters as msc.RtpParameters,
        streamId: `${this.#peer.name}-${this.#id}`,
      });
      if (this.#closed || transport.closed) {
        consumer.close();
        throw new InvalidStateError(
          `consumer ${this.#id} or its transport closed while it was received`,
        );
      }
      this.#engine = consumer;
      this.#transport = transport;
      this.#rtpParameters = rtpParameters;
      this.#remotelyPaused = enabled.paused;
      if (enabled.effectiveProfile) this.#effectiveProfile = enabled.effectiveProfile;
      if (this.#locallyPaused) consumer.pause();
      transport.adopt(this.#onTransportClose);
      await this.#signal.startConsumer(this.#id);
      this.#stats.attach();
      this.emitBoth('handled');
      return consumer.track;
    } finally {
      slot.cancel();
      this.#receiving = false;
    }
  }

  /** Pauses it: the server stops sending it. Returns whether it is paused. */
  pause(appData?: AppData): boolean {
    if (this.#closed) {
      log.error('pause() | consumer %s closed', this.#id);
      return false;
    }
    if (this.#locallyPaused) return true;
    this.#locallyPaused = true;
    if (this.#engine) {
      this.#engine.pause();
      this.#signal.pauseConsumer(this.#id, appData);
    }
    this.emitBoth('pause', 'local', appData);
    return true;
  }

  /** Resumes it. Returns whether media flows now (not paused on the server side either). */
  resume(appData?: AppData): boolean {
    if (this.#closed) {
      log.error('resume() | consumer %s closed', this.#id);
      return false;
    }
    if (!this.#locallyPaused) return !this.paused;
    this.#locallyPaused = false;
    if (this.#engine) {
      this.#engine.resume();
      this.#signal.resumeConsumer(this.#id, appData);
    }
    this.emitBoth('resume', 'local', appData);
    return !this.paused;
  }

  /** Sets the simulcast profile it prefers ('low', 'medium', 'high', 'default'). */
  setPreferredProfile(profile: PreferredProfile): void {
    if (this.#closed)
      throw new InvalidStateError(
        `consumer ${this.#id} is closed: setPreferredProfile() is not possible`,
      );
    if (!['default', 'low', 'medium', 'high'].includes(profile))
      throw new TypeError(`invalid profile ${String(profile)}`);
    if (profile === this.#preferredProfile) return;
    this.#preferredProfile = profile;
    if (this.#engine) this.#signal.setConsumerPreferredProfile(this.#id, profile);
  }

  /** Subscribes to its server stats: a `stats` event every `interval` ms (at least 1000). */
  enableStats(interval = 1000): void {
    if (this.#closed)
      throw new InvalidStateError(`consumer ${this.#id} is closed: enableStats() is not possible`);
    this.#stats.enable(interval);
  }

  /** Closes the subscription to stats. */
  disableStats(): void {
    this.#stats.disable();
  }

  /** @internal Paused or resumed on the server side. */
  remotePause(paused: boolean, appData: AppData | undefined): void {
    if (this.#closed || this.#remotelyPaused === paused) return;
    this.#remotelyPaused = paused;
    this.emitBoth(paused ? 'pause' : 'resume', 'remote', appData);
  }

  /** @internal The server set its preferred profile. */
  remotePreferredProfile(profile: PreferredProfile): void {
    this.#preferredProfile = profile;
  }

  /** @internal The profile it receives changed. */
  setEffectiveProfile(profile: Profile): void {
    if (this.#closed || profile === this.#effectiveProfile) return;
    this.#effectiveProfile = profile;
    this.emitBoth('effectiveprofilechange', profile);
  }

  /** @internal Server stats arrived. */
  receiveStats(stats: RtcStats[]): void {
    this.emitBoth('stats', stats);
  }

  /** @internal Its quality changed on the server. */
  receiveScore(score: number, producerScore: number): void {
    if (!this.#closed) this.emitBoth('score', score, producerScore);
  }

  /** @internal Closed by the server ('remote') or with the room ('local'). */
  remoteClose(originator: Originator): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#transport?.release(this.#onTransportClose);
    this.#stats.detach();
    this.#engine?.close();
    this.#engine = undefined;
    this.#transport = undefined;
    this.#onClosed(this);
    this.emitBoth('close', originator);
  }

  #becomeUnhandled(): void {
    if (!this.#transport) return;
    this.#transport.release(this.#onTransportClose);
    this.#transport = undefined;
    this.#stats.detach();
    this.#engine?.close();
    this.#engine = undefined;
    this.#rtpParameters = undefined;
    if (!this.#closed) this.emitBoth('unhandled');
  }
}
