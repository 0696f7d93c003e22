import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Emitter } from '../src/index.js';

type Events = { close: []; data: [value: number, label: string] };

class Thing extends Emitter<Events> {
  fire(value: number): boolean {
    return this.safeEmit('data', value, 'x');
  }
}

describe('Emitter', () => {
  it("is Node's EventEmitter, with its whole API", () => {
    const thing = new Thing();
    expect(thing).toBeInstanceOf(EventEmitter);
    thing.setMaxListeners(3);
    expect(thing.getMaxListeners()).toBe(3);
    const order: string[] = [];
    thing.on('close', () => order.push('on'));
    thing.prependListener('close', () => order.push('prepended'));
    thing.emit('close');
    expect(order).toEqual(['prepended', 'on']);
    expect(thing.rawListeners('close')).toHaveLength(2);
    expect(thing.eventNames()).toEqual(['close']);
  });

  it('passes the typed arguments and removes once-listeners after one call', () => {
    const thing = new Thing();
    const seen: Array<[number, string]> = [];
    thing.once('data', (value, label) => seen.push([value, label]));
    thing.fire(1);
    thing.fire(2);
    expect(seen).toEqual([[1, 'x']]);
    expect(thing.listenerCount('data')).toBe(0);
  });

  it('safeEmit keeps a throwing listener from reaching the emitter, and still calls the earlier ones', () => {
    const thing = new Thing();
    const calls: number[] = [];
    thing.on('data', (v) => calls.push(v));
    thing.on('data', () => {
      throw new Error('app bug');
    });
    expect(() => thing.fire(7)).not.toThrow();
    expect(calls).toEqual([7]);
    // A plain emit still throws, as Node's does.
    expect(() => thing.emit('data', 8, 'y')).toThrow('app bug');
  });

  it('off and removeAllListeners take typed names', () => {
    const thing = new Thing();
    const listener = () => undefined;
    thing.on('close', listener).on('data', () => undefined);
    thing.off('close', listener);
    expect(thing.listenerCount('close')).toBe(0);
    thing.removeAllListeners();
    expect(thing.listenerCount('data')).toBe(0);
  });
});
