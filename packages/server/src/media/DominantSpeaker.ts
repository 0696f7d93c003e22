import { logger } from '@x/shared';
import type { ActiveSpeakerDetector } from './ActiveSpeakerDetector.js';
import type { Producer } from './Producer.js';
import type { RoomMember } from './RoomMember.js';

const log = logger('x:server:DominantSpeaker');

/**
 * A room's shared active speaker detection: it runs while at least one
 * watcher wants it (detecting costs the worker), is started again when its
 * detector closes with a router that died, and knows the current speaker.
 */
export class DominantSpeaker {
  readonly #createDetector: () => Promise<ActiveSpeakerDetector>;
  readonly #changed: (member: RoomMember, producer: Producer) => void;
  #watchers = 0;
  #detector: Promise<ActiveSpeakerDetector> | undefined;
  #current: { member: RoomMember; producer: Producer } | undefined;

  constructor(options: {
    /** Creates the room's detector (when the first watcher comes). */
    createDetector: () => Promise<ActiveSpeakerDetector>;
    /** Told of each new dominant speaker. */
    changed: (member: RoomMember, producer: Producer) => void;
  }) {
    this.#createDetector = options.createDetector;
    this.#changed = options.changed;
  }

  /** The dominant speaker now, while someone watches (undefined before the first change). */
  get current(): { member: RoomMember; producer: Producer } | undefined {
    return this.#current;
  }

  /** Starts detection for one more watcher; resolves with what ends that watch. */
  watch(): () => void {
    this.#watchers++;
    this.#detector ??= this.start();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#watchers--;
      if (this.#watchers === 0) this.stop();
    };
  }

  /** A member left: it is no longer the speaker. */
  forget(member: RoomMember): void {
    if (this.#current?.member === member) this.#current = undefined;
  }

  /** The room closed. */
  close(): void {
    this.#watchers = 0;
    this.stop();
  }

  private start(): Promise<ActiveSpeakerDetector> {
    const pending = this.#createDetector().then((detector) => {
      detector.observer.on('activespeakerchange', (member, producer) => {
        this.#current = { member, producer };
        this.#changed(member, producer);
      });
      // Closed with its router (a worker died): start another while someone watches.
      detector.observer.once('close', () => {
        if (this.#detector === pending && this.#watchers > 0) this.#detector = this.start();
        else if (this.#detector === pending) this.#detector = undefined;
      });
      if (this.#watchers === 0) detector.close();
      return detector;
    });
    pending.catch((error: unknown) => {
      log.warn('active speaker detector failed: %o', error);
      if (this.#detector === pending) this.#detector = undefined;
    });
    return pending;
  }

  private stop(): void {
    const detector = this.#detector;
    this.#detector = undefined;
    this.#current = undefined;
    detector?.then((d) => d.close()).catch(() => undefined);
  }
}
