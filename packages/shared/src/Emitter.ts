// Node's EventEmitter on Node, the `events` package (the same API) in browsers:
// the seed pages promise that Producer and RtpStreamer "inherit from EventEmitter".
import { EventEmitter } from 'events';
import { logger } from './logger.js';

const log = logger('x:Emitter');

/** Event map: event name → listener arguments. */
export type EventMap<E> = { [K in keyof E]: unknown[] };

type Listener<A extends unknown[]> = (...args: A) => void;
// Node's own signature, which the typed methods narrow.
type AnyListener = (...args: unknown[]) => void;

/**
 * A typed EventEmitter. It is Node's `EventEmitter` (`instanceof` holds, and
 * `setMaxListeners`, `prependListener`, `rawListeners`… are there); only the
 * event names and listener arguments are checked by TypeScript. `safeEmit`
 * keeps a throwing application listener from breaking the library's own
 * bookkeeping.
 */
export class Emitter<E extends EventMap<E>> extends EventEmitter {
  override on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return super.on(event, listener as unknown as AnyListener);
  }

  override addListener<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return super.addListener(event, listener as unknown as AnyListener);
  }

  override prependListener<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return super.prependListener(event, listener as unknown as AnyListener);
  }

  override once<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return super.once(event, listener as unknown as AnyListener);
  }

  override prependOnceListener<K extends keyof E & string>(
    event: K,
    listener: Listener<E[K]>,
  ): this {
    return super.prependOnceListener(event, listener as unknown as AnyListener);
  }

  override off<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return super.off(event, listener as unknown as AnyListener);
  }

  override removeListener<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return super.removeListener(event, listener as unknown as AnyListener);
  }

  override removeAllListeners<K extends keyof E & string>(event?: K): this {
    return event === undefined ? super.removeAllListeners() : super.removeAllListeners(event);
  }

  override emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    return super.emit(event, ...args);
  }

  override listenerCount<K extends keyof E & string>(event: K): number {
    return super.listenerCount(event);
  }

  /** Emits an event; an error thrown by a listener is logged, not propagated. */
  protected safeEmit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    try {
      return super.emit(event, ...args);
    } catch (error) {
      log.error('listener of "%s" threw: %o', event, error);
      return true;
    }
  }
}
