import { Emitter, type EventMap } from './Emitter.js';

/**
 * The `observer` of a public object: the events that the library's own
 * subsystems (signaling, cluster, recorder, metrics) and monitoring code
 * watch. It is apart from the object's public events, so an app that removes
 * its own listeners (`removeAllListeners()`) cannot break the library; and it
 * has no listener limit, since one subsystem may watch many objects through
 * one room.
 */
export class Observer<E extends EventMap<E>> extends Emitter<E> {
  constructor() {
    super();
    this.setMaxListeners(0);
  }

  /**
   * @internal Emits an event of the owning object (only the owner calls
   * it). A throwing listener is logged, and the others still run.
   */
  notify<K extends keyof E & string>(event: K, ...args: E[K]): void {
    this.safeEmit(event, ...args);
  }
}
