// Optional part of the join benchmark: time to the first remote video frame
// in real Chromium, with the demo page of apps/demo (built: its dist/) as the
// client. Alice publishes her fake camera; then Bob's page is opened, joins
// and receives her: the page records performance.now() of the first frame
// decoded from a remote video (window.demo.metrics.firstRemoteFrameMs, ms
// since Bob's navigation started). Baseline in the same browser and run: a
// loopback call between two RTCPeerConnections of one page (getUserMedia →
// first decoded frame of the remote side), i.e. WebRTC with no SFU and no
// signaling. Skipped, with the reason, when the demo is not built or Chromium
// is missing.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, launchChromium } from '@x/testkit';
import type { Page } from 'playwright-core';
import { demoJs, demoWebDir, startBuiltDemo } from '../lib/builtDemo.js';
import { demoUrl, firstRemoteFrame, publishing } from '../lib/demoPage.js';
import { median } from '../lib/stats.js';

const REPEATS = 3;

export type BrowserResult =
  | { skipped: string }
  | { firstRemoteFrameMs: number[]; loopbackMs: number[] };

/** getUserMedia → first frame decoded on the far side of a same-page RTCPeerConnection pair. */
function loopback(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const t0 = performance.now();
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: 640, height: 480 },
    });
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    document.body.append(video);
    const frame = new Promise<number>((resolve) => {
      b.ontrack = (e) => {
        video.srcObject = new MediaStream([e.track]);
        video.requestVideoFrameCallback((now) => resolve(now));
      };
    });
    for (const track of stream.getTracks()) a.addTrack(track, stream);
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription!);
    const at = await frame;
    a.close();
    b.close();
    for (const track of stream.getTracks()) track.stop();
    video.remove();
    return at - t0;
  });
}

export async function browserFirstFrame(ports: [number, number]): Promise<BrowserResult> {
  const webDir = demoWebDir;
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
    const url = (peer: string) => demoUrl(`http://127.0.0.1:${demo.port}`, 'bench', peer);
    const alice = await browser.newPage();
    await alice.goto(url('alice'));
    await publishing(alice);
    const firstRemoteFrameMs: number[] = [];
    const loopbackMs: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const bob = await browser.newPage();
      await bob.goto(url(`bob${i}`));
      firstRemoteFrameMs.push(await firstRemoteFrame(bob));
      await bob.close({ runBeforeUnload: true });
      const blank = await browser.newPage();
      await blank.goto(`http://127.0.0.1:${demo.port}/`);
      loopbackMs.push(await loopback(blank));
      await blank.close();
    }
    return { firstRemoteFrameMs, loopbackMs };
  } finally {
    await browser.close();
    await demo.close();
    rmSync(recordingsDir, { recursive: true, force: true });
  }
}

export { median };
