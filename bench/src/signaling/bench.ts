// Benchmark (b): signaling under a pause/resume storm from 50 peers. @x
// (protobuf over WebSocket, @x server in its own process) against two
// baselines measured in the same run: the mediasoup producers paused and
// resumed in-process (no signaling), and mediasoup's demo way (protoo JSON
// requests over WebSocket to a mediasoup server in its own process).
import type { ChannelCounts } from '../lib/census.js';
import { Child } from '../lib/child.js';
import { cpuMeter, machineCpuMs, processWakeups } from '../lib/cpu.js';
import { type BenchResult, type Figure, figure } from '../lib/report.js';
import { quantile, sleep } from '../lib/stats.js';
import { directLoad } from './direct-load.js';
import { protooLoad } from './protoo-load.js';
import { storm } from './storm.js';
import { type Load, xLoad } from './x-load.js';

const PEERS = 50;
const WARMUP_MS = 2000;
const ROUNDS = 3;
const ROUND_MS = 4000;

interface Measured {
  opsPerSecond: number;
  p50: number;
  p99: number;
  /** CPU of the server process per op, in ms (undefined in-process). */
  serverCpuPerOp?: number;
  /** CPU of the mediasoup worker per op, in ms. */
  workerCpuPerOp: number;
  /** CPU of this process (the clients, or the in-process calls) per op, in ms. */
  clientCpuPerOp: number;
  /** Requests to the mediasoup worker per op, and by method (all rounds). */
  workerRequestsPerOp: number;
  workerRequests: Record<string, number>;
  /** Notifications from the worker, by event (all rounds). */
  workerNotifications: Record<string, number>;
  /** Times the worker went to sleep waiting for a request, per op. */
  workerWakeupsPerOp: number;
  /** Share of one core each process kept busy during the rounds (0–1); `others`: every other process of the machine. */
  busy: { server?: number; worker: number; clients: number; others: number };
}

interface Variant {
  load: Load;
  serverPid?: number;
  workerPid: number;
  ops: number;
  seconds: number;
  latencies: number[];
  serverMs: number;
  workerMs: number;
  clientMs: number;
  /** CPU time of the whole machine during the rounds. */
  machineMs: number;
  wakeups: number;
  requests: Record<string, number>;
  notifications: Record<string, number>;
  /** Requests and notifications on the worker's channel since the last call. */
  census(): Promise<ChannelCounts>;
  stop(): Promise<void>;
}

async function withServer(
  file: string,
  ports: [number, number],
  makeLoad: (server: Child) => Promise<Load>,
): Promise<Variant> {
  const server = Child.start(file, import.meta.url, ports.map(String));
  const info = await server.call<{ pid: number; workerPids: number[] }>('info');
  const load = await makeLoad(server);
  return {
    ...emptyVariant(load, info.workerPids[0]!, () => server.call<ChannelCounts>('census')),
    serverPid: info.pid,
    stop: async () => {
      load.close();
      await sleep(200);
      await server.stop();
    },
  };
}

function emptyVariant(
  load: Load,
  workerPid: number,
  census: () => Promise<ChannelCounts>,
): Variant {
  return {
    load,
    workerPid,
    ops: 0,
    seconds: 0,
    latencies: [],
    serverMs: 0,
    workerMs: 0,
    clientMs: 0,
    machineMs: 0,
    wakeups: 0,
    requests: {},
    notifications: {},
    census,
    stop: async () => load.close(),
  };
}

function addCounts(into: Record<string, number>, counts: Record<string, number>): void {
  for (const [key, n] of Object.entries(counts)) into[key] = (into[key] ?? 0) + n;
}

const sum = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((a, b) => a + b, 0);

/** "producer.pause 2502, producer.resume 2502" (nothing: "none"). */
const counted = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none';

const percent = (share: number | undefined): string =>
  share === undefined ? '–' : `${(share * 100).toFixed(0)} %`;

/** What kept a variant's processes busy, in % of one core. */
const busyText = (m: Measured): string =>
  `server ${percent(m.busy.server)}, its worker ${percent(m.busy.worker)}, clients ${percent(m.busy.clients)}, other processes ${percent(m.busy.others)}`;

/** One measured round of a variant, added to its totals. */
async function round(v: Variant): Promise<void> {
  await v.census(); // what setup and earlier rounds asked is not this round's
  const wakeups = processWakeups(v.workerPid);
  const meter = cpuMeter(v.serverPid ? [v.workerPid, v.serverPid] : [v.workerPid]);
  const machine = machineCpuMs();
  const client = process.cpuUsage();
  const r = await storm(PEERS, v.load.toggle, ROUND_MS);
  const [workerMs, serverMs] = meter.stop();
  const used = process.cpuUsage(client);
  v.machineMs += machineCpuMs() - machine;
  v.wakeups += processWakeups(v.workerPid) - wakeups;
  const counts = await v.census();
  addCounts(v.requests, counts.requests);
  addCounts(v.notifications, counts.notifications);
  v.ops += r.ops;
  v.seconds += r.seconds;
  for (const l of r.latencies) v.latencies.push(l);
  v.workerMs += workerMs!;
  v.serverMs += serverMs ?? 0;
  v.clientMs += (used.user + used.system) / 1000;
}

function summary(v: Variant): Measured {
  return {
    opsPerSecond: v.ops / v.seconds,
    p50: quantile(v.latencies, 0.5),
    p99: quantile(v.latencies, 0.99),
    serverCpuPerOp: v.serverPid ? v.serverMs / v.ops : undefined,
    workerCpuPerOp: v.workerMs / v.ops,
    clientCpuPerOp: v.clientMs / v.ops,
    workerRequestsPerOp: sum(v.requests) / v.ops,
    workerRequests: v.requests,
    workerNotifications: v.notifications,
    workerWakeupsPerOp: v.wakeups / v.ops,
    busy: {
      server: v.serverPid ? v.serverMs / 1000 / v.seconds : undefined,
      worker: v.workerMs / 1000 / v.seconds,
      clients: v.clientMs / 1000 / v.seconds,
      others: Math.max(0, v.machineMs - v.serverMs - v.workerMs - v.clientMs) / 1000 / v.seconds,
    },
  };
}

export async function run(): Promise<BenchResult> {
  console.log('  setting up @x, protoo and in-process rooms …');
  const variants = {
    x: await withServer('../servers/x-server.ts', [47000, 47199], (s) => xLoad(s, PEERS)),
    protoo: await withServer('../servers/protoo-server.ts', [47200, 47399], (s) =>
      protooLoad(s, PEERS),
    ),
    direct: await directLoad(PEERS, [47400, 47599]).then((d) =>
      emptyVariant(d, d.workerPid, async () => d.census()),
    ),
  };
  try {
    for (const v of Object.values(variants)) await storm(PEERS, v.load.toggle, WARMUP_MS);
    // Rounds alternate between the variants, so that a busy spell of the
    // machine does not fall on one of them only.
    for (let i = 0; i < ROUNDS; i++) {
      console.log(`  round ${i + 1}/${ROUNDS}`);
      for (const v of Object.values(variants)) await round(v);
    }
  } finally {
    for (const v of Object.values(variants)) await v.stop();
  }
  const x = summary(variants.x);
  const protoo = summary(variants.protoo);
  const direct = summary(variants.direct);

  const both = (
    name: string,
    unit: string,
    pick: (m: Measured) => number,
    higherIsBetter: boolean,
  ): Figure[] => [
    figure({
      name,
      unit,
      value: pick(x),
      baseline: pick(direct),
      baselineName: 'mediasoup in-process',
      higherIsBetter,
    }),
    figure({
      name,
      unit,
      value: pick(x),
      baseline: pick(protoo),
      baselineName: 'protoo JSON (demo way)',
      higherIsBetter,
    }),
  ];
  return {
    name: 'signaling',
    title: `Signaling: pause/resume storm from ${PEERS} peers over WebSocket`,
    figures: [
      ...both('pause/resume throughput', 'ops/s', (m) => m.opsPerSecond, true),
      ...both('latency p50', 'ms', (m) => m.p50, false),
      ...both('latency p99', 'ms', (m) => m.p99, false),
      figure({
        name: 'server Node process CPU per op',
        unit: 'ms',
        value: x.serverCpuPerOp!,
        baseline: protoo.serverCpuPerOp,
        baselineName: 'protoo JSON (demo way)',
        higherIsBetter: false,
        note: `each op fans out to ${PEERS - 1} peers`,
      }),
      figure({
        name: 'mediasoup worker CPU per op',
        unit: 'ms',
        value: x.workerCpuPerOp,
        baseline: protoo.workerCpuPerOp,
        baselineName: 'protoo JSON (demo way)',
        higherIsBetter: false,
      }),
      figure({
        name: 'mediasoup worker requests per op',
        unit: 'requests',
        value: x.workerRequestsPerOp,
        baseline: protoo.workerRequestsPerOp,
        baselineName: 'protoo JSON (demo way)',
        higherIsBetter: false,
        note: `@x ${counted(x.workerRequests)}; protoo ${counted(protoo.workerRequests)}; worker notifications: @x ${sum(x.workerNotifications)}, protoo ${sum(protoo.workerNotifications)}`,
      }),
      figure({
        name: 'mediasoup worker wake-ups per op',
        unit: 'wake-ups',
        value: x.workerWakeupsPerOp,
        baseline: protoo.workerWakeupsPerOp,
        baselineName: 'protoo JSON (demo way)',
        higherIsBetter: false,
        note: 'times the worker slept waiting for a request (voluntary context switches): a tiny request costs the worker mostly its wake-up',
      }),
      figure({
        name: 'client CPU per op (all 50 clients, one process)',
        unit: 'ms',
        value: x.clientCpuPerOp,
        baseline: protoo.clientCpuPerOp,
        baselineName: 'protoo JSON (demo way)',
        higherIsBetter: false,
        note: '@x: bare protobuf clients on ws; protoo: protoo-client on the websocket package',
      }),
    ],
    details: {
      x,
      protoo,
      direct,
      peers: PEERS,
      warmupMs: WARMUP_MS,
      rounds: ROUNDS,
      roundMs: ROUND_MS,
    },
    notes: [
      `${PEERS} peers in one room, one audio producer each; every peer loops, in ${ROUNDS} rounds of ${ROUND_MS / 1000} s that alternate between the three variants (after ${WARMUP_MS / 1000} s of warm-up each): pause its producer, wait until it is seen paused, resume, wait until seen resumed. One op = one pause or resume.`,
      `Seen = @x: the next peer in the ring receives consumerPaused/consumerResumed (the client sends the protocol's pauseProducer/resumeProducer notification, which has no response). protoo: the pauseProducer/resumeProducer request is answered and the next peer has the notification. In-process: the awaited producer.pause()/resume() of mediasoup resolves. Every other peer receives the notification too (${PEERS - 1} per op).`,
      'Servers run in their own process (one mediasoup worker); the clients share this process. All on the same 2 cores, so the latencies include the clients’ own queueing. The @x server runs with limits.messagesPerSecond raised (the default 50/s per connection would throttle the storm).',
      'The @x server tells the consumers’ peers at once and pauses the engine producer without waiting for it (at the end of the event-loop turn, so that the requests of one turn reach the worker together); the protoo server (like mediasoup’s demo) answers after the engine has paused. Neither creates engine consumers here (no peer enabled one).',
      `Busy during the rounds, in % of one core (of the machine's two; a process near 100 %, or all of them near 200 %, bounds the throughput): @x: ${busyText(x)}; protoo: ${busyText(protoo)}; in-process: worker ${percent(direct.busy.worker)}, calls ${percent(direct.busy.clients)}, other processes ${percent(direct.busy.others)}.`,
      'Worker requests and notifications are counted on the mediasoup channel of each server (mediasoup 3.12 keeps it private; the bench wraps the request and emit of its Channel class, in the server processes only).',
    ],
  };
}
