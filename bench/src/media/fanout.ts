// Benchmark (c): media fan-out. One synthetic VP8 source (≈1.6 Mbps, 180
// packets/s) into a room, relayed to N = 50…400 UDP sinks by @x
// RtpStreamers, against the same topology on bare mediasoup (router +
// plainTransport.consume per sink), measured in the same run, alternately.
import { type BenchResult, type Figure, figure } from '../lib/report.js';
import { combine, measureWindow, type Window } from './measure.js';
import { startRig } from './rig.js';
import { PACKETS_PER_SECOND } from './source.js';
import { bareTopology, type Topology, xTopology } from './topology.js';

const STEPS = [50, 100, 200, 400];
const WINDOW_SECONDS = 5;

export async function run(): Promise<BenchResult> {
  const rig = startRig();
  const x = await xTopology([48000, 48999]);
  const bare = await bareTopology([49000, 49999]);
  const rows: { n: number; x: Window; bare: Window }[] = [];
  let failure: string | undefined;
  try {
    for (const [i, n] of STEPS.entries()) {
      const ports = await rig.sinkPorts(n);
      const fresh = ports.slice(x.consumers, n);
      await rig.pause();
      await x.addConsumers(fresh);
      await bare.addConsumers(fresh);
      // Only the topology being fed forwards anything. Two windows each, in
      // ABBA order (BAAB for the next N), so that a drift of the machine's
      // load falls on both alike.
      const order: Topology[] = i % 2 === 0 ? [bare, x, x, bare] : [x, bare, bare, x];
      const windows = new Map<Topology, Window[]>([
        [x, []],
        [bare, []],
      ]);
      for (const t of order) {
        await rig.feed(t);
        windows.get(t)!.push(await measureWindow(t, rig.sender, rig.sinks, WINDOW_SECONDS));
      }
      const row = { n, x: combine(windows.get(x)!), bare: combine(windows.get(bare)!) };
      rows.push(row);
      console.log(
        `  N=${n}: @x loss ${(row.x.loss * 100).toFixed(2)} %, ${row.x.workerCpuPer1k.toFixed(1)} ms/1k; bare loss ${(row.bare.loss * 100).toFixed(2)} %, ${row.bare.workerCpuPer1k.toFixed(1)} ms/1k`,
      );
    }
  } catch (error) {
    // Keep what was measured; say what stopped it.
    failure = `stopped after N=${rows.at(-1)?.n ?? 0}: ${(error as Error).message}`;
    console.log(`  ${failure}`);
  } finally {
    x.close();
    bare.close();
    await rig.stop();
  }
  const figures: Figure[] = rows.flatMap(({ n, x: a, bare: b }) => [
    figure({
      name: `N=${n}: delivered packets/s`,
      unit: 'packets/s',
      value: a.deliveredPerSecond,
      baseline: b.deliveredPerSecond,
      baselineName: 'bare mediasoup',
      higherIsBetter: true,
      note: `expected ${n * PACKETS_PER_SECOND}/s`,
    }),
    figure({
      name: `N=${n}: loss`,
      unit: '%',
      value: a.loss * 100,
      baseline: b.loss * 100,
      baselineName: 'bare mediasoup',
      higherIsBetter: false,
      note: `${a.received}/${a.expected} vs ${b.received}/${b.expected} packets`,
    }),
    figure({
      name: `N=${n}: worker CPU per 1,000 delivered packets`,
      unit: 'ms',
      value: a.workerCpuPer1k,
      baseline: b.workerCpuPer1k,
      baselineName: 'bare mediasoup',
      higherIsBetter: false,
      note: `worker ${a.workerCpuPercent.toFixed(0)} % vs ${b.workerCpuPercent.toFixed(0)} % of a core; sinks ${a.sinkCpuPercent.toFixed(0)} % / ${b.sinkCpuPercent.toFixed(0)} %`,
    }),
  ]);
  return {
    name: 'fanout',
    title: 'Media fan-out: one VP8 source to N RtpStreamers vs bare mediasoup',
    figures,
    details: { rows, windowSeconds: WINDOW_SECONDS },
    notes: [
      ...(failure ? [`**Incomplete run**: ${failure}.`] : []),
      `Source: a synthetic VP8 RTP sender in its own process, 30 frames/s of 6 packets × 1,100 bytes (${PACKETS_PER_SECOND} packets/s, ≈1.6 Mbps), a key frame every second; each packet ends with a counter. Sinks: one UDP socket per consumer, all in one process, counting the packets of the window by their counter.`,
      `Per N and topology: two ${WINDOW_SECONDS} s windows of ${WINDOW_SECONDS * PACKETS_PER_SECOND} source packets, each after a 2.5 s warm-up, added up; expected = windows × N; loss = 1 − received/expected. Worker CPU from worker.getResourceUsage() (ru_utime + ru_stime) over the window.`,
      'Both topologies exist at once on workers of their own; only the fed one forwards. The windows go in ABBA order (BAAB for the next N). The RTP path is mediasoup’s in both: the ratio shows what @x adds around it (nothing per packet is expected).',
    ],
  };
}
