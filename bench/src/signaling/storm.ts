// The pause/resume storm: every peer runs a closed loop (pause its producer,
// wait until it is seen paused, resume, wait until seen resumed, …) for a
// fixed time. One op is one pause or one resume; its latency runs from the
// call to the moment it is seen done.
import { nowMs } from '../lib/stats.js';

/** Pauses (true) or resumes (false) peer i's producer; resolves when the change is seen. */
export type Toggle = (peer: number, paused: boolean) => Promise<void>;

export interface StormResult {
  /** Ops completed in the measured time. */
  ops: number;
  /** Measured time, in s. */
  seconds: number;
  /** Latency of each op, in ms. */
  latencies: number[];
}

/** Runs `peers` loops for `ms` milliseconds; every producer ends resumed. */
export async function storm(peers: number, toggle: Toggle, ms: number): Promise<StormResult> {
  const latencies: number[] = [];
  const start = nowMs();
  const end = start + ms;
  const loop = async (peer: number) => {
    let paused = false;
    while (nowMs() < end) {
      const t0 = nowMs();
      await toggle(peer, !paused);
      latencies.push(nowMs() - t0);
      paused = !paused;
    }
    if (paused) await toggle(peer, false);
  };
  await Promise.all(Array.from({ length: peers }, (_, i) => loop(i)));
  // Ops still in flight at the deadline finish after it: count the time they took.
  const seconds = (nowMs() - start) / 1000;
  return { ops: latencies.length, seconds, latencies };
}

/** Waiters for "peer X's producer is now paused/resumed", as seen by one observer. */
export class Sightings {
  private readonly waiters = new Map<string, () => void>();

  /** Resolves when `seen(peerName, paused)` is called. */
  expect(peerName: string, paused: boolean): Promise<void> {
    return new Promise((resolve) => this.waiters.set(`${peerName}:${paused}`, resolve));
  }

  seen(peerName: string, paused: boolean): void {
    const key = `${peerName}:${paused}`;
    const waiter = this.waiters.get(key);
    if (!waiter) return;
    this.waiters.delete(key);
    waiter();
  }
}
