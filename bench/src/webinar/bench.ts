// Benchmark: a webinar room through real WebRTC clients. x-server (the
// package's command, its own process, one or two workers) and the
// x-load-test command (its own process: one publisher and N viewers on
// libwebrtc, each viewer decoding what it receives) in steps of N, a fresh
// room per step, until a viewer's loss passes 1 % or a join fails. Per step:
// loss, frame rate, delivered packets/s, each worker's CPU (the server's
// /metrics) and the load tester's own CPU, so that the table says whether
// the server or the simulated viewers ran out of CPU.
//
// Baseline in the same run: the in-process fan-out rig (RtpStreamer
// consumers over plain RTP to UDP sinks, the capacity benchmark's) at 200
// consumers: worker CPU per delivered packet without SRTP and without real
// receivers. The two per-packet costs are what the webinar projection
// (docs/webinar.md) is computed from.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchResult, type Figure, figure } from '../lib/report.js';
import { measureWindow } from '../media/measure.js';
import { startRig } from '../media/rig.js';
import { xTopology } from '../media/topology.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER_CLI = join(root, 'packages/server/dist/cli.js');
const LOAD_TEST_CLI = join(root, 'packages/load-test/dist/cli.js');

const STEPS = [25, 50, 100, 150, 200, 250, 300];
/** The speaker's video: a small, cheap-to-decode stream (every viewer decodes it). */
const VIDEO = '320x180@30';
const MEASURE_SECONDS = 6;
const MAX_LOSS_PERCENT = 1;
/**
 * Full quality also means the frame rate sent: a starved publisher (it shares
 * the load tester's process and cores) sends fewer frames rather than losing
 * packets, so loss alone would never end the ramp.
 */
const SOURCE_FPS = 30;
const MIN_FPS = SOURCE_FPS * 0.9;
/** Per server configuration, stop stepping after this long. */
const BUDGET_MS = 240_000;
/**
 * The cost series: RATE_VIEWERS viewers on one worker receive 1, 2, 4, 8
 * publishers' video (the synthetic video's bitrate hardly grows with its
 * size: more streams per viewer are what spread its packet rate).
 */
const RATE_PUBLISHERS = [1, 2, 4, 8];
const RATE_VIEWERS = 12;
/** The in-process baseline's consumers. */
const RIG_N = 200;

interface LoadReport {
  joins: { attempted: number; succeeded: number; failed: number; errors: string[] };
  firstFrameMs: { p50: number; p95: number } | null;
  totals: {
    tracks: number;
    bitrateKbps: number;
    lossPercent: number;
    packetsPerSecond: number;
    videoFps: { p50: number } | null;
  };
  server: { workerCpuPercent: number; workers: number[] } | null;
  client: { cpuPercent: number };
}

interface Step {
  viewers: number;
  report: LoadReport;
  /** Worker CPU per 1,000 delivered packets, ms (= µs per packet). */
  workerMsPer1k: number;
}

/** Starts x-server from a YAML file; resolves with its port and a stop function. */
async function startServer(
  workers: number,
  secret: string,
  dir: string,
): Promise<{ port: number; stop(): Promise<void> }> {
  const file = join(dir, `server-${workers}.yaml`);
  writeFileSync(
    file,
    [
      'port: 0',
      'host: 127.0.0.1',
      `workers: ${workers}`,
      // info: its 'listening on' line gives the port.
      'logLevel: info',
      `auth: { secret: ${secret} }`,
      // One room of hundreds, all from this one address.
      'limits: { peersPerRoom: 1000, maxConnectionsPerIp: 2000, consumersPerPeer: 16 }',
      // On 2 workers each new viewer is homed on the less loaded one: the room spans both.
      `rooms: { closeWhenEmpty: true, maxConsumersPerWorker: ${workers > 1 ? 1 : 100_000} }`,
      'rtc: { ipv4: 127.0.0.1, ipv6: false, minPort: 40000, maxPort: 43999 }',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(process.execPath, [SERVER_CLI, '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`x-server did not start:\n${log}`)), 30_000);
    const read = (chunk: Buffer) => {
      // Once started, its lifecycle lines are not kept.
      if (log.length > 100_000) return;
      log += chunk.toString();
      const match = /listening on ws:\/\/[\d.]+:(\d+)\//.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`x-server exited ${code}:\n${log}`)));
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

/** Runs x-load-test --json; resolves with its report. */
function loadTest(args: string[]): Promise<LoadReport> {
  const child = spawn(process.execPath, [LOAD_TEST_CLI, ...args, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      try {
        resolve(JSON.parse(out) as LoadReport);
      } catch {
        reject(new Error(`x-load-test exited ${code} without a report: ${err.slice(-500)}`));
      }
    }),
  );
}

interface RatePoint {
  publishers: number;
  /** Packets/s one viewer receives. */
  packetsPerViewer: number;
  kbpsPerViewer: number;
  /** Worker ms of CPU per second per viewer (the publishers' ingest included). */
  msPerViewer: number;
}

/**
 * The worker's cost per viewer at several packet rates (one worker,
 * {@link RATE_VIEWERS} viewers each): a line through them splits it into a
 * part per viewer (RTCP, bandwidth estimation, consent checks) and a part
 * per packet (forwarding, SRTP, transport-cc feedback). The publishers'
 * ingest is in the worker's CPU too, shared out over the viewers: the part
 * per packet comes out a little high.
 */
async function costSeries(secret: string, dir: string): Promise<RatePoint[]> {
  const server = await startServer(1, secret, dir);
  const points: RatePoint[] = [];
  try {
    for (const publishers of RATE_PUBLISHERS) {
      const report = await loadTest([
        ...['--url', `ws://127.0.0.1:${server.port}/ws`, '--secret', secret],
        ...['--room', `rate-${publishers}`, '--publishers', String(publishers)],
        ...['--subscribers', String(RATE_VIEWERS), '--video', VIDEO, '--no-audio'],
        ...['--duration', String(MEASURE_SECONDS)],
      ]);
      const point = {
        publishers,
        packetsPerViewer: report.totals.packetsPerSecond / RATE_VIEWERS,
        kbpsPerViewer: report.totals.bitrateKbps / RATE_VIEWERS,
        msPerViewer: ((report.server?.workerCpuPercent ?? Number.NaN) * 10) / RATE_VIEWERS,
      };
      points.push(point);
      console.log(
        `  ${publishers} publisher(s) to ${RATE_VIEWERS} viewers: ${point.packetsPerViewer.toFixed(0)} packets/s, ${point.kbpsPerViewer.toFixed(0)} kbps and ${point.msPerViewer.toFixed(2)} ms/s of worker CPU per viewer, load tester ${report.client.cpuPercent.toFixed(0)} %`,
      );
    }
  } finally {
    await server.stop();
  }
  return points;
}

/** Least-squares line through (packets per viewer, ms per viewer): [ms per viewer at 0 packets, µs per packet]. */
function fitCost(points: RatePoint[]): [number, number] {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.packetsPerViewer, 0) / n;
  const my = points.reduce((a, p) => a + p.msPerViewer, 0) / n;
  const sxy = points.reduce((a, p) => a + (p.packetsPerViewer - mx) * (p.msPerViewer - my), 0);
  const sxx = points.reduce((a, p) => a + (p.packetsPerViewer - mx) ** 2, 0);
  const slope = sxy / sxx; // ms per second per (packet per second) = ms per packet
  return [my - slope * mx, slope * 1000];
}

async function ramp(
  workers: number,
  secret: string,
  dir: string,
): Promise<{ steps: Step[]; stop: string }> {
  const server = await startServer(workers, secret, dir);
  const steps: Step[] = [];
  const started = performance.now();
  let stop = `reached the last step (${STEPS.at(-1)})`;
  try {
    for (const viewers of STEPS) {
      if (performance.now() - started > BUDGET_MS) {
        stop = `time budget (${BUDGET_MS / 1000} s) used`;
        break;
      }
      const report = await loadTest([
        ...['--url', `ws://127.0.0.1:${server.port}/ws`, '--secret', secret],
        ...['--room', `webinar-${workers}w-${viewers}`, '--publishers', '1'],
        ...['--subscribers', String(viewers), '--video', VIDEO, '--no-audio'],
        ...['--duration', String(MEASURE_SECONDS)],
      ]);
      const workerCpu = report.server?.workerCpuPercent ?? Number.NaN;
      // % of a core × 10 = ms of CPU per second; per 1,000 packets delivered in that second.
      const workerMsPer1k = (workerCpu * 10) / (report.totals.packetsPerSecond / 1000);
      steps.push({ viewers, report, workerMsPer1k });
      console.log(
        `  ${workers} worker(s), ${viewers} viewers: loss ${report.totals.lossPercent.toFixed(2)} %, ${Math.round(report.totals.packetsPerSecond)} packets/s, fps p50 ${report.totals.videoFps?.p50.toFixed(1) ?? '–'}, workers ${report.server?.workers.map((w) => `${w.toFixed(0)} %`).join(' + ') ?? '–'}, load tester ${report.client.cpuPercent.toFixed(0)} %${report.joins.failed ? `, ${report.joins.failed} joins failed` : ''}`,
      );
      if (report.joins.failed > 0) {
        stop = `${report.joins.failed} of ${report.joins.attempted} joins failed at N=${viewers} (${report.joins.errors[0] ?? ''})`;
        break;
      }
      if (report.totals.lossPercent >= MAX_LOSS_PERCENT) {
        stop = `loss reached ${report.totals.lossPercent.toFixed(2)} % at N=${viewers}`;
        break;
      }
      if ((report.totals.videoFps?.p50 ?? 0) < MIN_FPS) {
        stop = `video fell to ${report.totals.videoFps?.p50.toFixed(1) ?? 0} fps (p50) at N=${viewers}, loss ${report.totals.lossPercent.toFixed(2)} %`;
        break;
      }
    }
  } finally {
    await server.stop();
  }
  return { steps, stop };
}

/** Worker CPU per 1,000 delivered packets of the in-process rig (plain RTP, synthetic source). */
async function rigBaseline(): Promise<number> {
  const rig = startRig();
  const x = await xTopology([48000, 49999]);
  try {
    const ports = await rig.sinkPorts(RIG_N);
    await rig.pause();
    await x.addConsumers(ports);
    await rig.feed(x);
    const w = await measureWindow(x, rig.sender, rig.sinks, 5);
    return w.workerCpuPer1k;
  } finally {
    x.close();
    await rig.stop();
  }
}

const pct = (v: number) => `${v.toFixed(0)} %`;

/** Every viewer joined, under 1 % loss, at ≥ 90 % of the source's frame rate. */
function fullQuality(step: Step): boolean {
  const { totals, joins } = step.report;
  return (
    joins.failed === 0 &&
    totals.lossPercent < MAX_LOSS_PERCENT &&
    (totals.videoFps?.p50 ?? 0) >= MIN_FPS
  );
}

/** Worker CPU per viewer: ms of worker time per second, per viewer. */
const perViewer = (step: Step) =>
  ((step.report.server?.workerCpuPercent ?? Number.NaN) * 10) / step.viewers;

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'x-bench-webinar-'));
  const secret = randomBytes(32).toString('hex');
  try {
    console.log('  in-process rig (baseline) …');
    const rigMsPer1k = await rigBaseline();
    const one = await ramp(1, secret, dir);
    const two = await ramp(2, secret, dir);
    const rates = await costSeries(secret, dir);
    const [fixedMs, usPerPacket] = fitCost(rates);
    const passed = (steps: Step[]) => steps.filter(fullQuality);
    const best1 = passed(one.steps).at(-1);
    const best2 = passed(two.steps).at(-1);
    const figures: Figure[] = [];
    if (best1 && best2)
      figures.push(
        figure({
          name: 'webinar room, one publisher: viewers at full quality (< 1 % loss, ≥ 27 fps), 2 workers',
          unit: 'viewers',
          value: best2.viewers,
          baseline: best1.viewers,
          baselineName: 'the same room on 1 worker',
          higherIsBetter: true,
          note: `2 workers: ${two.stop}; 1 worker: ${one.stop}. Both bounded by the load tester (its viewers decode), not the workers: see the table`,
        }),
      );
    if (best1) {
      const pps = best1.report.totals.packetsPerSecond / best1.viewers;
      // The rig's consumer: 180 packets/s at its measured cost per packet.
      const rigPerConsumer = (rigMsPer1k / 1000) * 180;
      figures.push(
        figure({
          name: `worker CPU per viewer (1 worker, N=${best1.viewers}, ${pps.toFixed(0)} packets/s each)`,
          unit: 'ms per s',
          value: perViewer(best1),
          baseline: rigPerConsumer,
          baselineName: `in-process rig: a plain-RTP consumer of 180 packets/s (N=${RIG_N})`,
          higherIsBetter: false,
          note: 'a WebRTC viewer: SRTP, RTCP and transport-cc feedback from a real receiver, consent checks, its own bandwidth estimation',
        }),
        figure({
          name: `worker CPU per 1,000 delivered packets, WebRTC viewers (1 worker, N=${best1.viewers})`,
          unit: 'ms',
          value: best1.workerMsPer1k,
          baseline: rigMsPer1k,
          baselineName: `in-process rig: plain-RTP consumers, no SRTP (N=${RIG_N})`,
          higherIsBetter: false,
          note: `at ${pps.toFixed(1)} packets/s per viewer the per-viewer costs weigh on few packets`,
        }),
      );
      // What one worker would carry of this stream if it alone bounded the room.
      figures.push(
        figure({
          name: 'viewers one worker carries at 80 % of its core (projected from the per-viewer cost)',
          unit: 'viewers',
          value: 800 / perViewer(best1),
          baseline: best1.viewers,
          baselineName: 'viewers measured at full quality (the load tester shares the 2 cores)',
          higherIsBetter: true,
          note: 'linear in viewers: the worker’s CPU per viewer held from 25 viewers up (see the table)',
        }),
      );
    }
    figures.push(
      figure({
        name: 'worker CPU per WebRTC viewer: the part per packet (fit over 1–8 streams per viewer)',
        unit: 'µs per packet',
        value: usPerPacket,
        baseline: rigMsPer1k,
        baselineName: `in-process rig: plain-RTP consumers, no SRTP (N=${RIG_N})`,
        higherIsBetter: false,
        note: `and ${fixedMs.toFixed(2)} ms/s per viewer whatever it receives; points: ${rates.map((r) => `${r.publishers} × ${r.packetsPerViewer.toFixed(0)} packets/s → ${r.msPerViewer.toFixed(2)} ms/s`).join(', ')}`,
      }),
    );
    if (best1 && best2) {
      const same = two.steps.find((s) => s.viewers === best1.viewers && fullQuality(s)) ?? best2;
      const base = one.steps.find((s) => s.viewers === same.viewers) ?? best1;
      figures.push(
        figure({
          name: `workers’ CPU per viewer, room on 2 workers (N=${same.viewers})`,
          unit: 'ms per s',
          value: perViewer(same),
          baseline: perViewer(base),
          baselineName: `the same room on 1 worker (N=${base.viewers})`,
          higherIsBetter: false,
          note: 'both workers summed: the publisher’s video piped to the second worker once',
        }),
      );
    }
    const rows = [
      ...one.steps.map((s) => ['1 worker', s] as const),
      ...two.steps.map((s) => ['2 workers', s] as const),
    ];
    const table = [
      '| server | viewers | loss | fps p50 | first frame p50 | delivered packets/s | Mbps | workers CPU | load tester CPU | worker ms per s per viewer | worker ms per 1k packets |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
      ...rows.map(
        ([server, s]) =>
          `| ${server} | ${s.viewers} | ${s.report.totals.lossPercent.toFixed(2)} % | ${s.report.totals.videoFps?.p50.toFixed(1) ?? '–'} | ${s.report.firstFrameMs ? `${s.report.firstFrameMs.p50.toFixed(0)} ms` : '–'} | ${Math.round(s.report.totals.packetsPerSecond)} | ${(s.report.totals.bitrateKbps / 1000).toFixed(1)} | ${s.report.server?.workers.map(pct).join(' + ') ?? '–'} | ${pct(s.report.client.cpuPercent)} | ${perViewer(s).toFixed(2)} | ${s.workerMsPer1k.toFixed(1)} |`,
      ),
    ].join('\n');
    return {
      name: 'webinar',
      title:
        'Webinar room through real WebRTC clients: one publisher, N viewers (x-server + x-load-test)',
      figures,
      details: { one, two, rigMsPer1k, rates, fit: { fixedMsPerViewer: fixedMs, usPerPacket } },
      notes: [
        `x-server (its command, own process, logLevel info) with 1 worker, then 2 (rooms.maxConsumersPerWorker 1: each viewer is homed on the less loaded worker, the publisher's video piped to the other once). Per step a fresh room: x-load-test (its command, own process) with 1 publisher sending ${VIDEO} synthetic video (no audio) and N viewers, all real WebRTC (libwebrtc via @x/node), each viewer receiving and decoding the video; ${MEASURE_SECONDS} s measured once everyone joined. Steps ${STEPS.join(', ')}; a configuration stops at its first step below full quality (≥ 1 % loss, video under 27 fps at the median viewer, or a failed join), or after ${BUDGET_MS / 1000} s.`,
        'Loss, frame rate and packets are the viewers’ own (inbound-rtp stats); worker CPU comes from the server’s /metrics (xsfu_worker_cpu_seconds_total), the load tester’s from its process.cpuUsage() (every thread: encoders, decoders, network). Everything runs on the same 2 cores: where the load tester needs most of them, the limit found is the machine’s, and the per-packet cost projects what a worker alone would carry.',
        `Baseline: the capacity benchmark’s in-process rig at ${RIG_N} consumers (RtpStreamers over plain RTP to UDP sinks, the synthetic 180 packets/s VP8 source, one 5 s window): worker CPU per delivered packet without SRTP.`,
        `Cost series: one worker, ${RATE_VIEWERS} viewers receiving ${RATE_PUBLISHERS.join(', ')} publishers' ${VIDEO} video (${MEASURE_SECONDS} s each, a fresh room each; the publishers' ingest counts in the worker's CPU). A least-squares line through (packets/s per viewer, worker ms/s per viewer) splits a viewer's cost: ${fixedMs.toFixed(2)} ms/s per viewer plus ${usPerPacket.toFixed(1)} µs per packet. docs/webinar.md projects rooms of 10,000 viewers from it.`,
      ],
      extraMarkdown: table,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
