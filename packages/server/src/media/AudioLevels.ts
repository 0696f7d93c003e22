import type { types as ms } from '@x/mediasoup';
import { logger } from '@x/shared';
import type { Producer } from './Producer.js';
import type { RoomRouters } from './RoomRouters.js';

const log = logger('x:server:AudioLevels');

/** The level of one audio producer, as the `audiolevels` event reports it. */
export interface AudioLevel {
  /** The audio producer. */
  producer: Producer;
  /** Its level in dBov (-127 to 0, 0 the loudest). */
  audioLevel: number;
}

/**
 * A room's audio level observer, started by the first listener and paused
 * again once nobody listens: measuring levels costs the worker, so nothing
 * runs for a room where nobody asked.
 */
export class AudioLevels {
  #observer: ms.AudioLevelObserver | undefined;
  #starting = false;
  #router: ms.Router | undefined;
  readonly #routers: RoomRouters;
  readonly #releases = new Map<Producer, () => void>();
  readonly #producers: () => Iterable<Producer>;
  readonly #listening: () => boolean;
  readonly #emit: (levels: AudioLevel[]) => void;

  constructor(options: {
    /** The room's routers: the observer lives on the first, audio producers are piped to it. */
    routers: RoomRouters;
    /** The room's producers, for the observer to watch. */
    producers: () => Iterable<Producer>;
    /** Whether anyone listens now. */
    listening: () => boolean;
    /** Delivers levels, loudest first ([] in silence). */
    emit: (levels: AudioLevel[]) => void;
  }) {
    this.#routers = options.routers;
    this.#producers = options.producers;
    this.#listening = options.listening;
    this.#emit = options.emit;
  }

  /** Someone listens: start the observer, or resume it. */
  start(): void {
    if (this.#observer && !this.#observer.closed) {
      if (this.#observer.paused) this.#observer.resume().catch(() => undefined);
      return;
    }
    if (this.#starting) return;
    const router = this.#routers.primary;
    if (router.closed) return;
    this.#starting = true;
    router
      .createAudioLevelObserver({ maxEntries: 16, threshold: -80, interval: 500 })
      .then((observer) => {
        this.#router = router;
        this.observe(observer);
      })
      .catch((error: unknown) => log.warn('audio level observer failed: %o', error))
      .finally(() => {
        this.#starting = false;
      });
  }

  /** Watches a new producer (audio only), piped to the observer's router if it lives elsewhere. */
  add(producer: Producer): void {
    const observer = this.#observer;
    const router = this.#router;
    if (producer.kind !== 'audio' || !observer || observer.closed || !router) return;
    this.#routers
      .acquire(producer, router)
      .then((release) => {
        if (observer.closed || producer.closed) return release();
        this.#releases.set(producer, release);
        producer.observer.once('close', () => {
          this.#releases.get(producer)?.();
          this.#releases.delete(producer);
        });
        return observer.addProducer({ producerId: producer.engine.id });
      })
      .catch(() => undefined);
  }

  private observe(observer: ms.AudioLevelObserver): void {
    this.#observer = observer;
    // Its router died with its worker: the next listener starts one on another router.
    observer.observer.once('close', () => {
      if (this.#observer === observer) this.#observer = undefined;
      for (const release of this.#releases.values()) release();
      this.#releases.clear();
    });
    const byEngineId = (id: string) => {
      for (const p of this.#producers()) if (p.engine.id === id) return p;
      return undefined;
    };
    observer.on('volumes', (volumes: { producer: ms.Producer; volume: number }[]) => {
      if (this.pauseIfUnheard(observer)) return;
      this.#emit(
        volumes.flatMap((v) => {
          const producer = byEngineId(v.producer.id);
          return producer ? [{ producer, audioLevel: v.volume }] : [];
        }),
      );
    });
    observer.on('silence', () => {
      if (!this.pauseIfUnheard(observer)) this.#emit([]);
    });
    for (const producer of this.#producers()) this.add(producer);
  }

  private pauseIfUnheard(observer: ms.AudioLevelObserver): boolean {
    if (this.#listening()) return false;
    observer.pause().catch(() => undefined);
    return true;
  }
}
