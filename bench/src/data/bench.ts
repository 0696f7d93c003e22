// Data channels through the SFU vs a direct data channel, in real Chromium:
// two demo pages (apps/demo, built) in one room on loopback; page A sends to
// page B over a DataProducer → SFU → DataConsumer path and, as the baseline
// in the same run and the same pages, over an RTCDataChannel of an
// RTCPeerConnection between the two pages (no server in the path).
// - Throughput: 20,000 ordered reliable messages of 256 bytes, as fast as the
//   sender's buffer allows (it waits while 256 KiB are queued); messages per
//   second at the receiver, first to last.
// - Latency: 1,000 messages of ~40 bytes, one every 5 ms; per message, the
//   receiver's clock minus the sender's (both pages are in one browser on
//   one machine: performance.timeOrigin + now() is one clock).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataConsumer, DataProducer, Room } from '@x/client';
import { CHROMIUM, launchChromium } from '@x/testkit';
import type { Page } from 'playwright-core';
import { demoJs, demoWebDir, startBuiltDemo } from '../lib/builtDemo.js';
import { demoUrl } from '../lib/demoPage.js';
import { type BenchResult, figure } from '../lib/report.js';
import { quantile } from '../lib/stats.js';

const BULK = 20_000;
const BULK_SIZE = 256;
const PINGS = 1000;
const PING_EVERY_MS = 5;

/** What the bench keeps in each page. */
interface BenchWindow {
  demo?: { room: Room };
  bench?: {
    sfu?: DataProducer;
    direct?: RTCDataChannel;
    pc?: RTCPeerConnection;
    received: Record<'sfu' | 'direct', { at: number[]; latency: number[] }>;
  };
}

type Path = 'sfu' | 'direct';

async function joined(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as BenchWindow).demo?.room.joined === true, null, {
    timeout: 30_000,
  });
}

/** Sets up the receiving side of both paths in page B. */
function receiveIn(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as BenchWindow;
    const received = {
      sfu: { at: [], latency: [] },
      direct: { at: [], latency: [] },
    } as NonNullable<BenchWindow['bench']>['received'];
    w.bench = { received };
    const record = (path: 'sfu' | 'direct', data: unknown) => {
      const now = performance.timeOrigin + performance.now();
      const text = typeof data === 'string' ? data : '';
      const r = received[path];
      r.at.push(now);
      if (text.startsWith('{')) r.latency.push(now - (JSON.parse(text) as { t: number }).t);
    };
    const watch = (dc: DataConsumer) => {
      if (dc.label === 'bench') dc.on('message', (m) => record('sfu', m));
    };
    const peer = w.demo!.room.getPeerByName('a')!;
    for (const dc of peer.dataConsumers) watch(dc);
    peer.on('newdataconsumer', watch);
    const pc = new RTCPeerConnection();
    w.bench.pc = pc;
    pc.ondatachannel = (e) => {
      e.channel.onmessage = (m) => record('direct', m.data);
    };
  });
}

/** Opens both paths from page A to page B; resolves once both are open end to end. */
async function connect(a: Page, b: Page): Promise<void> {
  await a.evaluate(async () => {
    const w = window as BenchWindow;
    const sfu = await w.demo!.room.produceData({ label: 'bench' });
    if (sfu.readyState !== 'open') await new Promise((r) => sfu.once('open', () => r(0)));
    const pc = new RTCPeerConnection();
    const direct = pc.createDataChannel('bench', { ordered: true });
    w.bench = {
      sfu,
      direct,
      pc,
      received: { sfu: { at: [], latency: [] }, direct: { at: [], latency: [] } },
    };
  });
  // The direct connection's offer and answer, carried by this process (host candidates only).
  const gathered = (page: Page, role: 'offer' | 'answer', remote?: RTCSessionDescriptionInit) =>
    page.evaluate(
      async ({ role, remote }) => {
        const pc = (window as BenchWindow).bench!.pc!;
        if (remote) await pc.setRemoteDescription(remote);
        await pc.setLocalDescription(
          role === 'offer' ? await pc.createOffer() : await pc.createAnswer(),
        );
        if (pc.iceGatheringState !== 'complete')
          await new Promise<void>((r) =>
            pc.addEventListener('icegatheringstatechange', () => {
              if (pc.iceGatheringState === 'complete') r();
            }),
          );
        return pc.localDescription!.toJSON() as RTCSessionDescriptionInit;
      },
      { role, remote },
    );
  const offer = await gathered(a, 'offer');
  const answer = await gathered(b, 'answer', offer);
  await a.evaluate(async (answer) => {
    const { pc, direct } = (window as BenchWindow).bench!;
    await pc!.setRemoteDescription(answer);
    if (direct!.readyState !== 'open')
      await new Promise((r) => direct!.addEventListener('open', r));
  }, answer);
  // Both receivers have their channel: B's data consumer of 'bench' is open.
  await b.waitForFunction(
    () =>
      (window as BenchWindow)
        .demo!.room.getPeerByName('a')
        ?.dataConsumers.some((dc) => dc.label === 'bench' && dc.readyState === 'open') === true,
    null,
    { timeout: 30_000 },
  );
}

/** Sends on one path from A: a burst (throughput) or paced pings (latency). */
function send(a: Page, path: Path, mode: 'bulk' | 'pings'): Promise<void> {
  return a.evaluate(
    async ({ path, mode, BULK, BULK_SIZE, PINGS, PING_EVERY_MS }) => {
      const { sfu, direct } = (window as BenchWindow).bench!;
      const channel = {
        send: (m: string) => (path === 'sfu' ? sfu!.send(m) : direct!.send(m)),
        buffered: () => (path === 'sfu' ? sfu!.bufferedAmount : direct!.bufferedAmount),
        drained: () =>
          new Promise<void>((r) => {
            if (path === 'sfu') sfu!.once('bufferedamountlow', () => r());
            else direct!.addEventListener('bufferedamountlow', () => r(), { once: true });
          }),
      };
      if (path === 'sfu') sfu!.bufferedAmountLowThreshold = 64 * 1024;
      else direct!.bufferedAmountLowThreshold = 64 * 1024;
      if (mode === 'bulk') {
        const payload = 'x'.repeat(BULK_SIZE);
        for (let i = 0; i < BULK; i++) {
          if (channel.buffered() > 256 * 1024) await channel.drained();
          channel.send(payload);
        }
        return;
      }
      for (let i = 0; i < PINGS; i++) {
        channel.send(JSON.stringify({ t: performance.timeOrigin + performance.now(), i }));
        await new Promise((r) => setTimeout(r, PING_EVERY_MS));
      }
    },
    { path, mode, BULK, BULK_SIZE, PINGS, PING_EVERY_MS },
  );
}

/** Waits for B to have `count` messages on a path; returns them and clears them. */
async function collect(
  b: Page,
  path: Path,
  count: number,
): Promise<{ at: number[]; latency: number[] }> {
  await b.waitForFunction(
    ({ path, count }) => (window as BenchWindow).bench!.received[path].at.length >= count,
    { path, count },
    { timeout: 120_000, polling: 100 },
  );
  return b.evaluate((path) => {
    const r = (window as BenchWindow).bench!.received[path];
    const out = { at: r.at, latency: r.latency };
    (window as BenchWindow).bench!.received[path] = { at: [], latency: [] };
    return out;
  }, path);
}

export async function run(): Promise<BenchResult> {
  const name = 'data';
  const title = 'Data channels: through the SFU vs a direct data channel between the two pages';
  if (!existsSync(demoJs) || !existsSync(join(demoWebDir, 'index.html')))
    throw new Error(`the demo is not built (${demoJs}): run pnpm --filter @x/demo build`);
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run pnpm system-deps`);
  const recordingsDir = mkdtempSync(join(tmpdir(), 'x-bench-data-'));
  const demo = await startBuiltDemo({
    port: 0,
    host: '127.0.0.1',
    webDir: demoWebDir,
    recordingsDir,
    server: {
      numWorkers: 1,
      logLevel: 'error',
      rtcIPv4: '127.0.0.1',
      rtcIPv6: false,
      rtcMinPort: 46800,
      rtcMaxPort: 46899,
      // The burst goes past the default per-peer rate limits on purpose.
      limits: { dataMessagesPerSecond: 1_000_000, dataBytesPerSecond: 1024 * 1024 * 1024 },
    },
  });
  const browser = await launchChromium();
  try {
    const url = (peer: string) => demoUrl(`http://127.0.0.1:${demo.port}`, 'data-bench', peer);
    const a = await browser.newPage();
    // tsx names the functions of the callbacks below with an `__name` helper the page lacks.
    const names = { content: 'globalThis.__name = (f) => f;' };
    await a.addInitScript(names);
    await a.goto(url('a'));
    await joined(a);
    const b = await browser.newPage();
    await b.addInitScript(names);
    await b.goto(url('b'));
    await joined(b);
    await receiveIn(b);
    await connect(a, b);

    const rate: Record<Path, number> = { sfu: 0, direct: 0 };
    const latency: Record<Path, number[]> = { sfu: [], direct: [] };
    // Alternate the paths, twice each, so that neither runs on a warmer machine.
    for (const path of ['direct', 'sfu', 'direct', 'sfu'] as const) {
      await send(a, path, 'bulk');
      const { at } = await collect(b, path, BULK);
      rate[path] = Math.max(rate[path], (BULK - 1) / ((at.at(-1)! - at[0]!) / 1000));
      await send(a, path, 'pings');
      latency[path].push(...(await collect(b, path, PINGS)).latency);
    }
    const p = (path: Path, q: number) => quantile(latency[path], q);
    return {
      name,
      title,
      figures: [
        figure({
          name: `throughput: ${BULK.toLocaleString('en-US')} ordered reliable messages of ${BULK_SIZE} B`,
          unit: 'messages/s',
          value: rate.sfu,
          baseline: rate.direct,
          baselineName: 'direct data channel',
          higherIsBetter: true,
          note: 'best of two runs each',
        }),
        figure({
          name: `latency p50 (${PINGS} messages, one every ${PING_EVERY_MS} ms, ×2)`,
          unit: 'ms',
          value: p('sfu', 0.5),
          baseline: p('direct', 0.5),
          baselineName: 'direct data channel',
          higherIsBetter: false,
        }),
        figure({
          name: 'latency p99',
          unit: 'ms',
          value: p('sfu', 0.99),
          baseline: p('direct', 0.99),
          baselineName: 'direct data channel',
          higherIsBetter: false,
        }),
      ],
      details: { rate, latencyP50: [p('sfu', 0.5), p('direct', 0.5)] },
      notes: [
        'Both paths run in the same two pages (each also in the demo call, camera and microphone on), on loopback, one media worker. The SFU path is two SCTP associations (page → worker → page) and the worker; the direct one is one.',
      ],
    };
  } finally {
    await browser.close();
    await demo.close();
    rmSync(recordingsDir, { recursive: true, force: true });
  }
}
