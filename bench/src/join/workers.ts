// Benchmark: first remote video frame when the joiner is homed on another
// worker than the publisher (issue 14: a room on several workers). The built
// demo in this process twice: a server of 2 workers with
// maxConsumersPerWorker 1 (the room homes the second peer on the other
// worker: the publisher's producers are piped to it when its consumers are
// enabled), and the same server with 1 worker (the baseline: both peers on
// one router). In Debian's headless Chromium with a fake camera, Alice joins
// a fresh room and publishes; Bob's page joins and records its first decoded
// remote frame (ms since its navigation started).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Server } from '@x/server';
import { CHROMIUM, launchChromium } from '@x/testkit';
import type { BrowserContext } from 'playwright-core';
import { demoJs, demoWebDir } from '../lib/builtDemo.js';
import { demoUrl, firstRemoteFrame, publishing } from '../lib/demoPage.js';
import { type BenchResult, figure } from '../lib/report.js';
import { median, sleep } from '../lib/stats.js';

const ROUNDS = 6;
const TITLE = 'First frame of a peer homed on another worker than the publisher vs on the same';

interface Demo {
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Alice publishes in `room`, then Bob joins: Bob's first remote frame, and whether they share a router. */
async function round(
  context: BrowserContext,
  demo: Demo,
  room: string,
): Promise<{ firstFrameMs: number; sameRouter: boolean }> {
  const url = (peer: string) => demoUrl(`http://127.0.0.1:${demo.port}`, room, peer);
  const alice = await context.newPage();
  try {
    await alice.goto(url('alice'));
    await publishing(alice);
    // Alice's first key frames are long sent when Bob comes (a real joiner comes later still).
    await sleep(1000);
    const bob = await context.newPage();
    try {
      await bob.goto(url('bob'));
      const firstFrameMs = await firstRemoteFrame(bob);
      const peers = demo.server.getRoom(room)?.peers ?? [];
      const routers = new Set(peers.map((p) => p.router));
      return { firstFrameMs, sameRouter: routers.size === 1 };
    } finally {
      await bob.close({ runBeforeUnload: true });
    }
  } finally {
    await alice.close({ runBeforeUnload: true });
  }
}

export async function run(): Promise<BenchResult> {
  const skipped = !existsSync(demoJs)
    ? `the demo is not built (${demoJs}): run pnpm --filter @x/demo build`
    : !existsSync(CHROMIUM)
      ? `no Chromium at ${CHROMIUM} (Debian package chromium)`
      : undefined;
  if (skipped) {
    console.log(`  skipped: ${skipped}`);
    return { name: 'worker-join', title: TITLE, figures: [], notes: [`Skipped: ${skipped}.`] };
  }
  const { startDemo } = (await import(pathToFileURL(demoJs).href)) as {
    startDemo(options: Record<string, unknown>): Promise<Demo>;
  };
  const recordingsDir = mkdtempSync(join(tmpdir(), 'x-bench-recordings-'));
  const start = (numWorkers: number, ports: [number, number]) =>
    startDemo({
      port: 0,
      host: '127.0.0.1',
      webDir: demoWebDir,
      recordingsDir,
      server: {
        numWorkers,
        maxConsumersPerWorker: 1,
        logLevel: 'error',
        rtcIPv4: '127.0.0.1',
        rtcIPv6: false,
        rtcMinPort: ports[0],
        rtcMaxPort: ports[1],
      },
    });
  const two = await start(2, [47000, 47499]);
  const one = await start(1, [47500, 47999]);
  const browser = await launchChromium();
  const samples = { two: [] as number[], one: [] as number[] };
  try {
    const context = await browser.newContext();
    // One untimed round first (Chromium, pages, workers warm up), then alternating.
    for (let i = -1; i < ROUNDS; i++) {
      const order = i % 2 === 0 ? (['one', 'two'] as const) : (['two', 'one'] as const);
      for (const which of order) {
        const r = await round(context, which === 'two' ? two : one, `worker-join-${i + 1}`);
        if (r.sameRouter !== (which === 'one'))
          throw new Error(
            `Bob was homed ${r.sameRouter ? 'with' : 'away from'} Alice on the ${which}-worker server`,
          );
        if (i >= 0) samples[which].push(r.firstFrameMs);
      }
      if (i >= 0)
        console.log(
          `  round ${i + 1}: other worker ${samples.two.at(-1)!.toFixed(0)} ms, same worker ${samples.one.at(-1)!.toFixed(0)} ms`,
        );
    }
  } finally {
    await browser.close();
    await two.close();
    await one.close();
    rmSync(recordingsDir, { recursive: true, force: true });
  }
  const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  return {
    name: 'worker-join',
    title: TITLE,
    figures: [
      figure({
        name: 'Chromium: navigation → first remote video frame, homed on the other worker',
        unit: 'ms',
        value: median(samples.two),
        baseline: median(samples.one),
        baselineName: 'both peers on one worker (a 1-worker server)',
        higherIsBetter: false,
        note: `median of ${samples.two.length}: ${list(samples.two)} vs ${list(samples.one)}`,
      }),
    ],
    details: samples,
    notes: [
      'The built demo twice in this process, alike but for numWorkers: 2 workers with maxConsumersPerWorker 1 (the room homes Bob on the worker Alice is not on; Alice’s producers are piped to his router when his consumers are enabled) and 1 worker (both on one router). Chromium (Debian’s, headless, fake camera): Alice joins a fresh room and publishes, 1 s later Bob’s demo page joins; his page records its first decoded remote video frame (ms since its navigation started). The bench checks where Bob was homed.',
      `${ROUNDS} rounds after an untimed one, the two servers alternating.`,
    ],
  };
}
