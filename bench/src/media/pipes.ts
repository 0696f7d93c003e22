// Benchmark: worker CPU per delivered packet through a pipe between two
// workers vs on the producer's own router (issue 14), and from the measured
// costs a projection of the consumers one room could take on a 16-core
// server. One server of 2 workers, one room with two synthetic VP8 sources,
// both homed on worker A; N receivers of source 1 homed on A too (the same
// router), N receivers of source 2 homed on worker B (source 2 is piped from
// A to B once). The sender feeds one source at a time (ABBA): only that
// topology forwards. Worker CPU of both workers, summed, per delivered packet.
import type { RtpIngest } from '@x/server';
import { type BenchResult, type Figure, figure } from '../lib/report.js';
import { combine, measureWindow, type Window } from './measure.js';
import { type Projection, projection, projectionText } from './projection.js';
import { startRig } from './rig.js';
import { type RoomRig, roomTopology, startRoomRig } from './room-topology.js';
import { PACKETS_PER_SECOND } from './source.js';
import type { Topology } from './topology.js';
import { WINDOW_TABLE_HEAD, windowRow } from './window-text.js';

const STEPS = [10, 50, 200];
const WINDOW_SECONDS = 5;

interface Row {
  n: number;
  same: Window;
  piped: Window;
  placement: number[];
  /** Worker CPU of one piped source packet (sent by A, received by B), µs: the difference of the two sides. */
  pipeUsPerSourcePacket: number;
}

/**
 * A room whose first N receivers are homed on the sources' worker and the
 * next N on the other one: with maxConsumersPerWorker N + 1 and 2 sources,
 * a receiver fits on worker A while A has fewer than N consumers.
 */
async function build(n: number, ports: [number, number]): Promise<RoomRig> {
  const rig = await startRoomRig({
    numWorkers: 2,
    ports,
    maxConsumersPerWorker: n + 1,
    sources: 2,
  });
  return rig;
}

async function addReceivers(room: RoomRig, ports: readonly number[], n: number): Promise<void> {
  const [local, remote] = room.ingests as [RtpIngest, RtpIngest];
  const home = room.workerIndexOf(local.producer.transport.router);
  if (room.workerIndexOf(remote.producer.transport.router) !== home)
    throw new Error('the two sources are not homed on the same worker');
  // Both sides send to the same N sinks (only the fed source forwards): the
  // k-th receiver of each source gets sink k.
  const count = (source: RtpIngest) => room.receivers.filter((r) => r.source === source).length;
  for (let i = 0; i < 2 * n; i++) {
    await room.addReceiver((worker) => {
      const source = worker === home ? local : remote;
      if (count(source) >= n)
        throw new Error(
          `the room homed more than ${n} receivers on worker ${worker}: maxConsumersPerWorker placement changed`,
        );
      return { source, port: ports[count(source)]! };
    });
  }
  const onHome = room.receivers.filter((r) => r.worker === home && r.source === local).length;
  const elsewhere = room.receivers.filter((r) => r.worker !== home && r.source === remote).length;
  if (onHome !== n || elsewhere !== n)
    throw new Error(
      `the room homed ${onHome} receivers with the sources and ${elsewhere} elsewhere, not ${n} and ${n}: maxConsumersPerWorker placement changed`,
    );
  if (room.room.pipesOf(remote.producer) !== 1 || room.room.pipesOf(local.producer) !== 0)
    throw new Error('source 2 should be piped to exactly one router, source 1 to none');
}

export async function run(): Promise<BenchResult> {
  const rig = startRig();
  const rows: Row[] = [];
  let failure: string | undefined;
  try {
    for (const [i, n] of STEPS.entries()) {
      const room = await build(n, i % 2 === 0 ? [47000, 48499] : [48500, 49999]);
      try {
        const ports = await rig.sinkPorts(n);
        await rig.pause();
        await addReceivers(room, ports, n);
        const same = roomTopology(room, 'same router', room.ingests[0]!);
        const piped = roomTopology(room, 'piped', room.ingests[1]!);
        const order: Topology[] =
          i % 2 === 0 ? [same, piped, piped, same] : [piped, same, same, piped];
        const windows = new Map<Topology, Window[]>([
          [same, []],
          [piped, []],
        ]);
        for (const t of order) {
          await rig.feed(t);
          windows.get(t)!.push(await measureWindow(t, rig.sender, rig.sinks, WINDOW_SECONDS));
        }
        const s = combine(windows.get(same)!);
        const p = combine(windows.get(piped)!);
        // Per source packet: each side's worker CPU over the window's source packets.
        const sourcePackets = (w: Window) => w.expected / w.consumers;
        const workerMs = (w: Window) => (w.workerCpuPer1k * w.received) / 1000;
        const pipeUs = (workerMs(p) / sourcePackets(p) - workerMs(s) / sourcePackets(s)) * 1000;
        rows.push({
          n,
          same: s,
          piped: p,
          placement: room.consumersPerWorker(),
          pipeUsPerSourcePacket: pipeUs,
        });
        console.log(
          `  N=${n}: same router ${s.workerCpuPer1k.toFixed(2)} ms/1k (loss ${(s.loss * 100).toFixed(2)} %), piped ${p.workerCpuPer1k.toFixed(2)} ms/1k (loss ${(p.loss * 100).toFixed(2)} %); pipe ${pipeUs.toFixed(0)} µs per source packet`,
        );
      } finally {
        room.close();
      }
    }
  } catch (error) {
    failure = `stopped after N=${rows.at(-1)?.n ?? 0}: ${(error as Error).message}`;
    console.log(`  ${failure}`);
  } finally {
    await rig.stop();
  }
  const projected = rows.length > 0 ? projection(rows) : undefined;
  if (projected) for (const line of projectionText(projected)) console.log(`  ${line}`);
  return report(rows, projected, failure);
}

function report(
  rows: Row[],
  projected: Projection | undefined,
  failure: string | undefined,
): BenchResult {
  const figures: Figure[] = rows.flatMap(({ n, same, piped, pipeUsPerSourcePacket }) => [
    figure({
      name: `N=${n} per side: worker CPU per 1,000 delivered packets`,
      unit: 'ms',
      value: piped.workerCpuPer1k,
      baseline: same.workerCpuPer1k,
      baselineName: 'receivers on the producer’s own router',
      higherIsBetter: false,
      note: `target ≤ 1.1×; both workers summed on both sides (piped: ${(piped.workerCpuPercentEach ?? []).map((x) => `${x.toFixed(0)} %`).join(' + ')}); the pipe costs ${pipeUsPerSourcePacket.toFixed(0)} µs per source packet`,
    }),
    figure({
      name: `N=${n} per side: loss`,
      unit: '%',
      value: piped.loss * 100,
      baseline: same.loss * 100,
      baselineName: 'receivers on the producer’s own router',
      higherIsBetter: false,
      note: `${piped.received}/${piped.expected} vs ${same.received}/${same.expected} packets`,
    }),
  ]);
  if (projected)
    figures.push(
      figure({
        name: 'projection: consumers of one room on a 16-core server (one 1.6 Mbps video source)',
        unit: 'consumers',
        value: projected.roomConsumers,
        baseline: projected.perWorker,
        baselineName: 'one worker, same assumptions',
        higherIsBetter: true,
        note: `CPU bound ${projected.cpuBound}, 10 GbE bound ${projected.nicBound}: see the notes for the assumptions`,
      }),
    );
  return {
    name: 'pipes',
    title:
      'Worker CPU per packet through a pipe between workers vs the same router; 16-core projection',
    figures,
    details: { rows, projection: projected, windowSeconds: WINDOW_SECONDS },
    notes: [
      ...(failure ? [`**Incomplete run**: ${failure}.`] : []),
      `One server of 2 workers, one room, two synthetic VP8 sources (${PACKETS_PER_SECOND} packets/s each when fed) homed on worker A. N receivers of source 1 are homed on A (the producer’s own router), N receivers of source 2 on worker B, where source 2 is piped once (a pipe between the two routers): maxConsumersPerWorker N + 1 makes the room fill A first, and the bench checks where every receiver landed. Receivers: peers with a plain RTP transport to a UDP sink each (canUsePlainRtp).`,
      `The sender feeds one source at a time, two ${WINDOW_SECONDS} s windows each in ABBA order, after 2.5 s of warm-up; worker CPU = both workers’ ru_utime + ru_stime, summed, over the window, per delivered packet. The pipe adds, per source packet, one send on A and one receive on B; its cost per source packet is the difference of the two sides’ worker CPU per source packet (noisy: a difference of two measures).`,
      ...(projected ? projectionText(projected) : []),
    ],
    extraMarkdown: [
      WINDOW_TABLE_HEAD,
      ...rows.flatMap((r) => [
        windowRow(`N=${r.n}: same router`, r.same),
        windowRow(`N=${r.n}: piped`, { ...r.piped, placement: r.placement }),
      ]),
    ].join('\n'),
  };
}
