import type { types as ms } from '@x/mediasoup';
import { Emitter, Observer } from '@x/shared';
import type { Producer } from './Producer.js';
import type { RoomMember } from './RoomMember.js';
import type { RoomRouters } from './RoomRouters.js';

/** Events of an {@link ActiveSpeakerDetector}. */
export type ActiveSpeakerDetectorEvents = {
  /** A new member of the room is the dominant speaker, through this audio producer. */
  activespeakerchange: [peer: RoomMember, producer: Producer];
  /** The detector was closed (by the app or with its room). */
  close: [];
};

/**
 * Detects the dominant speaker among a room's audio producers (mediasoup
 * v2's ActiveSpeakerDetector, on mediasoup 3's ActiveSpeakerObserver).
 * Created by `room.createActiveSpeakerDetector()`. A paused (muted) producer
 * is not watched: when the speaker mutes, whoever is still talking becomes
 * the speaker within the observer's next check (300 ms).
 */
export class ActiveSpeakerDetector extends Emitter<ActiveSpeakerDetectorEvents> {
  /** What the server's own subsystems watch: the same events as the detector's. */
  readonly observer = new Observer<ActiveSpeakerDetectorEvents>();
  readonly #observer: ms.ActiveSpeakerObserver;
  readonly #producers = new Map<string, Producer>();
  readonly #releases = new Map<Producer, () => void>();
  readonly #watches = new Map<Producer, Watch>();
  readonly #routers: RoomRouters;
  readonly #router: ms.Router;
  #closed = false;

  /** @internal Created by `room.createActiveSpeakerDetector()` on one router of the room. */
  constructor(observer: ms.ActiveSpeakerObserver, routers: RoomRouters, router: ms.Router) {
    super();
    this.#observer = observer;
    this.#routers = routers;
    this.#router = router;
    observer.on('dominantspeaker', ({ producer }: { producer: ms.Producer }) => {
      const ours = this.#producers.get(producer.id);
      if (!ours) return;
      this.observer.notify('activespeakerchange', ours.peer, ours);
      this.safeEmit('activespeakerchange', ours.peer, ours);
    });
    observer.observer.once('close', () => this.close());
  }

  /** Whether it is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops detecting. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#observer.closed) this.#observer.close();
    // Every producer with a pipe use is watched: unwatching gives it back.
    for (const producer of [...this.#watches.keys()]) this.unwatch(producer);
    this.observer.notify('close');
    this.safeEmit('close');
  }

  /**
   * @internal Watches an audio producer of the room (piped to the
   * detector's router if it lives on another one) while it is not paused.
   */
  addProducer(producer: Producer): void {
    if (this.#closed || producer.kind !== 'audio' || producer.closed) return;
    this.#producers.set(producer.engine.id, producer);
    const watch: Watch = { observed: false, queue: Promise.resolve(), sync: () => undefined };
    watch.sync = () => this.sync(producer, watch);
    this.#watches.set(producer, watch);
    producer.observer.on('pause', watch.sync);
    producer.observer.on('resume', watch.sync);
    producer.observer.once('close', () => {
      this.#producers.delete(producer.engine.id);
      this.unwatch(producer);
    });
    this.#routers
      .acquire(producer, this.#router)
      .then((release) => {
        if (this.#closed || producer.closed) return release();
        this.#releases.set(producer, release);
        watch.sync();
      })
      .catch(() => undefined);
  }

  /**
   * Puts a producer in the observer, or takes it out, to match its state: a
   * paused producer sends no audio and is not watched. mediasoup's observer
   * keeps a dominant speaker who mutes until another speaker outscores the
   * second of speech it last had, which took from one to more than fifteen
   * seconds with two browsers; taken out, the one left speaking is the
   * dominant speaker at the next check (300 ms). Changes are made one at a
   * time per producer.
   */
  private sync(producer: Producer, watch: Watch): void {
    watch.queue = watch.queue
      .then(async () => {
        const wanted =
          !this.#closed && !producer.closed && !producer.paused && this.#releases.has(producer);
        if (wanted === watch.observed || this.#observer.closed) return;
        const producerId = producer.engine.id;
        if (wanted) await this.#observer.addProducer({ producerId });
        else await this.#observer.removeProducer({ producerId });
        watch.observed = wanted;
      })
      // A producer or observer closed meanwhile: nothing left to change.
      .catch(() => undefined);
  }

  private unwatch(producer: Producer): void {
    const watch = this.#watches.get(producer);
    if (watch) {
      producer.observer.off('pause', watch.sync);
      producer.observer.off('resume', watch.sync);
      this.#watches.delete(producer);
    }
    this.#releases.get(producer)?.();
    this.#releases.delete(producer);
  }
}

/** How the detector follows one producer. */
interface Watch {
  /** Whether the producer is in the observer now. */
  observed: boolean;
  /** The changes of the producer's membership, one after the other. */
  queue: Promise<void>;
  /** Brings the membership to the producer's state (its pause/resume listener). */
  sync: () => void;
}
