import type { Signal, StatsTarget } from './Signal.js';

/**
 * @internal The server stats subscription of one transport, producer or
 * consumer. The app may subscribe before the object exists on the server (a
 * transport not yet used, a producer not yet sent): the interval is kept and
 * sent once it does, and again each time it is sent anew on another transport.
 */
export class StatsSubscription {
  readonly #signal: Signal;
  readonly #target: StatsTarget;
  readonly #id: number;
  #interval: number | undefined;
  #attached = false;

  constructor(signal: Signal, target: StatsTarget, id: number) {
    this.#signal = signal;
    this.#target = target;
    this.#id = id;
  }

  /** The interval the app asked for, in ms, while subscribed. */
  get interval(): number | undefined {
    return this.#interval;
  }

  /** Whether the object exists on the server (so that the subscription is live there). */
  get attached(): boolean {
    return this.#attached;
  }

  /** Subscribes, or changes the interval. */
  enable(interval: number): void {
    this.#interval = interval;
    if (this.#attached) this.#signal.enableStats(this.#target, this.#id, interval);
  }

  /** Unsubscribes. */
  disable(): void {
    const was = this.#interval;
    this.#interval = undefined;
    if (this.#attached && was !== undefined) this.#signal.disableStats(this.#target, this.#id);
  }

  /** The object now exists on the server: the subscription goes live there. */
  attach(): void {
    this.#attached = true;
    if (this.#interval !== undefined)
      this.#signal.enableStats(this.#target, this.#id, this.#interval);
  }

  /** The object is gone from the server (closed, or its transport closed): nothing to tell it. */
  detach(): void {
    this.#attached = false;
  }
}
