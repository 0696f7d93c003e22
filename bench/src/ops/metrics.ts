// What Prometheus costs the media path: a room of an @x server (one worker)
// relaying one synthetic VP8 source to N = 200 receivers (peers with plain
// RTP transports, as in the capacity benchmark), measured in windows with
// the server's /metrics scraped every second (ServerMetrics, what x-server
// serves: counts from the object tree, every transport's stats and the
// worker's CPU asked of the worker) and windows without, alternately (ABBA),
// in the same run. The figure: worker CPU per 1,000 delivered packets,
// scraped vs not (goal ≤ 1.02×).
import { ServerMetrics } from '@x/server';
import { type BenchResult, figure } from '../lib/report.js';
import { combine, measureWindow, type Window } from '../media/measure.js';
import { startRig } from '../media/rig.js';
import { roomTopology, startRoomRig } from '../media/room-topology.js';

const RECEIVERS = 200;
const WINDOW_SECONDS = 5;
const ROUNDS = 2;

export async function run(): Promise<BenchResult> {
  const rig = startRig();
  const room = await startRoomRig({
    numWorkers: 1,
    ports: [47000, 47999],
    maxConsumersPerWorker: 10_000,
  });
  const topology = roomTopology(room, 'scraped', room.ingests[0]!);
  const metrics = new ServerMetrics(room.server);
  const windows = { scraped: [] as Window[], quiet: [] as Window[] };
  let scrapes = 0;
  let scrapeMs = 0;
  let bytes = 0;
  try {
    await topology.addConsumers(await rig.sinkPorts(RECEIVERS));
    await rig.feed(topology);
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of round % 2 === 0
        ? (['quiet', 'scraped', 'scraped', 'quiet'] as const)
        : (['scraped', 'quiet', 'quiet', 'scraped'] as const)) {
        let timer: NodeJS.Timeout | undefined;
        if (mode === 'scraped') {
          const scrape = async () => {
            const t0 = performance.now();
            bytes = (await metrics.metrics()).length;
            scrapeMs += performance.now() - t0;
            scrapes++;
          };
          await scrape();
          timer = setInterval(() => void scrape(), 1000);
        }
        try {
          windows[mode].push(await measureWindow(topology, rig.sender, rig.sinks, WINDOW_SECONDS));
        } finally {
          clearInterval(timer);
        }
      }
    }
  } finally {
    topology.close();
    await rig.stop();
  }
  const scraped = combine(windows.scraped);
  const quiet = combine(windows.quiet);
  console.log(
    `  scraped: ${scraped.workerCpuPer1k.toFixed(2)} ms/1k, loss ${(scraped.loss * 100).toFixed(2)} %; not scraped: ${quiet.workerCpuPer1k.toFixed(2)} ms/1k, loss ${(quiet.loss * 100).toFixed(2)} %`,
  );
  return {
    name: 'metrics',
    title: `Fan-out to ${RECEIVERS} receivers with /metrics scraped every second vs not`,
    figures: [
      figure({
        name: 'worker CPU per 1,000 delivered packets',
        unit: 'ms',
        value: scraped.workerCpuPer1k,
        baseline: quiet.workerCpuPer1k,
        baselineName: 'not scraped',
        higherIsBetter: false,
        note: `goal ≤ 1.02×; worker ${scraped.workerCpuPercent.toFixed(0)} % vs ${quiet.workerCpuPercent.toFixed(0)} % of a core`,
      }),
      figure({
        name: 'loss',
        unit: '%',
        value: scraped.loss * 100,
        baseline: quiet.loss * 100,
        baselineName: 'not scraped',
        higherIsBetter: false,
      }),
      figure({
        name: 'one scrape (Node side: text of every metric)',
        unit: 'ms',
        value: scrapeMs / Math.max(1, scrapes),
        higherIsBetter: false,
        note: `${scrapes} scrapes of ${(bytes / 1024).toFixed(1)} KiB; this process ${scraped.benchCpuPercent?.toFixed(1) ?? '?'} % vs ${quiet.benchCpuPercent?.toFixed(1) ?? '?'} % of a core`,
      }),
    ],
    notes: [
      `${ROUNDS * 2} windows of ${WINDOW_SECONDS} s each way, in ABBA order. A scrape asks the worker for each of the ${RECEIVERS} transports' stats and for its resource usage.`,
    ],
  };
}
