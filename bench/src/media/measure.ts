// One measurement of a fan-out: the sender's packets numbered
// [lo, lo + window) are the window; every sink should get each of them once.
// The window is fixed before it starts (a little ahead of the sender), so no
// packet is counted or missed because of the time the IPC calls take.
import type { Child } from '../lib/child.js';
import { sleep } from '../lib/stats.js';
import { PACKETS_PER_SECOND } from './source.js';
import type { Topology } from './topology.js';

export interface Window {
  consumers: number;
  seconds: number;
  expected: number;
  received: number;
  /** Lost fraction (0–1): 1 − received / expected. */
  loss: number;
  /** Sinks that got nothing in the window (a consumer that never started). */
  starved: number;
  deliveredPerSecond: number;
  /** Worker CPU, ms per 1,000 delivered packets. */
  workerCpuPer1k: number;
  /** CPU use during the window, in % of one core. */
  workerCpuPercent: number;
  sinkCpuPercent: number;
  senderCpuPercent: number;
}

/** Several windows of one topology as one: counts and CPU times added up. */
export function combine(windows: readonly Window[]): Window {
  const sum = (f: (w: Window) => number) => windows.reduce((s, w) => s + f(w), 0);
  const seconds = sum((w) => w.seconds);
  const expected = sum((w) => w.expected);
  const received = sum((w) => w.received);
  const cpu = (f: (w: Window) => number) => sum((w) => f(w) * w.seconds) / seconds;
  const workerMs = sum((w) => w.workerCpuPer1k * (w.received / 1000));
  return {
    consumers: windows[0]!.consumers,
    seconds,
    expected,
    received,
    loss: 1 - received / expected,
    starved: Math.max(...windows.map((w) => w.starved)),
    deliveredPerSecond: received / seconds,
    workerCpuPer1k: workerMs / (received / 1000),
    workerCpuPercent: cpu((w) => w.workerCpuPercent),
    sinkCpuPercent: cpu((w) => w.sinkCpuPercent),
    senderCpuPercent: cpu((w) => w.senderCpuPercent),
  };
}

export async function measureWindow(
  topology: Topology,
  sender: Child,
  sinks: Child,
  seconds: number,
): Promise<Window> {
  const consumers = topology.consumers;
  const { counter } = await sender.call<{ counter: number }>('counter');
  const lo = counter + Math.ceil(PACKETS_PER_SECOND * 0.3);
  const size = Math.round(PACKETS_PER_SECOND * seconds);
  await sinks.call('window', { lo, hi: lo + size });
  const t0 = await sender.call<number>('waitFor', { counter: lo });
  const cpu0 = await Promise.all([
    topology.workerCpuMs(),
    sinks.call<{ cpuMs: number }>('read', { sinks: 0 }).then((r) => r.cpuMs),
    sender.call<number>('cpu'),
  ]);
  const t1 = await sender.call<number>('waitFor', { counter: lo + size }, seconds * 3000 + 10_000);
  const cpu1 = await Promise.all([
    topology.workerCpuMs(),
    sinks.call<{ cpuMs: number }>('read', { sinks: 0 }).then((r) => r.cpuMs),
    sender.call<number>('cpu'),
  ]);
  await sleep(500); // the last packets of the window reach the sinks
  const { received, starved } = await sinks.call<{ received: number; starved: number }>('read', {
    sinks: consumers,
  });
  const elapsed = (t1 - t0) / 1000;
  const expected = size * consumers;
  const percent = (i: number) => (cpu1[i]! - cpu0[i]!) / elapsed / 10;
  return {
    consumers,
    seconds: elapsed,
    expected,
    received,
    loss: 1 - received / expected,
    starved,
    deliveredPerSecond: received / elapsed,
    workerCpuPer1k: (cpu1[0]! - cpu0[0]!) / (received / 1000),
    workerCpuPercent: percent(0),
    sinkCpuPercent: percent(1),
    senderCpuPercent: percent(2),
  };
}
