// The load-test command run as a user runs it, against real servers: the
// demo (tokens from its /api/token, no /metrics) and x-server (tokens signed
// with its secret, CPU from its /metrics, two rooms); its --json report is
// checked: every join succeeded, media arrived on every track, the loss,
// jitter and timing figures are there.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoadTestReport } from '../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = join(root, 'packages/load-test/dist/cli.js');
const scratch = mkdtempSync(join(tmpdir(), 'x-load-test-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

/** Starts a server process and resolves with the port it printed. */
function start(args: string[], env: Record<string, string>, printed: RegExp): Promise<number> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolvePort, fail) => {
    const timer = setTimeout(() => fail(new Error(`no start:\n${output}`)), 30_000);
    const read = (d: Buffer) => {
      output += d;
      const m = printed.exec(output);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
  });
}

/** Runs x-load-test with `args`; resolves with its JSON report. */
function loadTest(args: string[]): Promise<LoadTestReport> {
  const child = spawn(process.execPath, [cli, ...args, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((done, fail) =>
    child.once('exit', (code) => {
      try {
        done(JSON.parse(out) as LoadTestReport);
      } catch {
        fail(new Error(`x-load-test exited ${code} without a report:\n${out}\n${err}`));
      }
    }),
  );
}

/** Every join succeeded and every received track carried media. */
function expectMedia(report: LoadTestReport, subscribers: number, publishers: number): void {
  expect(report.joins).toMatchObject({ attempted: subscribers + publishers, failed: 0 });
  expect(report.joins.succeeded).toBe(subscribers + publishers);
  for (const track of report.tracks) {
    expect(track.packetsReceived, `${track.subscriber} ${track.kind}`).toBeGreaterThan(0);
    expect(track.bitrateKbps).toBeGreaterThan(track.kind === 'video' ? 50 : 10);
    expect(track.lossPercent).toBeGreaterThanOrEqual(0);
    expect(track.jitterMs).toBeGreaterThanOrEqual(0);
    if (track.kind === 'video') expect(track.fps).toBeGreaterThan(5);
  }
  expect(report.joinMs!.count).toBe(subscribers + publishers);
  expect(report.joinMs!.p50).toBeGreaterThan(0);
  expect(report.firstFrameMs!.count).toBe(subscribers);
  expect(report.totals.lossPercent).toBeLessThan(5);
  const packets = report.tracks.reduce((sum, t) => sum + t.packetsReceived, 0);
  expect(report.totals.packetsPerSecond).toBeCloseTo(packets / report.durationSeconds, -1);
  expect(report.client.cpuPercent).toBeGreaterThan(0);
}

describe('x-load-test', () => {
  it('against the demo: 2 publishers and 3 subscribers, tokens from its /api/token', async () => {
    const port = await start(
      [join(root, 'apps/demo/dist/server/main.js')],
      { PORT: '0', HOST: '127.0.0.1', RTC_PORT: '' },
      /https?:\/\/[\w.-]+:(\d+)\/\?room=/,
    );
    const report = await loadTest([
      ...['--url', `ws://127.0.0.1:${port}/ws`],
      ...['--token-url', `http://127.0.0.1:${port}/api/token`],
      ...['--publishers', '2', '--subscribers', '3', '--video', '320x240@15', '--duration', '4'],
    ]);
    console.log(
      `demo: joins p50 ${report.joinMs?.p50.toFixed(0)} ms, first frame p50 ${report.firstFrameMs?.p50.toFixed(0)} ms, ${report.totals.tracks} tracks, ${(report.totals.bitrateKbps / 1000).toFixed(2)} Mbps, loss ${report.totals.lossPercent.toFixed(2)} %`,
    );
    expect(report.rooms).toEqual(['load-test']);
    expect(report.totals.tracks).toBe(3 * 2 * 2);
    expectMedia(report, 3, 2);
    expect(report.server).toBeNull();
  }, 120_000);

  it('against x-server: two rooms over two workers, spies as viewers, tokens signed with its secret, each worker’s CPU from /metrics', async () => {
    const secret = randomBytes(32).toString('hex');
    const file = join(scratch, 'server.yaml');
    writeFileSync(
      file,
      `port: 0\nhost: 127.0.0.1\nworkers: 2\nrooms: { maxConsumersPerWorker: 2 }\nauth: { secret: ${secret} }\nrtc: { ipv4: 127.0.0.1, ipv6: false, minPort: 46000, maxPort: 46999 }\n`,
    );
    const port = await start(
      [join(root, 'packages/server/dist/cli.js'), '--config', file],
      {},
      /listening on ws:\/\/[\d.]+:(\d+)\//,
    );
    const report = await loadTest([
      ...['--url', `ws://127.0.0.1:${port}/ws`, '--secret', secret, '--rooms', '2'],
      ...['--publishers', '1', '--subscribers', '2', '--video', '320x240@15', '--duration', '4'],
      // As a webinar's viewers: invisible to the others, still receiving everything.
      '--spies',
    ]);
    expect(report.rooms).toEqual(['load-test-1', 'load-test-2']);
    expect(report.totals.tracks).toBe(2 * 2 * 2);
    expectMedia(report, 4, 2);
    // Each room's four consumers are more than a worker takes of it: both workers forward.
    const { workers, workerCpuPercent } = report.server!;
    expect(workers).toHaveLength(2);
    for (const worker of workers) expect(worker).toBeGreaterThan(0);
    expect(workerCpuPercent).toBeCloseTo(workers[0]! + workers[1]!, 5);
  }, 120_000);
});
