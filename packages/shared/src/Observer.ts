import type { EventMap } from './Emitter.js';
import { logger } from './logger.js';

const log = logger('x:Observer');

type Listener<A extends unknown[]> = (...args: A) => void;
type AnyListener = (...args: unknown[]) => void;

/**
 * The `observer` of a public object: the events that the library's own
 * subsystems (signaling, cluster, recorder, metrics) and monitoring code
 * watch. It is apart from the object's public events, so an app that removes
 * its own listeners (`removeAllListeners()`) cannot break the library.
 *
 * It is a small emitter of its own rather than Node's EventEmitter: a room
 * fans a producer's pause out to a consumer in every peer, and there an emit
 * is most of the cost (measured on 1000 objects with one listener each,
 * 4 arguments: `notify` 15 ns, `Emitter.emit` 115 ns). It
 * has no listener limit (one subsystem watches many objects through one
 * room), and a throwing listener is logged while the others still run.
 */
export class Observer<E extends EventMap<E>> {
  readonly #listeners = new Map<string, AnyListener[]>();

  /** Calls `listener` at each `event`. */
  on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    const added = listener as unknown as AnyListener;
    const list = this.#listeners.get(event);
    // A new array each time: notify() may be walking the old one.
    this.#listeners.set(event, list ? [...list, added] : [added]);
    return this;
  }

  /** Calls `listener` at the next `event` only. */
  once<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    const wrapper = (...args: E[K]) => {
      this.off(event, wrapper);
      listener(...args);
    };
    (wrapper as { listener?: unknown }).listener = listener;
    return this.on(event, wrapper);
  }

  /** Removes `listener` (added with `on` or `once`) from `event`. */
  off<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    const list = this.#listeners.get(event);
    if (!list) return this;
    const removed = listener as unknown as AnyListener;
    const i = list.findIndex(
      (l) => l === removed || (l as { listener?: unknown }).listener === listener,
    );
    if (i < 0) return this;
    if (list.length === 1) this.#listeners.delete(event);
    else
      this.#listeners.set(
        event,
        list.filter((_, j) => j !== i),
      );
    return this;
  }

  /** Removes every listener of `event`, or of every event. */
  removeAllListeners<K extends keyof E & string>(event?: K): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  /** How many listeners `event` has. */
  listenerCount<K extends keyof E & string>(event: K): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** The events that have listeners. */
  eventNames(): string[] {
    return [...this.#listeners.keys()];
  }

  /**
   * @internal Emits an event of the owning object (only the owner calls
   * it). A throwing listener is logged, and the others still run.
   */
  notify<K extends keyof E & string>(event: K, ...args: E[K]): void {
    const list = this.#listeners.get(event);
    if (list === undefined) return;
    // The array is never changed in place (on/off replace it): no copy needed.
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(...args);
      } catch (error) {
        log.error('observer listener of "%s" threw: %o', event, error);
      }
    }
  }
}
