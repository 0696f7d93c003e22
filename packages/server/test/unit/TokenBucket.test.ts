import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/util/TokenBucket.js';

/** A clock the test moves by hand. */
function fakeClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function takeAll(bucket: TokenBucket): number {
  let n = 0;
  while (bucket.take()) n++;
  return n;
}

describe('TokenBucket', () => {
  it('starts full: a burst of `burst` tokens, then none', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 20, clock.now);
    expect(takeAll(bucket)).toBe(20);
    expect(bucket.take()).toBe(false);
  });

  it('refills at `rate` tokens a second', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 20, clock.now);
    takeAll(bucket);
    clock.advance(500);
    expect(takeAll(bucket)).toBe(5);
    clock.advance(99);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
  });

  it('never saves more than `burst`', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 20, clock.now);
    clock.advance(60_000);
    expect(takeAll(bucket)).toBe(20);
  });

  it('a steady pace at the rate is never refused', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 20, clock.now);
    takeAll(bucket);
    for (let i = 0; i < 100; i++) {
      clock.advance(100);
      expect(bucket.take()).toBe(true);
    }
  });
});
