// Benchmark: a participant whose network changes address mid-call, as a
// laptop moving from Wi-Fi to a phone's hotspot. The built demo (its server
// module and page) runs in this process on the root side of two links to a
// network namespace, `roam`; Alice's Chromium runs inside `roam`, Bob's in
// the machine's own namespace, both on the demo page (whose transports are
// created once, as in the client README). Each round takes `roam`'s current
// interface down and brings the other one up with its own address and
// default route: the page notices (ICE fails on the old address), restarts
// ICE and, when the server no longer knows the session, joins again.
// Timed per round: from the change to the moment both pages decode new
// video frames again. Baseline: a page opened anew in `roam` after the
// rounds (navigation to its first remote frame), the cost of reloading.
// Needs root (network namespaces, nftables are not used).
import { existsSync } from 'node:fs';
import type { ServerOptions } from '@x/server';
import {
  CHROMIUM,
  createNetwork,
  findSystemBinary,
  freePort,
  type Link,
  launchChromiumOn,
  type Network,
} from '@x/testkit';
import { type BuiltDemo, demoJs, demoWebDir, startBuiltDemo } from '../lib/builtDemo.js';
import { type DemoWindow, demoUrl } from '../lib/demoPage.js';
import { type BenchResult, type Figure, figure } from '../lib/report.js';
import { median, quantile, sleep } from '../lib/stats.js';

const ROUNDS = Number(process.env.BENCH_ROAM_ROUNDS ?? 10);
/** 6 s blackouts after the address changes (nftables drops all of `roam`'s traffic). */
const BLACKOUTS = Number(process.env.BENCH_ROAM_BLACKOUTS ?? 5);
const BLACKOUT_MS = 6000;
const BLACKOUT = `table inet xbench_blackout {
  chain output { type filter hook output priority filter; policy drop; oifname "lo" accept; }
  chain input { type filter hook input priority filter; policy drop; iifname "lo" accept; }
}
`;
const ROOM = 'roam';
const TITLE =
  'Address change and blackout mid-call: the network changes or returns, to video again on both pages';

type Browser = Awaited<ReturnType<typeof launchChromiumOn>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

/**
 * Runs in each page before its scripts: keeps every RTCPeerConnection the
 * page makes (a string, not a function: tsx would add its own helpers to a
 * function's source, which the page does not have).
 */
const PROBE = `
  const pcs = []; window.benchPcs = pcs;
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = function (configuration) {
    const pc = new Native(configuration);
    pcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
`;

/**
 * Remote video frames decoded so far by each RTCPeerConnection of the page,
 * by index (a local preview's frames are not counted; a closed connection
 * counts no more).
 */
function framesByVideo(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const out: Record<string, number> = {};
    const pcs = (window as unknown as { benchPcs?: RTCPeerConnection[] }).benchPcs ?? [];
    for (const [i, pc] of pcs.entries()) {
      let frames = 0;
      if (pc.connectionState !== 'closed')
        (await pc.getStats()).forEach((s: Record<string, unknown>) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video')
            frames += (s.framesDecoded as number | undefined) ?? 0;
        });
      out[i] = frames;
    }
    return out;
  });
}

async function framesSince(page: Page, before: Record<string, number>): Promise<number> {
  const now = await framesByVideo(page);
  let frames = 0;
  for (const [id, n] of Object.entries(now)) frames += Math.max(0, n - (before[id] ?? 0));
  return frames;
}

/** Resolves once `check` is true (polled every 50 ms), false after `ms`. */
async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

/** Both pages decode a steady stream (30 new frames each). */
async function bothSteady(pages: Page[], ms = 30_000): Promise<boolean> {
  const before = await Promise.all(pages.map(framesByVideo));
  return until(
    async () =>
      (await Promise.all(pages.map((p, i) => framesSince(p, before[i]!)))).every((n) => n > 30),
    ms,
  );
}

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (!existsSync(demoJs))
    return `the demo is not built (${demoJs}): run pnpm --filter @x/demo build`;
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (Debian package chromium)`;
  return undefined;
}

export async function run(): Promise<BenchResult> {
  const skip = skipReason();
  if (skip) {
    console.log(`  skipped: ${skip}`);
    return { name: 'roam', title: TITLE, figures: [], notes: [`Skipped: ${skip}.`] };
  }
  const ip = findSystemBinary('ip', 'iproute2');
  let net: Network | undefined;
  let demo: BuiltDemo | undefined;
  const browsers: Browser[] = [];
  const changes: number[] = [];
  const failed: number[] = [];
  const returns: number[] = [];
  let fresh = Number.NaN;
  try {
    net = createNetwork();
    const roam = net.host('roam');
    const links: [Link, Link] = [net.link(net.root, roam), net.link(net.root, roam)];
    net.defaultRoute(roam, links[0].a.address);
    net.exec(roam, ip, ['link', 'set', links[1].b.ifname, 'down']);
    // The server listens on the root end of the first link; the second
    // reaches it through the root namespace's routing (the same machine).
    const address = links[0].a.address;
    demo = await startBuiltDemo({
      port: 0,
      host: address,
      webDir: demoWebDir,
      recordingsDir: '/tmp/x-bench-recordings-roam',
      server: {
        numWorkers: 1,
        logLevel: 'error',
        rtcIPv4: address,
        rtcIPv6: false,
        rtcMinPort: 42000,
        rtcMaxPort: 42499,
        webRtcServer: { port: await freePort(address) },
      } satisfies ServerOptions,
    });
    const origin = `http://${address}:${demo.port}`;
    const roamBrowser = await launchChromiumOn(roam, { secureOrigins: [origin] });
    browsers.push(roamBrowser);
    const rootBrowser = await launchChromiumOn(net.root, { secureOrigins: [origin] });
    browsers.push(rootBrowser);
    const alice = await roamBrowser.newPage();
    await alice.evaluateOnNewDocument(PROBE);
    await alice.goto(demoUrl(origin, ROOM, 'alice'));
    const bob = await rootBrowser.newPage();
    await bob.evaluateOnNewDocument(PROBE);
    await bob.goto(demoUrl(origin, ROOM, 'bob'));
    if (!(await bothSteady([alice, bob], 60_000)))
      throw new Error('the two pages never decoded each other');
    let current = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const next = 1 - current;
      const t0 = Date.now();
      net.exec(roam, ip, ['link', 'set', links[current]!.b.ifname, 'down']);
      net.exec(roam, ip, ['link', 'set', links[next]!.b.ifname, 'up']);
      net.defaultRoute(roam, links[next]!.a.address);
      current = next;
      // Frames already on their way still decode: count from the moment
      // Alice's page stops decoding (half a second without a new frame).
      let since = { a: await framesByVideo(alice), b: await framesByVideo(bob) };
      for (let i = 0; i < 20; i++) {
        await sleep(500);
        const still = await framesSince(alice, since.a);
        since = { a: await framesByVideo(alice), b: await framesByVideo(bob) };
        if (still === 0) break;
      }
      let aliceAt = 0;
      let bobAt = 0;
      const back = await until(async () => {
        if (!aliceAt && (await framesSince(alice, since.a)) > 0) aliceAt = Date.now() - t0;
        if (!bobAt && (await framesSince(bob, since.b)) > 0) bobAt = Date.now() - t0;
        return aliceAt > 0 && bobAt > 0;
      }, 40_000);
      console.log(`    alice decodes again at +${aliceAt} ms, bob at +${bobAt} ms`);
      if (!back) {
        failed.push(round);
        console.log(`  round ${round + 1}: no video again within 40 s`);
        continue;
      }
      const ms = Date.now() - t0;
      changes.push(ms);
      console.log(`  round ${round + 1}: address change → both decode again in ${ms} ms`);
      if (!(await bothSteady([alice, bob]))) console.log('  (not steady after 30 s)');
    }
    const nft = findSystemBinary('nft', 'nftables');
    for (let round = 0; round < BLACKOUTS; round++) {
      net.nft(roam, BLACKOUT);
      await sleep(BLACKOUT_MS);
      const since = { a: await framesByVideo(alice), b: await framesByVideo(bob) };
      const t0 = Date.now();
      net.exec(roam, nft, ['delete', 'table', 'inet', 'xbench_blackout']);
      const back = await until(
        async () =>
          (await framesSince(alice, since.a)) > 0 && (await framesSince(bob, since.b)) > 0,
        40_000,
      );
      if (!back) {
        console.log(`  blackout ${round + 1}: no video again within 40 s`);
        continue;
      }
      returns.push(Date.now() - t0);
      console.log(
        `  blackout ${round + 1}: network back → both decode again in ${returns.at(-1)} ms`,
      );
      if (!(await bothSteady([alice, bob]))) console.log('  (not steady after 30 s)');
    }
    // Baseline: a page opened anew in roam, navigation to its first frame.
    const page = await roamBrowser.newPage();
    await page.goto(demoUrl(origin, ROOM, 'fresh'));
    fresh = await firstRemoteFrameOf(page);
    console.log(`  a fresh page in roam: first frame ${fresh.toFixed(0)} ms after navigation`);
  } finally {
    for (const b of browsers) await b.close().catch(() => undefined);
    await demo?.close().catch(() => undefined);
    net?.dispose();
  }
  const figures: Figure[] = (
    [
      ['median', 0.5],
      ['p95', 0.95],
    ] as const
  ).map(([label, q]) =>
    figure({
      name: `address change → both pages decode again, ${changes.length} of ${ROUNDS} rounds: ${label}`,
      unit: 'ms',
      value: changes.length ? quantile(changes, q) : Number.NaN,
      baseline: fresh,
      baselineName: 'a page opened anew (navigation → first frame)',
      higherIsBetter: false,
      note: `${changes.join(', ')} ms${failed.length ? `; rounds with no video again within 40 s: ${failed.map((r) => r + 1).join(', ')}` : ''}; goal: p95 ≤ 10000 ms`,
    }),
  );
  for (const [label, q] of [
    ['median', 0.5],
    ['p95', 0.95],
  ] as const)
    figures.push(
      figure({
        name: `a ${BLACKOUT_MS / 1000} s blackout: network back → both pages decode again, ${returns.length} of ${BLACKOUTS}: ${label}`,
        unit: 'ms',
        value: returns.length ? quantile(returns, q) : Number.NaN,
        baseline: fresh,
        baselineName: 'a page opened anew (navigation → first frame)',
        higherIsBetter: false,
        note: `${returns.join(', ')} ms`,
      }),
    );
  return {
    name: 'roam',
    title: TITLE,
    figures,
    details: {
      changes,
      failed,
      returns,
      fresh,
      median: changes.length ? median(changes) : null,
    },
    notes: [
      'The built demo in this process on the root end of two veth links to a network namespace (`roam`); Alice’s headless Chromium (fake camera) inside `roam`, Bob’s in the machine’s namespace, both on the demo page, whose transports are created once as in the client README. Each round, `roam`’s interface goes down and the other comes up with its own address and default route; the rounds alternate between the two.',
      'Per round: from the change (this process’s clock) to the moment both pages have decoded new video frames (each page’s video elements’ totalVideoFrames, polled every 50 ms, counted once Alice’s page stopped decoding what was on its way). How it gets there: ping and ICE-state detection on the page, an ICE restart, and a rejoin on the same transports when the server has let the session go. Baseline: a page opened anew in `roam` after the rounds (page load, token, WebSocket, join, transports, first key frame).',
      `Then ${BLACKOUTS} blackouts of ${BLACKOUT_MS / 1000} s (nftables in \`roam\` drops everything but loopback): timed from the moment the rules go to both pages decoding new frames (the session resumes on the same peer: the server's grace period is longer).`,
      'Both browsers, the server and the fake cameras’ encoding share the 2 cores.',
    ],
  };
}

/** The demo page's own figure: ms from navigation to its first remote video frame. */
async function firstRemoteFrameOf(page: Page): Promise<number> {
  const handle = await page.waitForFunction(
    () => (window as DemoWindow).demo?.metrics.firstRemoteFrameMs,
    { timeout: 30_000 },
  );
  return (await handle.jsonValue()) as number;
}
