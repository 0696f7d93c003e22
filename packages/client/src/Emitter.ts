import createDebug from 'debug';
import { EventEmitter } from 'eventemitter3';

const logError = createDebug('x:client:ERROR:Emitter');

/** Event map: event name → listener arguments. */
export type EventMap = Record<string, unknown[]>;

/**
 * A typed event emitter (eventemitter3, browser and Node). `safeEmit` keeps a
 * throwing application listener from breaking the client's bookkeeping.
 */
export class Emitter<Events extends EventMap> extends EventEmitter<{
  [K in keyof Events]: (...args: Events[K]) => void;
}> {
  /** Emits an event; an error thrown by a listener is logged, not propagated. */
  protected safeEmit<K extends keyof Events & string>(event: K, ...args: Events[K]): void {
    try {
      (this.emit as (event: string, ...args: unknown[]) => boolean)(event, ...args);
    } catch (error) {
      logError('listener of "%s" threw: %o', event, error);
    }
  }
}
