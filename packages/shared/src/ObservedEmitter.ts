import { Emitter, type EventMap } from './Emitter.js';
import { Observer } from './Observer.js';

/**
 * An emitter whose every event also goes to its {@link Observer}: for public
 * objects whose observer carries the same events as the object, so that the
 * library's own parts watch the observer and never depend on listeners an
 * app may remove.
 */
export class ObservedEmitter<E extends EventMap<E>> extends Emitter<E> {
  /** What the library's own parts watch: the same events as the object's. */
  readonly observer = new Observer<E>();

  /** Emits an event to the observer, then to the app's listeners. */
  protected emitBoth<K extends keyof E & string>(event: K, ...args: E[K]): void {
    this.observer.notify(event, ...args);
    this.safeEmit(event, ...args);
  }
}
