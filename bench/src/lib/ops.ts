// Throughput of a synchronous operation: repeated calls for a fixed time,
// in several rounds that alternate between the variants compared, so that
// a slow spell of the machine hits them alike; the median round counts.
import { median } from './stats.js';

/** Calls `fn` for about `ms` milliseconds; returns calls per second. */
export function opsFor(fn: () => number, ms: number): { opsPerSecond: number; sink: number } {
  let sink = 0;
  let calls = 0;
  let batch = 1;
  const start = performance.now();
  let elapsed = 0;
  // Batches grow so that reading the clock costs nothing next to the work.
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) sink += fn();
    calls += batch;
    elapsed = performance.now() - start;
    if (elapsed < ms / 20) batch *= 2;
  }
  return { opsPerSecond: (calls * 1000) / elapsed, sink };
}

/**
 * Median calls per second of each variant over `rounds` alternating rounds
 * of `ms` each, after one warm-up round (JIT) that is not counted.
 */
export function compareOps(
  variants: Record<string, () => number>,
  options: { rounds: number; ms: number },
): Record<string, number> {
  const names = Object.keys(variants);
  const samples = new Map<string, number[]>(names.map((n) => [n, []]));
  let sink = 0;
  for (let round = -1; round < options.rounds; round++) {
    // Alternate the order too: whoever runs first in a round gets no advantage.
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const r = opsFor(variants[name]!, round < 0 ? options.ms / 2 : options.ms);
      sink += r.sink;
      if (round >= 0) samples.get(name)!.push(r.opsPerSecond);
    }
  }
  // Keeps `sink` observable so that no call can be optimised away.
  if (sink === Number.MIN_VALUE) console.log(sink);
  return Object.fromEntries(names.map((n) => [n, median(samples.get(n)!)]));
}
