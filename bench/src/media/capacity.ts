// Benchmark (e): capacity. The largest number of RtpStreamer consumers one
// @x worker forwards the synthetic VP8 source to with under 1 % loss: N
// grows until the loss reaches 1 % (or the time or port budget runs out).
// Set next to mediasoup's published "~500 consumers per worker". The sinks
// and the sender share the 2 cores with the worker: their CPU is reported.
import { type BenchResult, figure } from '../lib/report.js';
import { measureWindow, type Window } from './measure.js';
import { startRig } from './rig.js';
import { PACKETS_PER_SECOND } from './source.js';
import { xTopology } from './topology.js';

const STEPS = [100, 200, 300, 400, 450, 500, 550, 600, 700, 800, 1000, 1200, 1400, 1600, 1900];
const WINDOW_SECONDS = 5;
const MAX_LOSS = 0.01;
/** Stop stepping after this long, to keep the benchmark under 5 minutes. */
const BUDGET_MS = 200_000;
/** mediasoup.org/documentation/v3/scalability: "a mediasoup C++ subprocess can typically handle over ~500 consumers in total". */
const PUBLISHED = 500;

const pct = (x: number) => `${x.toFixed(0)} %`;

export async function run(): Promise<BenchResult> {
  const started = performance.now();
  const rig = startRig();
  const x = await xTopology([48000, 49999]);
  const steps: Window[] = [];
  let stopReason = `reached the last step (${STEPS.at(-1)})`;
  try {
    for (const n of STEPS) {
      if (performance.now() - started > BUDGET_MS) {
        stopReason = `time budget (${BUDGET_MS / 1000} s) used`;
        break;
      }
      const ports = await rig.sinkPorts(n);
      await rig.pause();
      await x.addConsumers(ports.slice(x.consumers, n));
      await rig.feed(x);
      const w = await measureWindow(x, rig.sender, rig.sinks, WINDOW_SECONDS);
      steps.push(w);
      console.log(
        `  N=${n}: loss ${(w.loss * 100).toFixed(2)} %, worker ${pct(w.workerCpuPercent)}, sinks ${pct(w.sinkCpuPercent)}, sender ${pct(w.senderCpuPercent)}`,
      );
      if (w.loss >= MAX_LOSS) {
        stopReason = `loss reached ${(w.loss * 100).toFixed(2)} % at N=${n}`;
        break;
      }
    }
  } catch (error) {
    // Keep the steps measured; say what stopped it.
    stopReason = `error after N=${steps.at(-1)?.consumers ?? 0}: ${(error as Error).message}`;
    console.log(`  ${stopReason}`);
  } finally {
    x.close();
    await rig.stop();
  }
  const passed = steps.filter((w) => w.loss < MAX_LOSS);
  const best = passed.at(-1);
  const failed = steps.find((w) => w.loss >= MAX_LOSS);
  const limiter = failed
    ? failed.workerCpuPercent >= 90
      ? 'the worker (≈ a full core)'
      : failed.sinkCpuPercent >= 90
        ? 'the UDP sinks (≈ a full core): the worker was not the limit'
        : failed.workerCpuPercent + failed.sinkCpuPercent + failed.senderCpuPercent >= 170
          ? 'the two cores shared by worker, sinks and sender'
          : 'not clear from CPU alone'
    : 'nothing (no step lost 1 %)';
  const table = [
    '| consumers | loss | delivered packets/s | worker CPU | sinks CPU | sender CPU | worker ms per 1k packets |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...steps.map(
      (w) =>
        `| ${w.consumers} | ${(w.loss * 100).toFixed(2)} % | ${Math.round(w.deliveredPerSecond)} | ${pct(w.workerCpuPercent)} | ${pct(w.sinkCpuPercent)} | ${pct(w.senderCpuPercent)} | ${w.workerCpuPer1k.toFixed(1)} |`,
    ),
  ].join('\n');
  return {
    name: 'capacity',
    title: 'Capacity: RtpStreamer consumers one worker forwards with < 1 % loss',
    figures: [
      figure({
        name: 'largest N with loss < 1 %',
        unit: 'consumers',
        value: best?.consumers ?? 0,
        baseline: PUBLISHED,
        baselineName: 'mediasoup’s published ~500 per worker (not measured here)',
        higherIsBetter: true,
        note: `stopped: ${stopReason}; limit: ${limiter}`,
      }),
      figure({
        name: 'delivered packets/s at that N',
        unit: 'packets/s',
        value: best?.deliveredPerSecond ?? 0,
        higherIsBetter: true,
        note: best
          ? `worker ${pct(best.workerCpuPercent)}, sinks ${pct(best.sinkCpuPercent)} of a core`
          : '',
      }),
    ],
    details: { steps, stopReason, windowSeconds: WINDOW_SECONDS },
    notes: [
      `Steps N = ${STEPS.join(', ')}: streamers are added to one @x worker, then after a 2.5 s warm-up a ${WINDOW_SECONDS} s window is measured as in the fan-out benchmark (${PACKETS_PER_SECOND} packets/s ≈ 1.6 Mbps per consumer). Stops at the first step with ≥ 1 % loss, or after ${BUDGET_MS / 1000} s.`,
      'The sinks (one Node process, one socket per consumer) and the sender run on the same 2 cores as the worker; their CPU is in the table. When the sinks need as much CPU as the worker, the figure is a lower bound of what the worker alone could forward.',
      'mediasoup’s ~500 is for a typical mix of audio and video consumers on a dedicated core; here every consumer is a 1.6 Mbps video stream.',
    ],
    extraMarkdown: table,
  };
}
