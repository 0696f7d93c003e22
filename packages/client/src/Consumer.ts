import {
  type AppData,
  type MediaKind,
  optionalJsonToMessage,
  type Profile,
  profile as profileEnum,
  type RtcStats,
  type RtpParameters,
  requiredRtpParametersFromMessage,
} from '@x/protocol';
import { Emitter, logger } from '@x/shared';
import type { types as msc } from 'mediasoup-client';
import { InvalidStateError, UnsupportedError } from './errors.js';
import type { Originator, Peer } from './Peer.js';
import type { Signal } from './Signal.js';
import type { Transport } from './Transport.js';

const log = logger('x:client:Consumer');

/** A simulcast profile a consumer can prefer. */
export type PreferredProfile = Exclude<Profile, 'none'>;

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
};

/** @internal What the server said of a consumer. */
export interface ConsumerData {
  id: number;
  kind: MediaKind;
  paused: boolean;
  preferredProfile: PreferredProfile;
  effectiveProfile: Profile;
  appData: AppData | undefined;
  supported: boolean;
  simulcast: boolean;
}

/**
 * A remote peer's producer as this client receives it (mediasoup-client
 * v2's Consumer). Call `receive(transport)` to get its track.
 */
export class Consumer extends Emitter<ConsumerEvents> {
  /** Consumer id (chosen by the server). */
  readonly id: number;
  /** Media kind. */
  readonly kind: MediaKind;
  /** The peer whose producer it receives. */
  readonly peer: Peer;
  /** The producer's appData. */
  readonly appData: AppData | undefined;
  /** Whether this device can receive it. */
  readonly supported: boolean;
  /** Whether its producer sends simulcast (profiles apply). */
  readonly simulcast: boolean;

  #closed = false;
  #transport: Transport | undefined;
  #engine: msc.Consumer | undefined;
  #rtpParameters: RtpParameters | undefined;
  #locallyPaused = false;
  #remotelyPaused: boolean;
  #preferredProfile: PreferredProfile;
  #effectiveProfile: Profile;
  #receiving = false;
  #statsInterval: number | undefined;
  readonly #signal: Signal;
  readonly #onTransportClose = () => this.becomeUnhandled();

  /** @internal Created by the room from what the server announced. */
  constructor(data: ConsumerData, peer: Peer, signal: Signal) {
    super();
    this.id = data.id;
    this.kind = data.kind;
    this.peer = peer;
    this.appData = data.appData;
    this.supported = data.supported;
    this.simulcast = data.simulcast;
    this.#remotelyPaused = data.paused;
    this.#preferredProfile = data.preferredProfile;
    this.#effectiveProfile = data.effectiveProfile;
    this.#signal = signal;
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
      throw new InvalidStateError(`consumer ${this.id} is closed: receive() is not possible`);
    if (!this.supported)
      throw new UnsupportedError(
        `consumer ${this.id} cannot be received: this device shares no codec with its producer`,
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
      throw new InvalidStateError(`consumer ${this.id} is already handled by a transport`);
    this.#receiving = true;
    try {
      const engineTransport = await transport.ensure();
      const response = await this.#signal.request({
        enableConsumer: {
          id: this.id,
          transportId: transport.id,
          paused: this.#locallyPaused,
          preferredProfile: profileEnum.toMessage(this.#preferredProfile, 'preferredProfile'),
        },
      });
      const enabled = response.enableConsumer!;
      const rtpParameters = requiredRtpParametersFromMessage(
        enabled.rtpParameters,
        'rtpParameters',
      );
      const consumer = await engineTransport.consume({
        id: String(this.id),
        producerId: String(this.id),
        kind: this.kind,
        rtpParameters: rtpParameters as msc.RtpParameters,
        streamId: `${this.peer.name}-${this.id}`,
      });
      if (this.#closed || transport.closed) {
        consumer.close();
        throw new InvalidStateError(
          `consumer ${this.id} or its transport closed while it was received`,
        );
      }
      this.#engine = consumer;
      this.#transport = transport;
      this.#rtpParameters = rtpParameters;
      this.#remotelyPaused = enabled.paused;
      if (enabled.effectiveProfile)
        this.#effectiveProfile = profileEnum.fromMessage(
          enabled.effectiveProfile,
          'effectiveProfile',
        );
      if (this.#locallyPaused) consumer.pause();
      transport.once('close', this.#onTransportClose);
      await this.#signal.request({ startConsumer: { id: this.id } });
      if (this.#statsInterval !== undefined)
        this.#signal.notify({
          enableConsumerStats: { id: this.id, intervalMs: this.#statsInterval },
        });
      this.safeEmit('handled');
      return consumer.track;
    } finally {
      this.#receiving = false;
    }
  }

  /** Pauses it: the server stops sending it. Returns whether it is paused. */
  pause(appData?: AppData): boolean {
    if (this.#closed) {
      log.error('pause() | consumer %d closed', this.id);
      return false;
    }
    if (this.#locallyPaused) return true;
    this.#locallyPaused = true;
    if (this.#engine) {
      this.#engine.pause();
      this.#signal.notify({
        pauseConsumer: { id: this.id, appData: optionalJsonToMessage(appData) },
      });
    }
    this.safeEmit('pause', 'local', appData);
    return true;
  }

  /** Resumes it. Returns whether media flows now (not paused on the server side either). */
  resume(appData?: AppData): boolean {
    if (this.#closed) {
      log.error('resume() | consumer %d closed', this.id);
      return false;
    }
    if (!this.#locallyPaused) return !this.paused;
    this.#locallyPaused = false;
    if (this.#engine) {
      this.#engine.resume();
      this.#signal.notify({
        resumeConsumer: { id: this.id, appData: optionalJsonToMessage(appData) },
      });
    }
    this.safeEmit('resume', 'local', appData);
    return !this.paused;
  }

  /** Sets the simulcast profile it prefers ('low', 'medium', 'high', 'default'). */
  setPreferredProfile(profile: PreferredProfile): void {
    if (this.#closed)
      throw new InvalidStateError(
        `consumer ${this.id} is closed: setPreferredProfile() is not possible`,
      );
    if (!['default', 'low', 'medium', 'high'].includes(profile))
      throw new TypeError(`invalid profile ${String(profile)}`);
    if (profile === this.#preferredProfile) return;
    this.#preferredProfile = profile;
    if (this.#engine) {
      this.#signal.notify({
        setConsumerPreferredProfile: {
          id: this.id,
          profile: profileEnum.toMessage(profile, 'profile'),
        },
      });
    }
  }

  /** Subscribes to its server stats: a `stats` event every `interval` ms (at least 1000). */
  enableStats(interval = 1000): void {
    if (this.#closed)
      throw new InvalidStateError(`consumer ${this.id} is closed: enableStats() is not possible`);
    this.#statsInterval = interval;
    if (this.#engine)
      this.#signal.notify({ enableConsumerStats: { id: this.id, intervalMs: interval } });
  }

  /** Closes the subscription to stats. */
  disableStats(): void {
    const was = this.#statsInterval;
    this.#statsInterval = undefined;
    if (this.#engine && was !== undefined && !this.#closed)
      this.#signal.notify({ disableConsumerStats: { id: this.id } });
  }

  /** @internal Paused or resumed on the server side. */
  remotePause(paused: boolean, appData: AppData | undefined): void {
    if (this.#closed || this.#remotelyPaused === paused) return;
    this.#remotelyPaused = paused;
    this.safeEmit(paused ? 'pause' : 'resume', 'remote', appData);
  }

  /** @internal The server set its preferred profile. */
  remotePreferredProfile(profile: PreferredProfile): void {
    this.#preferredProfile = profile;
  }

  /** @internal The profile it receives changed. */
  setEffectiveProfile(profile: Profile): void {
    if (this.#closed || profile === this.#effectiveProfile) return;
    this.#effectiveProfile = profile;
    this.safeEmit('effectiveprofilechange', profile);
  }

  /** @internal Server stats arrived. */
  receiveStats(stats: RtcStats[]): void {
    this.safeEmit('stats', stats);
  }

  /** @internal Closed by the server ('remote') or with the room ('local'). */
  remoteClose(originator: Originator): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#transport?.off('close', this.#onTransportClose);
    this.#engine?.close();
    this.#engine = undefined;
    this.#transport = undefined;
    this.safeEmit('close', originator);
  }

  private becomeUnhandled(): void {
    if (!this.#transport) return;
    this.#transport.off('close', this.#onTransportClose);
    this.#transport = undefined;
    this.#engine?.close();
    this.#engine = undefined;
    this.#rtpParameters = undefined;
    if (!this.#closed) this.safeEmit('unhandled');
  }
}
