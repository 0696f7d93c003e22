// Throughput of a synchronous operation: repeated calls for a fixed time,
// in several rounds that alternate between the variants compared, so that
// a slow spell of the machine hits them alike; the median round counts.
//
// Time is this process's CPU time by default (process.cpuUsage(): user +
// system, every thread of the process): on a shared machine another
// process taking the core away no longer counts against whichever variant
// was running. `BENCH_OPS_CLOCK=wall` measures wall-clock time instead, as
// the bench did before.
import { median } from './stats.js';

/** How time is read: this process's CPU time (default) or the wall clock. */
export type OpsClock = 'cpu' | 'wall';

/** The clock of the environment: `BENCH_OPS_CLOCK=wall` or `cpu` (the default). */
export function opsClock(): OpsClock {
  return process.env.BENCH_OPS_CLOCK === 'wall' ? 'wall' : 'cpu';
}

function reader(clock: OpsClock): () => number {
  if (clock === 'wall') return () => performance.now();
  return () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  };
}

/** Calls `fn` for about `ms` milliseconds of the clock; returns calls per second. */
export function opsFor(
  fn: () => number,
  ms: number,
  clock: OpsClock = opsClock(),
): { opsPerSecond: number; sink: number } {
  const now = reader(clock);
  let sink = 0;
  let calls = 0;
  let batch = 1;
  const start = now();
  let elapsed = 0;
  // Batches grow so that reading the clock costs nothing next to the work.
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) sink += fn();
    calls += batch;
    elapsed = now() - start;
    if (elapsed < ms / 20) batch *= 2;
  }
  return { opsPerSecond: (calls * 1000) / elapsed, sink };
}

/**
 * How long each variant runs before the counted rounds. A variant made of
 * generated JavaScript (encoders, decoders, conversions) reaches its steady
 * rate only after V8's optimising compilers are done with it, and they run
 * on background threads whose CPU time counts: the join + 40 enableConsumer
 * row went 7,485 → 4,718 → 1,065 → 474 → 320 → 300 µs per op over its first
 * six 100 ms slices, then stayed at 300. JSON's native code has no such
 * ramp, so a short warm-up measured the compilers against it.
 */
export const DEFAULT_WARMUP_MS = 1000;

/**
 * Median calls per second of each variant over `rounds` alternating rounds
 * of `ms` each, after one warm-up round per variant (`warmupMs`, default
 * {@link DEFAULT_WARMUP_MS}) that is not counted.
 */
export function compareOps(
  variants: Record<string, () => number>,
  options: { rounds: number; ms: number; warmupMs?: number; clock?: OpsClock },
): Record<string, number> {
  const warmupMs = options.warmupMs ?? DEFAULT_WARMUP_MS;
  const clock = options.clock ?? opsClock();
  const names = Object.keys(variants);
  const samples = new Map<string, number[]>(names.map((n) => [n, []]));
  let sink = 0;
  for (let round = -1; round < options.rounds; round++) {
    // Alternate the order too: whoever runs first in a round gets no advantage.
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const r = opsFor(variants[name]!, round < 0 ? warmupMs : options.ms, clock);
      sink += r.sink;
      if (round >= 0) samples.get(name)!.push(r.opsPerSecond);
    }
  }
  // Keeps `sink` observable so that no call can be optimised away.
  if (sink === Number.MIN_VALUE) console.log(sink);
  return Object.fromEntries(names.map((n) => [n, median(samples.get(n)!)]));
}
