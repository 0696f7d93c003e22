// Consumers enabled together consume together (one SDP negotiation), and
// none waits long for another.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsumeBatch, MAX_WAIT_MS } from '../src/room/ConsumeBatch.js';

const settled = async (promise: Promise<void>) => {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await Promise.resolve();
  await Promise.resolve();
  return done;
};

describe('ConsumeBatch', () => {
  afterEach(() => vi.useRealTimers());

  it('lets the answered consumers go together once every reserved one is answered', async () => {
    const batch = new ConsumeBatch();
    const audio = batch.reserve();
    const video = batch.reserve();
    const first = audio.ready();
    expect(await settled(first)).toBe(false);
    const second = video.ready();
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(true);
  });

  it('does not wait for a consumer that failed or closed', async () => {
    const batch = new ConsumeBatch();
    const a = batch.reserve();
    const b = batch.reserve();
    const ready = a.ready();
    b.cancel();
    expect(await settled(ready)).toBe(true);
    // Cancelling again, or after ready(), changes nothing.
    b.cancel();
    a.cancel();
    const c = batch.reserve();
    const next = c.ready();
    expect(await settled(next)).toBe(true);
  });

  it(`holds an answered consumer back ${MAX_WAIT_MS} ms at most for a slow one`, async () => {
    vi.useFakeTimers();
    const batch = new ConsumeBatch();
    const fast = batch.reserve();
    batch.reserve(); // never answered
    const ready = fast.ready();
    await vi.advanceTimersByTimeAsync(MAX_WAIT_MS - 1);
    expect(await settled(ready)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(ready)).toBe(true);
  });
});
