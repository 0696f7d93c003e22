// One measurement of a fan-out: the sender's packets numbered
// [lo, lo + window) are the window; every sink should get each of them once.
// The window is fixed before it starts (a little ahead of the sender), so no
// packet is counted or missed because of the time the IPC calls take.
import type { Child } from '../lib/child.js';
import { machineCpuMs } from '../lib/cpu.js';
import { dropsSince, type KernelDrops, kernelDrops } from '../lib/kernel.js';
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
  /** Each worker's CPU in % of one core, for a topology of several workers. */
  workerCpuPercentEach?: number[];
  /** This process (the servers' Node side, when they run in it), in % of one core. */
  benchCpuPercent?: number;
  /** Other processes of the topology (the Node side of servers in processes of their own), in % of one core. */
  helperCpuPercent?: number;
  /** Every other process of the machine, in % of one core (the machine has two). */
  othersCpuPercent?: number;
  /** Source packets the ingest saw missing (RTP sequence gaps), for a topology that reports them. */
  ingestLost?: number;
  /** What the kernel dropped during the window (machine-wide counters). */
  kernel?: KernelDrops;
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
    ...optionalSums(windows),
  };
}

function optionalSums(windows: readonly Window[]): Partial<Window> {
  const seconds = windows.reduce((s, w) => s + w.seconds, 0);
  const avg = (f: (w: Window) => number | undefined) =>
    windows.every((w) => f(w) !== undefined)
      ? windows.reduce((s, w) => s + f(w)! * w.seconds, 0) / seconds
      : undefined;
  const total = (f: (w: Window) => number | undefined) =>
    windows.every((w) => f(w) !== undefined) ? windows.reduce((s, w) => s + f(w)!, 0) : undefined;
  const each = windows[0]?.workerCpuPercentEach?.map((_, i) =>
    avg((w) => w.workerCpuPercentEach?.[i]),
  );
  const kernel = windows.every((w) => w.kernel)
    ? {
        rcvbufErrors: total((w) => w.kernel?.rcvbufErrors)!,
        backlogDrops: total((w) => w.kernel?.backlogDrops)!,
        squeezed: total((w) => w.kernel?.squeezed)!,
      }
    : undefined;
  return {
    workerCpuPercentEach: each?.every((x) => x !== undefined) ? (each as number[]) : undefined,
    benchCpuPercent: avg((w) => w.benchCpuPercent),
    helperCpuPercent: avg((w) => w.helperCpuPercent),
    othersCpuPercent: avg((w) => w.othersCpuPercent),
    ingestLost: total((w) => w.ingestLost),
    kernel,
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
  const read = () =>
    Promise.all([
      topology.workerCpuMs(),
      sinks.call<{ cpuMs: number }>('read', { sinks: 0 }).then((r) => r.cpuMs),
      sender.call<number>('cpu'),
      topology.workerCpuEachMs?.() ?? Promise.resolve(undefined),
      topology.ingestLost?.() ?? Promise.resolve(undefined),
      topology.helperCpuMs?.() ?? Promise.resolve(undefined),
    ] as const);
  const machine0 = machineCpuMs();
  const bench0 = process.cpuUsage();
  const drops0 = kernelDrops();
  const cpu0 = await read();
  const t1 = await sender.call<number>('waitFor', { counter: lo + size }, seconds * 3000 + 10_000);
  const cpu1 = await read();
  const kernel = dropsSince(drops0);
  const benchUsed = process.cpuUsage(bench0);
  const machineMs = machineCpuMs() - machine0;
  await sleep(500); // the last packets of the window reach the sinks
  const { received, starved } = await sinks.call<{ received: number; starved: number }>('read', {
    sinks: consumers,
  });
  const elapsed = (t1 - t0) / 1000;
  const expected = size * consumers;
  const percent = (i: 0 | 1 | 2) => (cpu1[i] - cpu0[i]) / elapsed / 10;
  const each = cpu1[3]?.map((ms, i) => (ms - (cpu0[3]?.[i] ?? 0)) / elapsed / 10);
  const benchPercent = (benchUsed.user + benchUsed.system) / 1000 / elapsed / 10;
  // Worker(s), sinks, sender and this process: the rest of the machine's busy time is the others'.
  const helpers =
    cpu1[5] !== undefined && cpu0[5] !== undefined ? (cpu1[5] - cpu0[5]) / elapsed / 10 : undefined;
  const ours = percent(0) + percent(1) + percent(2) + benchPercent + (helpers ?? 0);
  return {
    consumers,
    seconds: elapsed,
    expected,
    received,
    loss: 1 - received / expected,
    starved,
    deliveredPerSecond: received / elapsed,
    workerCpuPer1k: (cpu1[0] - cpu0[0]) / (received / 1000),
    workerCpuPercent: percent(0),
    sinkCpuPercent: percent(1),
    senderCpuPercent: percent(2),
    workerCpuPercentEach: each,
    benchCpuPercent: benchPercent,
    helperCpuPercent: helpers,
    othersCpuPercent: Math.max(0, machineMs / elapsed / 10 - ours),
    ingestLost: cpu1[4] !== undefined && cpu0[4] !== undefined ? cpu1[4] - cpu0[4] : undefined,
    kernel,
  };
}
