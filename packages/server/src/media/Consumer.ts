import type { types as ms } from '@x/mediasoup';
import type {
  AppData,
  MediaKind,
  Profile,
  RtcStats,
  RtpCapabilities,
  RtpParameters,
} from '@x/protocol';
import { Emitter, logger, Observer } from '@x/shared';
import { InvalidStateError, SfuError } from '../util/errors.js';
import { plainReceiverCapabilities } from './capabilities.js';
import type { Producer } from './Producer.js';
import { layersToProfile, type PreferredProfile, profileToSpatialLayer } from './profiles.js';
import type { RoomMember } from './RoomMember.js';
import type { TransportRef } from './TransportRef.js';
import { createdInTime } from './workerRequests.js';

const log = logger('x:server:Consumer');

/** Who paused or resumed a consumer: the server app, its client, or its producer. */
export type ConsumerOriginator = 'local' | 'remote' | 'source';

/** Events of a {@link Consumer}. */
export type ConsumerEvents = {
  /** The consumer was closed (its producer, peer or transport is gone, or the app closed it). */
  close: [];
  /** The consumer was paused. */
  pause: [originator: ConsumerOriginator, appData: AppData | undefined];
  /** The consumer was resumed. */
  resume: [originator: ConsumerOriginator, appData: AppData | undefined];
  /** The profile it receives changed. */
  effectiveprofilechange: [profile: Profile];
  /** It was enabled on a transport. */
  handled: [];
  /** Its transport closed: it can be enabled on another. */
  unhandled: [];
  /** Its quality changed: as the server sends it (0-10), and as the producer's stream arrives (0-10). */
  score: [score: number, producerScore: number];
};

/**
 * Events of a consumer's {@link Consumer.observer}: those of the consumer,
 * plus changes of the profile it prefers.
 */
export type ConsumerObserverEvents = ConsumerEvents & {
  /** The profile it prefers was set: by the server app ('local') or by its client ('remote'). */
  preferredprofilechange: [profile: PreferredProfile, originator: 'local' | 'remote'];
};

/**
 * @internal How a consumer reaches its producer's media: the room pipes the
 * producer to the router of the consumer's transport when it lives on
 * another one (see RoomRouters).
 */
export interface ConsumerPipes {
  /**
   * Makes the producer available on `router` for this consumer; resolves
   * with what gives that use back. A new pipe carries media once `flow` is
   * called, or at once unless `held`.
   */
  acquire(producer: Producer, router: ms.Router, options: { held: boolean }): Promise<() => void>;
  /** Lets the producer's media through to `router` (a consumer there starts). */
  flow(producer: Producer, router: ms.Router): Promise<void>;
}

/**
 * @internal What the owner of a consumer hears of it, apart from its events:
 * a peer passes its consumers' changes on through its own observer, where one
 * watcher per peer serves all of them (see Peer's observer events).
 */
export interface ConsumerHooks {
  /** It closed. */
  closed(consumer: Consumer): void;
  /** It was paused or resumed (by the app, its client, or its producer). */
  paused(
    consumer: Consumer,
    paused: boolean,
    originator: ConsumerOriginator,
    appData: AppData | undefined,
  ): void;
  /** The profile it prefers was set: by the server app ('local') or its client ('remote'). */
  preferredProfileChanged(
    consumer: Consumer,
    profile: PreferredProfile,
    originator: 'local' | 'remote',
  ): void;
  /** The profile it receives changed. */
  effectiveProfileChanged(consumer: Consumer, profile: Profile): void;
  /** Its quality changed. */
  score(consumer: Consumer, score: number, producerScore: number): void;
}

/** Hooks for a consumer whose owner needs to hear only of its close. */
export function closeOnlyHooks(closed: (consumer: Consumer) => void): ConsumerHooks {
  const nothing = () => undefined;
  return {
    closed,
    paused: nothing,
    preferredProfileChanged: nothing,
    effectiveProfileChanged: nothing,
    score: nothing,
  };
}

/**
 * A producer as one receiver gets it (mediasoup v2's server Consumer). A
 * consumer exists as soon as its peer can see the producer; media flows once
 * its client enables it on a receive transport and starts it.
 */
export class Consumer extends Emitter<ConsumerEvents> {
  /** Consumer id (chosen by the server, unique in the room). */
  readonly id: number;
  /** The producer it receives. */
  readonly source: Producer;
  /** The receiving peer (undefined for an RtpStreamer's consumer). */
  readonly peer: RoomMember | undefined;
  /** Whether the receiver's capabilities share a codec with the producer. */
  readonly supported: boolean;

  #closed = false;
  #engine: ms.Consumer | undefined;
  #transport: TransportRef | undefined;
  #rtpCapabilities: RtpCapabilities;
  #locallyPaused = false;
  #remotelyPaused = false;
  #started = false;
  #syncing = false;
  /** Gives back its use of the pipe that brings the producer to its router (if any). */
  #release: () => void = () => undefined;
  #preferredProfile: PreferredProfile;
  #effectiveProfile: Profile = 'none';
  readonly #pipes: ConsumerPipes;
  readonly #hooks: ConsumerHooks;
  #observer: Observer<ConsumerObserverEvents> | undefined;

  /** @internal Created by its peer (or by an RtpStreamer). */
  constructor(options: {
    id: number;
    source: Producer;
    peer: RoomMember | undefined;
    rtpCapabilities: RtpCapabilities;
    supported: boolean;
    pipes: ConsumerPipes;
    hooks: ConsumerHooks;
  }) {
    super();
    this.id = options.id;
    this.source = options.source;
    this.peer = options.peer;
    this.supported = options.supported;
    this.#rtpCapabilities = options.rtpCapabilities;
    this.#preferredProfile = options.source.preferredProfile;
    this.#pipes = options.pipes;
    this.#hooks = options.hooks;
  }

  /**
   * What the server's own subsystems watch (see {@link ConsumerObserverEvents}).
   * Made on first use: a room's consumers are many, and the signaling layer
   * hears of them through their peer's observer, so most never need one.
   */
  get observer(): Observer<ConsumerObserverEvents> {
    this.#observer ??= new Observer<ConsumerObserverEvents>();
    return this.#observer;
  }

  /** Whether it is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Media kind. */
  get kind(): MediaKind {
    return this.source.kind;
  }

  /** The producer's appData (v2: a consumer carries its producer's). */
  get appData(): AppData | undefined {
    return this.source.appData;
  }

  /** The transport it is enabled on, if any. */
  get transport(): TransportRef | undefined {
    return this.#transport;
  }

  /** The mediasoup consumer underneath, once enabled. */
  get engine(): ms.Consumer | undefined {
    return this.#engine;
  }

  /** Whether it is enabled on a transport. */
  get enabled(): boolean {
    return this.#engine !== undefined;
  }

  /** RTP parameters the server sends with (once enabled). */
  get rtpParameters(): RtpParameters | undefined {
    return this.#engine?.rtpParameters as RtpParameters | undefined;
  }

  /** Whether the server application paused it. */
  get locallyPaused(): boolean {
    return this.#locallyPaused;
  }

  /** Whether its client paused it. */
  get remotelyPaused(): boolean {
    return this.#remotelyPaused;
  }

  /** Whether its producer is paused. */
  get sourcePaused(): boolean {
    return this.source.paused;
  }

  /** Whether no media flows for any of those reasons. */
  get paused(): boolean {
    return this.#locallyPaused || this.#remotelyPaused || this.source.paused;
  }

  /** Paused as the client sees it from the server side: by the server app or the producer. */
  get pausedByServer(): boolean {
    return this.#locallyPaused || this.source.paused;
  }

  /** The simulcast profile it prefers. */
  get preferredProfile(): PreferredProfile {
    return this.#preferredProfile;
  }

  /** The profile it receives ('none' while nothing flows). */
  get effectiveProfile(): Profile {
    return this.#effectiveProfile;
  }

  /** Closes it; its client is told (`consumerClosed`). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    log.debug('consumer %d closed', this.id);
    if (this.#engine && !this.#engine.closed) this.#engine.close();
    this.#engine = undefined;
    this.#release();
    this.#hooks.closed(this);
    this.#observer?.notify('close');
    this.safeEmit('close');
  }

  /** Pauses it from the server: its client is told (`consumerPaused`). Returns whether it was not already. */
  pause(appData?: AppData): boolean {
    this.assertOpen('pause');
    if (this.#locallyPaused) return false;
    this.#locallyPaused = true;
    this.syncEngine();
    this.#hooks.paused(this, true, 'local', appData);
    this.#observer?.notify('pause', 'local', appData);
    this.safeEmit('pause', 'local', appData);
    return true;
  }

  /** Resumes it after {@link pause}. Returns whether it was paused. */
  resume(appData?: AppData): boolean {
    this.assertOpen('resume');
    if (!this.#locallyPaused) return false;
    this.#locallyPaused = false;
    this.syncEngine();
    this.#hooks.paused(this, false, 'local', appData);
    this.#observer?.notify('resume', 'local', appData);
    this.safeEmit('resume', 'local', appData);
    return true;
  }

  /** Sets the simulcast profile it prefers; its client is told (`consumerPreferredProfileSet`). */
  setPreferredProfile(profile: PreferredProfile): void {
    this.assertOpen('setPreferredProfile');
    this.preferProfile(profile, 'local');
  }

  /** Asks the producer for a key frame. */
  async requestKeyFrame(): Promise<void> {
    this.assertOpen('requestKeyFrame');
    await this.#engine?.requestKeyFrame();
  }

  /** RTC stats: its outgoing stream ('outbound-rtp') and its producer's ('inbound-rtp'). */
  async getStats(): Promise<RtcStats[]> {
    this.assertOpen('getStats');
    if (!this.#engine) return [];
    return (await this.#engine.getStats()) as unknown as RtcStats[];
  }

  /**
   * @internal Enables it on a transport: creates the engine consumer, paused
   * until {@link start} (so that the client's receiver exists when the first
   * key frame comes).
   */
  async enable(
    transport: TransportRef,
    options: { paused: boolean; preferredProfile?: PreferredProfile; started?: boolean },
  ): Promise<void> {
    this.assertOpen('enable');
    if (!this.supported) {
      throw new SfuError(
        'UNSUPPORTED',
        `consumer ${this.id} cannot be received: no codec in common with its producer`,
      );
    }
    if (this.#engine) this.disable();
    if (options.preferredProfile) this.#preferredProfile = options.preferredProfile;
    this.#remotelyPaused = options.paused;
    this.#started = options.started ?? false;
    // The producer, piped to the transport's router if it lives on another
    // one; a new pipe carries media once this consumer starts (driveEngine).
    const release = await this.#pipes.acquire(this.source, transport.router, { held: true });
    let engine: ms.Consumer;
    try {
      engine = await createdInTime('consumer', () =>
        transport.engine.consume({
          producerId: this.source.engine.id,
          // A plain receiver gets exactly the stream described: no bandwidth probing of its own.
          rtpCapabilities: (transport.type === 'plain'
            ? plainReceiverCapabilities(this.#rtpCapabilities)
            : this.#rtpCapabilities) as ms.RtpCapabilities,
          paused: true,
          preferredLayers: this.source.simulcast
            ? { spatialLayer: this.spatialLayer() }
            : undefined,
        }),
      );
    } catch (error) {
      release();
      throw error;
    }
    if (this.#closed) {
      engine.close();
      release();
      throw new InvalidStateError(`consumer ${this.id} closed while being enabled`);
    }
    this.#release = release;
    this.#engine = engine;
    this.#transport = transport;
    this.#effectiveProfile = this.source.simulcast ? 'none' : 'default';
    engine.on('layerschange', (layers) =>
      this.setEffectiveProfile(layersToProfile(layers, this.source.layerCount)),
    );
    engine.on('score', ({ score, producerScore }: ms.ConsumerScore) => {
      this.#hooks.score(this, score, producerScore);
      this.#observer?.notify('score', score, producerScore);
      this.safeEmit('score', score, producerScore);
    });
    engine.on('transportclose', () => this.disable());
    engine.on('producerclose', () => this.sourceClosed());
    this.syncEngine();
    this.#observer?.notify('handled');
    this.safeEmit('handled');
  }

  /** @internal The client's receiver is ready: forward media unless paused, starting with a key frame. */
  start(): void {
    this.assertOpen('start');
    if (!this.#engine)
      throw new InvalidStateError(
        `consumer ${this.id} is not enabled: enable it on a transport first`,
      );
    const first = !this.#started;
    this.#started = true;
    this.syncEngine();
    // The engine reports a score when it changes: a stream fine from its start would never get one.
    if (first) {
      const { score, producerScore } = this.#engine.score;
      this.#hooks.score(this, score, producerScore);
      this.#observer?.notify('score', score, producerScore);
    }
  }

  /** @internal The client paused or resumed it. */
  setRemotelyPaused(paused: boolean, appData: AppData | undefined): void {
    if (this.#closed || this.#remotelyPaused === paused) return;
    this.#remotelyPaused = paused;
    this.syncEngine();
    this.#hooks.paused(this, paused, 'remote', appData);
    this.#observer?.notify(paused ? 'pause' : 'resume', 'remote', appData);
    this.safeEmit(paused ? 'pause' : 'resume', 'remote', appData);
  }

  /** @internal The client set its preferred profile. */
  applyPreferredProfile(profile: PreferredProfile): void {
    this.preferProfile(profile, 'remote');
  }

  private preferProfile(profile: PreferredProfile, originator: 'local' | 'remote'): void {
    this.#preferredProfile = profile;
    this.#hooks.preferredProfileChanged(this, profile, originator);
    this.#observer?.notify('preferredprofilechange', profile, originator);
    if (this.#engine && this.source.simulcast) {
      this.#engine
        .setPreferredLayers({ spatialLayer: this.spatialLayer() })
        .catch((error: unknown) => {
          log.warn('setPreferredLayers of consumer %d failed: %o', this.id, error);
        });
    }
  }

  /** @internal Its producer paused or resumed. */
  sourcePauseChanged(paused: boolean, appData: AppData | undefined): void {
    if (this.#closed) return;
    this.#hooks.paused(this, paused, 'source', appData);
    this.#observer?.notify(paused ? 'pause' : 'resume', 'source', appData);
    this.safeEmit(paused ? 'pause' : 'resume', 'source', appData);
  }

  /** @internal Its producer closed. */
  sourceClosed(): void {
    // On the producer's own router the worker closed this engine consumer with
    // its producer: closing it again would only make the worker log
    // "Consumer not found". mediasoup's 'producerclose' tidies its JS side.
    if (this.#engine?.producerId === this.source.engine.id && this.source.engine.closed)
      this.#engine = undefined;
    this.close();
  }

  private disable(): void {
    const engine = this.#engine;
    if (!engine) return;
    this.#engine = undefined;
    this.#transport = undefined;
    this.#started = false;
    if (!engine.closed) engine.close();
    this.#release();
    this.setEffectiveProfile('none');
    if (this.#closed) return;
    this.#observer?.notify('unhandled');
    this.safeEmit('unhandled');
  }

  private spatialLayer(): number {
    return profileToSpatialLayer(this.#preferredProfile, this.source.layerCount);
  }

  private setEffectiveProfile(profile: Profile): void {
    if (profile === this.#effectiveProfile) return;
    this.#effectiveProfile = profile;
    if (this.#closed) return;
    this.#hooks.effectiveProfileChanged(this, profile);
    this.#observer?.notify('effectiveprofilechange', profile);
    this.safeEmit('effectiveprofilechange', profile);
  }

  /** Pauses or resumes the engine consumer to match the state: media flows only when started and not paused here. */
  private syncEngine(): void {
    // One pause or resume in flight at a time; after each, the state is read
    // again. The engine's `paused` changes only when the worker has answered,
    // so deciding from it while a call is under way would lose a change.
    if (this.#syncing) return;
    this.#syncing = true;
    this.driveEngine()
      .catch((error: unknown) =>
        log.warn('engine pause/resume of consumer %d failed: %o', this.id, error),
      )
      .finally(() => {
        this.#syncing = false;
      });
  }

  private async driveEngine(): Promise<void> {
    for (;;) {
      const engine = this.#engine;
      if (!engine || engine.closed) return;
      const shouldPause = this.#locallyPaused || this.#remotelyPaused || !this.#started;
      if (shouldPause === engine.paused) return;
      if (shouldPause) {
        await engine.pause();
      } else {
        // The worker asks the producer for a key frame itself when a consumer
        // resumes; over a pipe that does not carry media yet, that request
        // ends at the pipe, whose own start asks for the key frame instead.
        await engine.resume();
        const router = this.#transport?.router;
        if (router) await this.#pipes.flow(this.source, router);
      }
    }
  }

  private assertOpen(method: string): void {
    if (this.#closed)
      throw new InvalidStateError(`consumer ${this.id} is closed: ${method}() is not possible`);
  }
}
