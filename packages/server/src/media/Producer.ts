import type { types as ms } from '@x/mediasoup';
import type { AppData, MediaKind, RtcStats, RtpParameters } from '@x/protocol';
import { Emitter, logger, Observer } from '@x/shared';
import { InvalidStateError } from '../util/errors.js';
import type { Originator } from './Originator.js';
import type { PreferredProfile } from './profiles.js';
import type { RoomMember } from './RoomMember.js';
import type { TransportRef } from './TransportRef.js';

const log = logger('x:server:Producer');

export type { Originator } from './Originator.js';

/** Events of a {@link Producer}. */
export type ProducerEvents = {
  /** The producer was closed (by the app, by its client, or with its transport or peer). */
  close: [originator: Originator, appData: AppData | undefined];
  /** The producer was paused. */
  pause: [originator: Originator, appData: AppData | undefined];
  /** The producer was resumed. */
  resume: [originator: Originator, appData: AppData | undefined];
  /** Its quality as the server receives it changed: one score (0-10) per encoding. */
  score: [scores: number[]];
};

/**
 * Events of a producer's {@link Producer.observer}: those of the producer,
 * plus the profile the app set for its consumers.
 */
export type ProducerObserverEvents = ProducerEvents & {
  /** The app set the profile its consumers prefer (`setPreferredProfile`). */
  preferredprofilechange: [profile: PreferredProfile];
};

/**
 * @internal What the creator of a producer hears of it, apart from its
 * events (which an app may remove): the room's consumers of it follow it.
 */
export interface ProducerHooks {
  /** It became paused or resumed (by either side). */
  pauseChanged(producer: Producer, appData: AppData | undefined): void;
  /** The app set the profile its consumers prefer. */
  preferredProfileSet(producer: Producer, profile: PreferredProfile): void;
  /** It closed. */
  closed(producer: Producer): void;
}

/**
 * A media track a member of the room sends (mediasoup v2's server Producer).
 * Every other peer of the room gets a {@link Consumer} of it.
 */
export class Producer extends Emitter<ProducerEvents> {
  /** Producer id: chosen by the client (unique among its peer's producers), or by the server. */
  readonly id: number;
  /** Media kind. */
  readonly kind: MediaKind;
  /** The member of the room that sends it (a Peer of this server, or a peer of another node). */
  readonly peer: RoomMember;
  /** The transport it arrives on. */
  readonly transport: TransportRef;
  /** The app's data about the producer (given by its client, or by the server). */
  appData: AppData | undefined;
  /** The mediasoup producer underneath (for what this API does not cover). */
  readonly engine: ms.Producer;
  /** What the server's own subsystems watch (see {@link ProducerObserverEvents}). */
  readonly observer = new Observer<ProducerObserverEvents>();

  #closed = false;
  #locallyPaused = false;
  #remotelyPaused: boolean;
  #preferredProfile: PreferredProfile = 'default';
  #engineSyncScheduled = false;
  #engineSyncing = false;
  readonly #hooks: ProducerHooks;

  /** @internal Created by its peer (or, for a peer of another node, by the cluster). */
  constructor(options: {
    id: number;
    peer: RoomMember;
    transport: TransportRef;
    engine: ms.Producer;
    appData: AppData | undefined;
    paused: boolean;
    hooks: ProducerHooks;
  }) {
    super();
    this.id = options.id;
    this.kind = options.engine.kind;
    this.peer = options.peer;
    this.transport = options.transport;
    this.engine = options.engine;
    this.appData = options.appData;
    this.#remotelyPaused = options.paused;
    this.#hooks = options.hooks;
    this.engine.on('score', (scores: ms.ProducerScore[]) => {
      // One score per encoding, in the order of the encodings.
      const byEncoding = (this.engine.rtpParameters.encodings ?? [{}]).map(
        (e) => scores.find((s) => (e.rid ? s.rid === e.rid : s.ssrc === e.ssrc))?.score ?? 0,
      );
      this.observer.notify('score', byEncoding);
      this.safeEmit('score', byEncoding);
    });
  }

  /** Whether the producer is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** RTP parameters the client sends with. */
  get rtpParameters(): RtpParameters {
    return this.engine.rtpParameters as RtpParameters;
  }

  /** Whether the server application paused it. */
  get locallyPaused(): boolean {
    return this.#locallyPaused;
  }

  /** Whether its client paused it. */
  get remotelyPaused(): boolean {
    return this.#remotelyPaused;
  }

  /** Whether it is paused by either side. */
  get paused(): boolean {
    return this.#locallyPaused || this.#remotelyPaused;
  }

  /** Number of simulcast streams it sends (1 without simulcast). */
  get layerCount(): number {
    return Math.max(1, this.engine.rtpParameters.encodings?.length ?? 1);
  }

  /** Whether it sends simulcast. */
  get simulcast(): boolean {
    return this.layerCount > 1;
  }

  /** The profile its consumers prefer unless they choose their own. */
  get preferredProfile(): PreferredProfile {
    return this.#preferredProfile;
  }

  /** Closes the producer: its client is told (`producerClosed`) and its consumers close. */
  close(appData?: AppData): void {
    this.closeWith('local', appData);
  }

  /** Pauses it: its client is told (`producerPaused`) and its consumers pause. Returns whether it was not already. */
  pause(appData?: AppData): boolean {
    this.assertOpen('pause');
    if (this.#locallyPaused) return false;
    const wasPaused = this.paused;
    this.#locallyPaused = true;
    this.afterPauseChange(wasPaused, 'pause', 'local', appData);
    return true;
  }

  /** Resumes it after {@link pause}. Returns whether it was paused. */
  resume(appData?: AppData): boolean {
    this.assertOpen('resume');
    if (!this.#locallyPaused) return false;
    const wasPaused = this.paused;
    this.#locallyPaused = false;
    this.afterPauseChange(wasPaused, 'resume', 'local', appData);
    return true;
  }

  /**
   * Sets the simulcast profile every consumer of this producer prefers (each
   * consumer can still choose its own afterwards).
   */
  setPreferredProfile(profile: PreferredProfile): void {
    this.assertOpen('setPreferredProfile');
    this.#preferredProfile = profile;
    this.#hooks.preferredProfileSet(this, profile);
    this.observer.notify('preferredprofilechange', profile);
  }

  /** RTC stats of the incoming streams ('inbound-rtp', one per encoding). */
  async getStats(): Promise<RtcStats[]> {
    this.assertOpen('getStats');
    return (await this.engine.getStats()) as unknown as RtcStats[];
  }

  /** @internal The client paused or resumed it (or, for a producer of another node, its node). */
  setRemotelyPaused(paused: boolean, appData: AppData | undefined): void {
    if (this.#closed || this.#remotelyPaused === paused) return;
    const wasPaused = this.paused;
    this.#remotelyPaused = paused;
    this.afterPauseChange(wasPaused, paused ? 'pause' : 'resume', 'remote', appData);
  }

  /**
   * @internal Closes it on behalf of `originator`: its consumers close, and
   * its client is told of a local close unless its transport closed too
   * (that notification covers it: the client producer becomes unhandled, as
   * in v2).
   */
  closeWith(originator: Originator, appData?: AppData): void {
    if (this.#closed) return;
    this.#closed = true;
    log.debug('producer %d of %s closed (%s)', this.id, this.peer.name, originator);
    if (!this.engine.closed) this.engine.close();
    this.#hooks.closed(this);
    this.observer.notify('close', originator, appData);
    this.safeEmit('close', originator, appData);
  }

  /**
   * After `action` by `originator`: the observer hears the action itself (a
   * local resume while the client keeps it paused is still a resume to tell
   * the client of); the app's event says the state it is in.
   */
  private afterPauseChange(
    wasPaused: boolean,
    action: 'pause' | 'resume',
    originator: Originator,
    appData: AppData | undefined,
  ): void {
    const event = this.paused ? 'pause' : 'resume';
    this.observer.notify(action, originator, appData);
    if (wasPaused !== this.paused) {
      this.syncEngine();
      this.#hooks.pauseChanged(this, appData);
    }
    this.safeEmit(event, originator, appData);
  }

  /**
   * Brings the engine producer to this producer's state, after the current
   * turn of the event loop. Nobody waits for it (peers are told at once), and
   * deferring it lets the engine requests of every message handled in one
   * turn reach the worker together: it then reads them in one wake-up instead
   * of one each, which is most of what such a small request costs it. A pause
   * and resume within one turn cost the worker nothing.
   */
  private syncEngine(): void {
    if (this.#engineSyncScheduled) return;
    this.#engineSyncScheduled = true;
    setImmediate(() => {
      this.#engineSyncScheduled = false;
      this.driveEngine();
    });
  }

  private driveEngine(): void {
    // One request in flight at a time; after each, the state is read again
    // (the engine's `paused` changes only when the worker has answered).
    if (this.#engineSyncing) return;
    this.#engineSyncing = true;
    const drive = async () => {
      while (!this.engine.closed && this.engine.paused !== this.paused) {
        await (this.paused ? this.engine.pause() : this.engine.resume());
      }
    };
    drive()
      .catch((error: unknown) => {
        log.warn('engine pause/resume of producer %d failed: %o', this.id, error);
      })
      .finally(() => {
        this.#engineSyncing = false;
      });
  }

  private assertOpen(method: string): void {
    if (this.#closed)
      throw new InvalidStateError(`producer ${this.id} is closed: ${method}() is not possible`);
  }
}
