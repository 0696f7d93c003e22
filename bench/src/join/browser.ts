// Optional part of the join benchmark: time to the first remote video frame
// in real Chromium, with the demo page of apps/demo (built: its dist/) as the
// client. Alice publishes her fake camera; then Bob's page is opened, joins
// and receives her. The page records its own milestones
// (window.demo.metrics: when its call started, when the room was joined, the
// first decoded remote frame); a script the bench adds to the page records
// when its receiving RTCPeerConnection connected (ICE and DTLS done).
//
// Baselines in the same browser and run, WebRTC with no SFU and no
// signaling: a loopback call between two RTCPeerConnections of one page,
// getUserMedia → first decoded frame of the remote side, (a) in a page
// already loaded, the counterpart of "call started → first frame", and (b)
// in a fresh page that starts it as it loads, the counterpart of
// "navigation → first frame" (its page is tiny: the demo's page load is
// its own row). Skipped, with the reason, when the demo is not built or
// Chromium is missing.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, launchChromium } from '@x/testkit';
import type { Browser, Page } from 'playwright-core';
import { demoJs, demoWebDir, startBuiltDemo } from '../lib/builtDemo.js';
import { demoUrl, firstRemoteFrame, publishing } from '../lib/demoPage.js';
import { median } from '../lib/stats.js';

const REPEATS = 7;
/** How long a loaded page is left alone before the timed part starts (its load's work done). */
const IDLE_MS = 1000;

/** Milestones of one join of the demo page, ms since its navigation started. */
export interface DemoJoin {
  startedMs: number;
  joinedMs: number;
  recvConnectedMs: number;
  firstFrameMs: number;
}

/** One loopback call: ms from getUserMedia (or navigation) to each milestone. */
export interface Loopback {
  connectedMs: number;
  firstFrameMs: number;
}

export type BrowserResult =
  | { skipped: string }
  | {
      /** Join clicked on a loaded page (pre-join preview running). */
      clicks: DemoJoin[];
      loopbacks: Loopback[];
      /** The page joins as it loads (autojoin), from navigation. */
      joins: DemoJoin[];
      freshLoopbacks: Loopback[];
    };

// The loopback, as page source: `start` is when it begins (0 = navigation).
const LOOPBACK_SOURCE = `function openCamera() {
  return navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
}
async function loopback(start, opened) {
  const stream = opened ?? (await openCamera());
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  let connectedMs;
  b.onconnectionstatechange = () => {
    if (b.connectionState === 'connected') connectedMs ??= performance.now() - start;
  };
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  document.body.append(video);
  const frame = new Promise((resolve) => {
    b.ontrack = (e) => {
      video.srcObject = new MediaStream([e.track]);
      video.requestVideoFrameCallback((now) => resolve(now));
    };
  });
  for (const track of stream.getTracks()) a.addTrack(track, stream);
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  const at = await frame;
  a.close();
  b.close();
  for (const track of stream.getTracks()) track.stop();
  video.remove();
  return { connectedMs, firstFrameMs: at - start };
}`;

// Added to Bob's page: when the RTCPeerConnection that receives video connects.
const RECV_CONNECTED_SCRIPT = `{
  const Native = RTCPeerConnection;
  globalThis.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState !== 'connected' || globalThis.__recvConnectedMs !== undefined) return;
        const receivesVideo = this.getTransceivers().some(
          (t) => t.currentDirection === 'recvonly' && t.receiver.track.kind === 'video');
        if (receivesVideo) globalThis.__recvConnectedMs = performance.now();
      });
    }
  };
}`;

/** A page of the demo's origin (a secure context: 127.0.0.1) with this script, served by the bench. */
async function benchPage(browser: Browser, origin: string, script: string): Promise<Page> {
  const page = await browser.newPage();
  const url = `${origin}/bench-loopback.html`;
  await page.route(url, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><body><script>${script}</script></body></html>`,
    }),
  );
  await page.goto(url);
  return page;
}

/**
 * A same-page RTCPeerConnection pair in a loaded, idle page whose camera is
 * already open (as the demo's pre-join preview has it): offer/answer → first
 * decoded frame of the remote side.
 */
async function loopback(browser: Browser, origin: string): Promise<Loopback> {
  const page = await benchPage(browser, origin, LOOPBACK_SOURCE);
  try {
    await page.evaluate('openCamera().then((s) => { window.camera = s; })');
    await page.waitForTimeout(IDLE_MS);
    return (await page.evaluate('loopback(performance.now(), window.camera)')) as Loopback;
  } finally {
    await page.close();
  }
}

/** The same, started by a fresh page as it loads: ms since its navigation. */
async function freshLoopback(browser: Browser, origin: string): Promise<Loopback> {
  const page = await benchPage(browser, origin, `${LOOPBACK_SOURCE}\nwindow.result = loopback(0);`);
  try {
    return (await page.evaluate('window.result')) as Loopback;
  } finally {
    await page.close();
  }
}

async function demoJoin(page: Page): Promise<DemoJoin> {
  const firstFrameMs = await firstRemoteFrame(page);
  const marks = (await page.evaluate(
    `({ ...window.demo.metrics, recvConnectedMs: globalThis.__recvConnectedMs })`,
  )) as { startedMs: number; joinedMs: number; recvConnectedMs: number };
  return { ...marks, firstFrameMs };
}

/** The demo page loaded with its pre-join preview running, left idle, then Join clicked. */
async function clickJoin(browser: Browser, url: string): Promise<DemoJoin> {
  const page = await browser.newPage();
  try {
    await page.addInitScript(RECV_CONNECTED_SCRIPT);
    await page.goto(url);
    await page.waitForFunction(
      `(() => { const v = document.getElementById('preview'); return v.srcObject !== null && v.readyState >= 2; })()`,
    );
    await page.waitForTimeout(IDLE_MS);
    const clickedMs = (await page.evaluate(
      `(() => { document.getElementById('join').click(); return performance.now(); })()`,
    )) as number;
    const joined = await demoJoin(page);
    return { ...joined, startedMs: joined.startedMs ?? clickedMs };
  } finally {
    await page.close({ runBeforeUnload: true });
  }
}

export async function browserFirstFrame(ports: [number, number]): Promise<BrowserResult> {
  // X_BENCH_DEMO_WEB_DIR: another build of the page (an older commit's, to compare) on the same server.
  const webDir = process.env.X_BENCH_DEMO_WEB_DIR ?? demoWebDir;
  if (!existsSync(demoJs) || !existsSync(join(webDir, 'index.html')))
    return { skipped: `the demo is not built (${demoJs}): run pnpm --filter @x/demo build` };
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM}` };
  const recordingsDir = mkdtempSync(join(tmpdir(), 'x-bench-recordings-'));
  const demo = await startBuiltDemo({
    port: 0,
    host: '127.0.0.1',
    webDir,
    recordingsDir,
    server: {
      numWorkers: 1,
      logLevel: 'error',
      rtcIPv4: '127.0.0.1',
      rtcIPv6: false,
      rtcMinPort: ports[0],
      rtcMaxPort: ports[1],
    },
  });
  const browser = await launchChromium();
  try {
    const origin = `http://127.0.0.1:${demo.port}`;
    const url = (peer: string) => demoUrl(origin, 'bench', peer);
    const alice = await browser.newPage();
    await alice.goto(url('alice'));
    await publishing(alice);
    const clicks: DemoJoin[] = [];
    const loopbacks: Loopback[] = [];
    const joins: DemoJoin[] = [];
    const freshLoopbacks: Loopback[] = [];
    // One untimed round first: the browser's first WebRTC call of a kind is slower.
    for (let i = -1; i < REPEATS; i++) {
      const clicked = await clickJoin(browser, `${origin}/?room=bench&peer=carol${i + 1}`);
      const same = await loopback(browser, origin);
      const bob = await browser.newPage();
      await bob.addInitScript(RECV_CONNECTED_SCRIPT);
      await bob.goto(url(`bob${i + 1}`));
      const joined = await demoJoin(bob);
      await bob.close({ runBeforeUnload: true });
      const first = await freshLoopback(browser, origin);
      if (i < 0) continue;
      clicks.push(clicked);
      loopbacks.push(same);
      joins.push(joined);
      freshLoopbacks.push(first);
    }
    return { clicks, loopbacks, joins, freshLoopbacks };
  } finally {
    await browser.close();
    await demo.close();
    rmSync(recordingsDir, { recursive: true, force: true });
  }
}

export { median };
