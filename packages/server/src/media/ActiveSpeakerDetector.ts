import type { types as ms } from '@x/mediasoup';
import { Emitter } from '@x/shared';
import type { Peer } from './Peer.js';
import type { Producer } from './Producer.js';
import type { RoomRouters } from './RoomRouters.js';

/** Events of an {@link ActiveSpeakerDetector}. */
export type ActiveSpeakerDetectorEvents = {
  /** A new peer is the dominant speaker, through this audio producer. */
  activespeakerchange: [peer: Peer, producer: Producer];
  /** The detector was closed (by the app or with its room). */
  close: [];
};

/**
 * Detects the dominant speaker among a room's audio producers (mediasoup
 * v2's ActiveSpeakerDetector, on mediasoup 3's ActiveSpeakerObserver).
 * Created by `room.createActiveSpeakerDetector()`.
 */
export class ActiveSpeakerDetector extends Emitter<ActiveSpeakerDetectorEvents> {
  readonly #observer: ms.ActiveSpeakerObserver;
  readonly #producers = new Map<string, Producer>();
  readonly #releases = new Map<Producer, () => void>();
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
      if (ours) this.safeEmit('activespeakerchange', ours.peer, ours);
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
    for (const release of this.#releases.values()) release();
    this.#releases.clear();
    this.safeEmit('close');
  }

  /**
   * @internal Watches an audio producer of the room (piped to the
   * detector's router if it lives on another one).
   */
  addProducer(producer: Producer): void {
    if (this.#closed || producer.kind !== 'audio' || producer.closed) return;
    this.#producers.set(producer.engine.id, producer);
    producer.once('close', () => {
      this.#producers.delete(producer.engine.id);
      this.#releases.get(producer)?.();
      this.#releases.delete(producer);
    });
    this.#routers
      .acquire(producer, this.#router)
      .then((release) => {
        if (this.#closed || producer.closed) return release();
        this.#releases.set(producer, release);
        return this.#observer.addProducer({ producerId: producer.engine.id });
      })
      .catch(() => undefined);
  }
}
