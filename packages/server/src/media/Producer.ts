import type { types as ms } from '@x/mediasoup';
import type { AppData, MediaKind, RtcStats, RtpParameters } from '@x/protocol';
import { Emitter, logger } from '@x/shared';
import { InvalidStateError } from '../util/errors.js';
import type { Consumer } from './Consumer.js';
import type { Peer } from './Peer.js';
import type { PreferredProfile } from './profiles.js';
import type { Transport } from './Transport.js';

const log = logger('x:server:Producer');

/** Who acted: the server application ('local') or the client ('remote'). */
export type Originator = 'local' | 'remote';

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
 * A media track a peer sends to the room (mediasoup v2's server Producer).
 * Every other peer of the room gets a {@link Consumer} of it.
 */
export class Producer extends Emitter<ProducerEvents> {
  /** Producer id: chosen by the client (unique among its peer's producers), or by the server. */
  readonly id: number;
  /** Media kind. */
  readonly kind: MediaKind;
  /** The peer that sends it. */
  readonly peer: Peer;
  /** The transport it arrives on. */
  readonly transport: Transport;
  /** The app's data about the producer (given by its client, or by the server). */
  appData: AppData | undefined;
  /** The mediasoup producer underneath (for what this API does not cover). */
  readonly engine: ms.Producer;

  #closed = false;
  #locallyPaused = false;
  #remotelyPaused: boolean;
  #preferredProfile: PreferredProfile = 'default';
  #engineSyncScheduled = false;
  #engineSyncing = false;
  readonly #consumers = new Set<Consumer>();
  readonly #upstream: (() => Promise<void>) | undefined;
  #upstreamStarted: Promise<void> | undefined;

  /** @internal Created by its transport. */
  constructor(options: {
    id: number;
    peer: Peer;
    transport: Transport;
    engine: ms.Producer;
    appData: AppData | undefined;
    paused: boolean;
    /**
     * For a producer piped in from another node whose pipe starts paused:
     * lets its media through (called once, when a consumer here starts).
     */
    upstream?: () => Promise<void>;
  }) {
    super();
    this.id = options.id;
    this.kind = options.engine.kind;
    this.peer = options.peer;
    this.transport = options.transport;
    this.engine = options.engine;
    this.appData = options.appData;
    this.#remotelyPaused = options.paused;
    this.#upstream = options.upstream;
    this.engine.on('score', (scores: ms.ProducerScore[]) => {
      // One score per encoding, in the order of the encodings.
      const byEncoding = (this.engine.rtpParameters.encodings ?? [{}]).map(
        (e) => scores.find((s) => (e.rid ? s.rid === e.rid : s.ssrc === e.ssrc))?.score ?? 0,
      );
      this.peer.channel.producerScore(this, byEncoding);
      this.safeEmit('score', byEncoding);
    });
  }

  /**
   * @internal Lets the media of a producer piped in from another node
   * through its pipe, the first time (nothing to do for the others). Never
   * rejects: a failure is logged.
   */
  startUpstream(): Promise<void> {
    if (!this.#upstream) return Promise.resolve();
    // Never rejects: callers start it without waiting.
    this.#upstreamStarted ??= this.#upstream().catch((error: unknown) => {
      log.warn('producer %d: its pipe from another node did not start: %o', this.id, error);
    });
    return this.#upstreamStarted;
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

  /** Its consumers. */
  get consumers(): Consumer[] {
    return [...this.#consumers];
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
    this.peer.channel.producerPaused(this, appData);
    this.afterPauseChange(wasPaused, 'local', appData);
    return true;
  }

  /** Resumes it after {@link pause}. Returns whether it was paused. */
  resume(appData?: AppData): boolean {
    this.assertOpen('resume');
    if (!this.#locallyPaused) return false;
    const wasPaused = this.paused;
    this.#locallyPaused = false;
    this.peer.channel.producerResumed(this, appData);
    this.afterPauseChange(wasPaused, 'local', appData);
    return true;
  }

  /**
   * Sets the simulcast profile every consumer of this producer prefers (each
   * consumer can still choose its own afterwards).
   */
  setPreferredProfile(profile: PreferredProfile): void {
    this.assertOpen('setPreferredProfile');
    this.#preferredProfile = profile;
    for (const consumer of this.#consumers) consumer.setPreferredProfile(profile);
  }

  /** RTC stats of the incoming streams ('inbound-rtp', one per encoding). */
  async getStats(): Promise<RtcStats[]> {
    this.assertOpen('getStats');
    return (await this.engine.getStats()) as unknown as RtcStats[];
  }

  /** @internal The client paused or resumed it. */
  setRemotelyPaused(paused: boolean, appData: AppData | undefined): void {
    if (this.#closed || this.#remotelyPaused === paused) return;
    const wasPaused = this.paused;
    this.#remotelyPaused = paused;
    this.afterPauseChange(wasPaused, 'remote', appData);
  }

  /** @internal */
  addConsumer(consumer: Consumer): void {
    this.#consumers.add(consumer);
    consumer.once('close', () => this.#consumers.delete(consumer));
  }

  /**
   * @internal Closes it on behalf of `originator`. The client is told of a
   * local close, unless its transport closed too (that notification covers it:
   * the client producer becomes unhandled, as in v2).
   */
  closeWith(originator: Originator, appData?: AppData, tellClient = originator === 'local'): void {
    if (this.#closed) return;
    this.#closed = true;
    log.debug('producer %d of %s closed (%s)', this.id, this.peer.name, originator);
    if (!this.engine.closed) this.engine.close();
    for (const consumer of [...this.#consumers]) consumer.sourceClosed();
    if (tellClient && !this.peer.closed) {
      this.peer.channel.producerClosed(this, appData);
    }
    this.safeEmit('close', originator, appData);
  }

  private afterPauseChange(
    wasPaused: boolean,
    originator: Originator,
    appData: AppData | undefined,
  ): void {
    const event = this.paused ? 'pause' : 'resume';
    if (wasPaused !== this.paused) {
      this.syncEngine();
      for (const consumer of this.#consumers) consumer.sourcePauseChanged(this.paused, appData);
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
