import { describe, expect, it } from 'vitest';
import { Observer } from '../src/index.js';

type Events = { close: []; data: [value: number, label: string] };

describe('Observer', () => {
  it('calls its listeners in order with the typed arguments, as many as are added', () => {
    const observer = new Observer<Events>();
    const seen: string[] = [];
    // No listener limit: a room's subsystem may watch thousands of objects.
    for (let i = 0; i < 50; i++) observer.on('data', (v, l) => seen.push(`${i}:${v}${l}`));
    observer.notify('data', 7, 'x');
    expect(seen).toHaveLength(50);
    expect(seen[0]).toBe('0:7x');
    expect(seen[49]).toBe('49:7x');
    expect(observer.listenerCount('data')).toBe(50);
    expect(observer.eventNames()).toEqual(['data']);
  });

  it('once() calls a listener at the next event only; off() removes it before then', () => {
    const observer = new Observer<Events>();
    const seen: number[] = [];
    observer.once('data', (v) => seen.push(v));
    const removed = (v: number) => seen.push(-v);
    observer.once('data', removed);
    observer.off('data', removed);
    observer.notify('data', 1, '');
    observer.notify('data', 2, '');
    expect(seen).toEqual([1]);
    expect(observer.listenerCount('data')).toBe(0);
    expect(observer.eventNames()).toEqual([]);
  });

  it('a listener added or removed during an event takes effect from the next one', () => {
    const observer = new Observer<Events>();
    const seen: string[] = [];
    const second = () => seen.push('second');
    observer.on('close', () => {
      seen.push('first');
      observer.off('close', second);
      observer.on('close', () => seen.push('added'));
    });
    observer.on('close', second);
    observer.notify('close');
    expect(seen).toEqual(['first', 'second']);
    seen.length = 0;
    observer.notify('close');
    expect(seen).toEqual(['first', 'added']);
  });

  it('a throwing listener is logged and the others still run; the notifier never sees the error', () => {
    const observer = new Observer<Events>();
    const seen: number[] = [];
    observer.on('data', (v) => seen.push(v));
    observer.on('data', () => {
      throw new Error('listener bug');
    });
    observer.on('data', (v) => seen.push(v * 10));
    expect(() => observer.notify('data', 3, '')).not.toThrow();
    expect(seen).toEqual([3, 30]);
  });

  it('removeAllListeners() empties one event or all of them', () => {
    const observer = new Observer<Events>();
    let calls = 0;
    observer.on('close', () => calls++);
    observer.on('data', () => calls++);
    observer.removeAllListeners('close');
    observer.notify('close');
    observer.notify('data', 1, '');
    expect(calls).toBe(1);
    observer.removeAllListeners();
    observer.notify('data', 1, '');
    expect(calls).toBe(1);
    expect(observer.eventNames()).toEqual([]);
  });
});
