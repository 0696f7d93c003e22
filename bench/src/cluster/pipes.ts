// Benchmark: worker CPU per delivered packet through a host-to-host pipe
// (issue 15, "a room across hosts"). Two cluster nodes (own processes, own
// worker each, on 127.0.0.2 and .3, a real redis-server): a synthetic VP8
// source ingested on node A, relayed to N UDP sinks by RtpStreamers on node
// B (the source reaches B through the nodes' pipe transports), against the
// same on node A itself. The workers of both nodes are charged in both cases.
import { type BenchResult, type Figure, figure } from '../lib/report.js';
import { combine, measureWindow, type Window } from '../media/measure.js';
import { startRig } from '../media/rig.js';
import { PACKETS_PER_SECOND } from '../media/source.js';
import type { Topology } from '../media/topology.js';
import { WINDOW_TABLE_HEAD, windowRow } from '../media/window-text.js';
import { type BenchCluster, type BenchNode, startCluster } from './cluster.js';

const STEPS = [10, 50, 200];
const WINDOW_SECONDS = 5;

/**
 * One source on node A, and its receivers on `on`. The local source is in a
 * room only node A has: node B never pipes it (a node pipes in every
 * producer of a room it takes part in, consumed or not).
 */
async function topology(
  cluster: BenchCluster,
  name: string,
  room: string,
  on: BenchNode,
): Promise<Topology> {
  const { a, b } = cluster;
  if (on === b) await b.child.call('room', { room });
  const source = await a.child.call<{ producerId: number; port: number }>('ingest', {
    room,
    peer: 'source',
  });
  const topology: Topology = {
    name,
    ingestPort: source.port,
    consumers: 0,
    async addConsumers(ports) {
      const { pipedIn } = await on.child.call<{ pipedIn: boolean }>('stream', {
        room,
        peer: 'source',
        producer: source.producerId,
        ports,
      });
      if (pipedIn !== (on === b))
        throw new Error(`${name}: the streamers' producer is not where expected`);
      topology.consumers += ports.length;
    },
    workerCpuMs: async () => (await topology.workerCpuEachMs!()).reduce((s, x) => s + x, 0),
    workerCpuEachMs: () =>
      Promise.all([a.child.call<number>('workerCpu'), b.child.call<number>('workerCpu')]),
    ingestLost: () => a.child.call<number>('ingestLost', { room, peer: 'source' }),
    helperCpuMs: async () => cluster.helperCpuMs(),
    close: () => undefined,
  };
  return topology;
}

export async function run(): Promise<BenchResult> {
  const cluster = await startCluster('server', { a: [47000, 47999], b: [48000, 48999] });
  const rig = startRig();
  const rows: { n: number; local: Window; remote: Window }[] = [];
  let failure: string | undefined;
  try {
    const local = await topology(cluster, 'local (node A)', 'local', cluster.a);
    const remote = await topology(cluster, 'across nodes (A → B)', 'wide', cluster.b);
    for (const [i, n] of STEPS.entries()) {
      const ports = await rig.sinkPorts(n);
      await rig.pause();
      await local.addConsumers(ports.slice(local.consumers, n));
      await remote.addConsumers(ports.slice(remote.consumers, n));
      const order = i % 2 === 0 ? [local, remote, remote, local] : [remote, local, local, remote];
      const windows = new Map<Topology, Window[]>([
        [local, []],
        [remote, []],
      ]);
      for (const t of order) {
        await rig.feed(t);
        windows.get(t)!.push(await measureWindow(t, rig.sender, rig.sinks, WINDOW_SECONDS));
      }
      const row = { n, local: combine(windows.get(local)!), remote: combine(windows.get(remote)!) };
      rows.push(row);
      console.log(
        `  N=${n}: local ${row.local.workerCpuPer1k.toFixed(2)} ms/1k (loss ${(row.local.loss * 100).toFixed(2)} %), across nodes ${row.remote.workerCpuPer1k.toFixed(2)} ms/1k (loss ${(row.remote.loss * 100).toFixed(2)} %)`,
      );
    }
  } catch (error) {
    failure = `stopped after N=${rows.at(-1)?.n ?? 0}: ${(error as Error).message}`;
    console.log(`  ${failure}`);
  } finally {
    await rig.stop();
    await cluster.stop();
  }
  return report(rows, failure);
}

function report(
  rows: { n: number; local: Window; remote: Window }[],
  failure?: string,
): BenchResult {
  const each = (w: Window) =>
    (w.workerCpuPercentEach ?? []).map((x) => `${x.toFixed(0)} %`).join(' + ');
  const figures: Figure[] = rows.flatMap(({ n, local, remote }) => {
    const sourcePackets = (w: Window) => w.expected / w.consumers;
    const workerMs = (w: Window) => (w.workerCpuPer1k * w.received) / 1000;
    const pipeUs =
      (workerMs(remote) / sourcePackets(remote) - workerMs(local) / sourcePackets(local)) * 1000;
    return [
      figure({
        name: `N=${n}: worker CPU per 1,000 delivered packets`,
        unit: 'ms',
        value: remote.workerCpuPer1k,
        baseline: local.workerCpuPer1k,
        baselineName: 'receivers on the producer’s node',
        higherIsBetter: false,
        note: `workers of A + B: ${each(remote)} vs ${each(local)} of a core; the pipe costs ${pipeUs.toFixed(0)} µs per source packet`,
      }),
      figure({
        name: `N=${n}: loss`,
        unit: '%',
        value: remote.loss * 100,
        baseline: local.loss * 100,
        baselineName: 'receivers on the producer’s node',
        higherIsBetter: false,
        note: `${remote.received}/${remote.expected} vs ${local.received}/${local.expected} packets`,
      }),
    ];
  });
  return {
    name: 'cluster-pipes',
    title: 'Worker CPU per packet through a host-to-host pipe (cluster) vs on the producer’s node',
    figures,
    details: { rows, windowSeconds: WINDOW_SECONDS },
    notes: [
      ...(failure ? [`**Incomplete run**: ${failure}.`] : []),
      `A real redis-server and two cluster nodes, each a Server of one worker in its own process, on 127.0.0.2 (A) and 127.0.0.3 (B), pipes between them on those addresses (mediasoup pipe transports with RTX, as the cluster makes them). The synthetic VP8 source (${PACKETS_PER_SECOND} packets/s ≈ 1.6 Mbps) enters node A through an RtpIngest; N RtpStreamers relay it to N UDP sinks. Across nodes: the streamers are on node B, which receives the source through the pipe of the room (node B takes part in the room, with no peer of its own). Local: a second source on node A, in a room node B does not take part in, with its streamers on node A.`,
      `Per N, two ${WINDOW_SECONDS} s windows per side in ABBA order after 2.5 s of warm-up; only the fed source forwards. Worker CPU: both nodes’ workers (ru_utime + ru_stime), summed, on both sides, per delivered packet. The pipe adds one send on A and one receive on B per source packet (and RTX state): per source packet its cost is the difference of the two sides (noisy at small N).`,
      'The nodes’ Node processes and redis-server are not on the media path; their CPU is in the table (“this process + nodes”). Loopback: pipe packets and sink packets cross no wire; on two hosts the pipe’s packets cost a NIC’s transmit and receive instead of the loopback delivery.',
    ],
    extraMarkdown: [
      WINDOW_TABLE_HEAD,
      ...rows.flatMap((r) => [
        windowRow(`N=${r.n}: local`, r.local),
        windowRow(`N=${r.n}: across nodes`, r.remote),
      ]),
    ].join('\n'),
  };
}
