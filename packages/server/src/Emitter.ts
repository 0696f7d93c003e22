import { EventEmitter } from 'eventemitter3';
import { logger } from './logger.js';

const log = logger('Emitter');

/** Event map: event name → listener arguments. */
export type EventMap = Record<string, unknown[]>;

/**
 * A typed event emitter (eventemitter3). `safeEmit` keeps a throwing
 * application listener from breaking the server's own bookkeeping.
 */
export class Emitter<Events extends EventMap> extends EventEmitter<{
  [K in keyof Events]: (...args: Events[K]) => void;
}> {
  /** Emits an event; an error thrown by a listener is logged, not propagated. */
  protected safeEmit<K extends keyof Events & string>(event: K, ...args: Events[K]): void {
    try {
      // eventemitter3's overloads cannot follow a generic event name.
      (this.emit as (event: string, ...args: unknown[]) => boolean)(event, ...args);
    } catch (error) {
      log.error('listener of "%s" threw: %o', event, error);
    }
  }
}
