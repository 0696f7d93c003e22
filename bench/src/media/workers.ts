// Benchmark: one room on 2 workers vs 1 worker (issue 14, "rooms larger than
// one core"). The synthetic VP8 source into ONE room, relayed to N
// plain-RTP receivers (peers with a plain RTP transport each, see
// room-topology.ts); the same room on a server of 1 worker and on a server
// of 2 workers, where the room homes its receivers on both (the source is
// piped to the second worker once). N grows in steps for both, measured
// alternately, until each loses 1 %: the largest N under 1 % loss of each,
// and their ratio. On 2 cores the UDP sinks, the sender and other processes
// compete with the workers: their CPU is measured in every window, and with
// it the ceiling the 2 cores put on the figure.
import { type BenchResult, type Figure, figure } from '../lib/report.js';
import { measureWindow, type Window } from './measure.js';
import { startRig } from './rig.js';
import { type RoomRig, roomTopology, startRoomRig } from './room-topology.js';
import { PACKETS_PER_SECOND } from './source.js';
import type { Topology } from './topology.js';
import { lossWhere, pct, WINDOW_TABLE_HEAD, windowRow } from './window-text.js';

const STEPS = [100, 200, 300, 350, 400, 450, 500, 550, 600, 650, 700, 800, 900, 1000, 1200, 1400];
const WINDOW_SECONDS = 5;
const MAX_LOSS = 0.01;
/** Stop stepping after this long. */
const BUDGET_MS = 300_000;
/**
 * With a cap of 1 every worker is "full" from its first receiver on, so the
 * room homes each new peer on its least-loaded worker: the receivers
 * alternate between the two workers at every N (checked: server.workerLoads).
 */
const MAX_CONSUMERS_PER_WORKER = 1;

interface Side {
  topology: Topology;
  rig: RoomRig;
  steps: (Window & { placement: number[] })[];
  /** Why it stopped stepping, once it has. */
  stopped?: string;
}

/** A step's window; a lossy one is measured once more and the better one kept (a spike of another process can spoil one). */
async function measureStep(
  side: Side,
  rig: ReturnType<typeof startRig>,
): Promise<Window & { placement: number[] }> {
  await rig.feed(side.topology);
  let w = await measureWindow(side.topology, rig.sender, rig.sinks, WINDOW_SECONDS);
  if (w.loss >= MAX_LOSS) {
    const again = await measureWindow(side.topology, rig.sender, rig.sinks, WINDOW_SECONDS);
    if (again.loss < w.loss) w = again;
  }
  return { ...w, placement: side.rig.consumersPerWorker() };
}

export async function run(): Promise<BenchResult> {
  const started = performance.now();
  const rig = startRig();
  const one = await startRoomRig({
    numWorkers: 1,
    ports: [47000, 48499],
    maxConsumersPerWorker: MAX_CONSUMERS_PER_WORKER,
  });
  const two = await startRoomRig({
    numWorkers: 2,
    ports: [48500, 49999],
    maxConsumersPerWorker: MAX_CONSUMERS_PER_WORKER,
  });
  const sides: Side[] = [
    { topology: roomTopology(one, '1 worker', one.ingests[0]!), rig: one, steps: [] },
    { topology: roomTopology(two, '2 workers', two.ingests[0]!), rig: two, steps: [] },
  ];
  let failure: string | undefined;
  try {
    for (const [i, n] of STEPS.entries()) {
      const running = sides.filter((s) => !s.stopped);
      if (running.length === 0) break;
      if (performance.now() - started > BUDGET_MS) {
        for (const s of running) s.stopped = `time budget (${BUDGET_MS / 1000} s) used`;
        break;
      }
      const ports = await rig.sinkPorts(n);
      await rig.pause();
      for (const s of running) {
        try {
          await s.topology.addConsumers(ports.slice(s.topology.consumers, n));
        } catch (error) {
          // A saturated worker answers too late: this side can take no more, the other goes on.
          s.stopped = `could not add receivers up to N=${n}: ${(error as Error).message}`;
          console.log(`  ${s.topology.name}: ${s.stopped}`);
        }
      }
      // Alternate which side goes first, so that a drift of the load hits both alike.
      for (const s of i % 2 === 0 ? running : [...running].reverse()) {
        if (s.stopped) continue;
        const w = await measureStep(s, rig);
        s.steps.push(w);
        console.log(
          `  ${s.topology.name}, N=${n}: loss ${(w.loss * 100).toFixed(2)} % (${lossWhere(w)}), workers ${(w.workerCpuPercentEach ?? []).map(pct).join(' + ')}, sinks ${pct(w.sinkCpuPercent)}, sender ${pct(w.senderCpuPercent)}, others ${pct(w.othersCpuPercent ?? 0)}`,
        );
        if (w.loss >= MAX_LOSS) s.stopped = `loss ${(w.loss * 100).toFixed(2)} % at N=${n}`;
      }
    }
    for (const s of sides) s.stopped ??= `reached the last step (${STEPS.at(-1)})`;
  } catch (error) {
    failure = `stopped: ${(error as Error).message}`;
    console.log(`  ${failure}`);
  } finally {
    one.close();
    two.close();
    await rig.stop();
  }
  return report(sides, failure);
}

/** The largest passing step of a side, and its first failing one. */
function limits(side: Side) {
  const best = side.steps.filter((w) => w.loss < MAX_LOSS).at(-1);
  const failed = side.steps.find((w) => w.loss >= MAX_LOSS);
  return { best, failed };
}

/**
 * What the CPU allows at most, from what each consumer cost at the side's
 * largest passing step: `cores`, the N at which the workers, the sinks and
 * this process together fill both cores (with the sender as measured, and
 * no other process); `ownCores`, the N at which the busiest worker fills a
 * core of its own (sinks and everything else elsewhere); the smaller of the
 * two bounds the figure on this machine.
 */
export interface Ceilings {
  cores: number;
  ownCores: number;
  bound: number;
}

function ceilings(side: Side): Ceilings | undefined {
  const w = limits(side).best;
  if (!w) return undefined;
  const perConsumer =
    (w.workerCpuPercent + w.sinkCpuPercent + (w.benchCpuPercent ?? 0)) / w.consumers;
  const cores = Math.floor((200 - w.senderCpuPercent) / perConsumer);
  const busiest = Math.max(...(w.workerCpuPercentEach ?? [w.workerCpuPercent]));
  const ownCores = Math.floor((100 * w.consumers) / busiest);
  return { cores, ownCores, bound: Math.min(cores, ownCores) };
}

/** Other processes' CPU over a side's windows: mean and largest, in % of one core. */
function othersLoad(side: Side): { mean: number; max: number } {
  const xs = side.steps.map((w) => w.othersCpuPercent ?? 0);
  return { mean: xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length), max: Math.max(0, ...xs) };
}

function report(sides: Side[], failure: string | undefined): BenchResult {
  const [one, two] = sides as [Side, Side];
  const l1 = limits(one);
  const l2 = limits(two);
  const c1 = ceilings(one);
  const c2 = ceilings(two);
  const figures: Figure[] = [
    figure({
      name: 'one room: largest N with loss < 1 %',
      unit: 'consumers',
      value: l2.best?.consumers ?? 0,
      baseline: l1.best?.consumers ?? 0,
      baselineName: 'the same room on 1 worker',
      higherIsBetter: true,
      note: `2 workers: ${two.stopped ?? 'run cut short'}; 1 worker: ${one.stopped ?? 'run cut short'}. Steps of 50–200: the limit lies below the next step. Other processes during the windows: ${loadText(two)} vs ${loadText(one)} of a core`,
    }),
    figure({
      name: 'delivered packets/s at that N',
      unit: 'packets/s',
      value: l2.best?.deliveredPerSecond ?? 0,
      baseline: l1.best?.deliveredPerSecond ?? 0,
      baselineName: 'the same room on 1 worker',
      higherIsBetter: true,
      note: l2.best && l1.best ? `CPU then: ${cpuText(l2.best)} vs ${cpuText(l1.best)}` : '',
    }),
  ];
  if (c1 && c2)
    figures.push(
      figure({
        name: 'CPU ceiling on this machine (2 cores for workers, sinks and sender; no other process)',
        unit: 'consumers',
        value: c2.bound,
        baseline: c1.bound,
        baselineName: 'the same for 1 worker',
        higherIsBetter: true,
        note: `per-consumer CPU of the largest passing step; both cores full at ${c2.cores} vs ${c1.cores}; the busiest worker at a full core of its own at ${c2.ownCores} vs ${c1.ownCores}`,
      }),
    );
  const firstFail = (s: Side) => limits(s).failed;
  return {
    name: 'workers',
    title: 'One room on 2 workers vs 1: plain-RTP consumers at < 1 % loss',
    figures,
    details: {
      windowSeconds: WINDOW_SECONDS,
      maxConsumersPerWorker: MAX_CONSUMERS_PER_WORKER,
      oneWorker: { stopped: one.stopped, steps: one.steps, ceilings: c1 },
      twoWorkers: { stopped: two.stopped, steps: two.steps, ceilings: c2 },
    },
    notes: [
      ...(failure ? [`**Incomplete run**: ${failure}.`] : []),
      `One room, one source (the synthetic VP8 stream, ${PACKETS_PER_SECOND} packets/s ≈ 1.6 Mbps), N receivers: peers that join the room with canUsePlainRtp, each with a plain RTP transport to one UDP sink, its consumer of the source enabled. Two servers, alike but for numWorkers (1 or 2), both with maxConsumersPerWorker ${MAX_CONSUMERS_PER_WORKER}: on 2 workers the room homes each new receiver on its least-loaded worker, so they alternate, and the source is piped to the second worker once. Receivers join one by one.`,
      `Steps N = ${STEPS.join(', ')}; per step and side a ${WINDOW_SECONDS} s window after 2.5 s of warm-up, the sides alternating; a window at ≥ 1 % loss is measured once more and the better kept (a spike of another process can spoil one). A side stops at its first step at ≥ 1 %.`,
      `Where the loss was: "ingest" counts the source packets the room's producer saw missing (RTP sequence gaps: the ingest socket overflowed, every receiver misses them); the kernel's counters (machine-wide) count datagrams dropped at a full socket buffer (ingest or sinks) and packets dropped at a full loopback backlog (net.core.netdev_max_backlog).`,
      `What bounds it on this machine: the workers, the sinks (one Node process), the sender and every other process share 2 cores. ${firstFail(one) ? `At the first failing step: 1 worker ${cpuText(firstFail(one)!)}. ` : ''}${firstFail(two) ? `2 workers ${cpuText(firstFail(two)!)}. ` : ''}The CPU ceiling row takes what one consumer cost the workers, the sinks and this process at the largest passing step: both cores full of that (the sender as measured, nothing else running) or the busiest worker at 100 % of a core, whichever comes first. The sinks cost about as much CPU per packet as the workers: on a server whose receivers are elsewhere on the network that share would go to the workers.`,
    ],
    extraMarkdown: [
      WINDOW_TABLE_HEAD,
      ...sides.flatMap((s) => s.steps.map((w) => windowRow(s.topology.name, w))),
    ].join('\n'),
  };
}

function loadText(side: Side): string {
  const { mean, max } = othersLoad(side);
  return `${pct(mean)} (up to ${pct(max)})`;
}

function cpuText(w: Window): string {
  return `workers ${(w.workerCpuPercentEach ?? [w.workerCpuPercent]).map(pct).join(' + ')}, sinks ${pct(w.sinkCpuPercent)}, sender ${pct(w.senderCpuPercent)}, others ${pct(w.othersCpuPercent ?? 0)}; loss ${lossWhere(w)}`;
}
