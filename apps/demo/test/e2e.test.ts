// The demo end to end: real headless Chromium with a fake camera and
// microphone, the demo server (real mediasoup worker), real media; the
// recording checked with ffprobe.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, requireBinary } from '@x/testkit';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../src/demo.js';
import { startTestDemo } from './helpers/testDemo.js';
import { mediasoupLog } from './workerLog.js';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = resolve(here, '../artifacts');
const recordingsDir = mkdtempSync(join(tmpdir(), 'x-demo-recordings-'));

let demo: Demo;
let browser: Browser;

beforeAll(async () => {
  requireBinary('ffprobe', 'ffmpeg');
  demo = await startTestDemo({
    recordingsDir,
    rtcPort: 41000,
    // Warnings of these tags reach the log too; the last test reads it.
    server: { logTags: ['dtls', 'srtp', 'ice'] },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  rmSync(recordingsDir, { recursive: true, force: true });
});

async function joinPage(room: string, peer: string, port = demo.port): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (error) => console.error(`[${peer}] page error:`, error));
  await page.goto(`http://127.0.0.1:${port}/?room=${room}&peer=${peer}&autojoin=1`);
  await page.waitForFunction(
    () => window.demo?.room.joined === true && window.demo.video?.transport !== undefined,
    null,
    { timeout: 20_000 },
  );
  return page;
}

/** Frames decoded so far by the receiver of `peer`'s video, from the browser's own stats. */
function framesDecoded(page: Page, peer: string): Promise<number> {
  return page.evaluate(async (name) => {
    const consumer = [...(window.demo?.consumers ?? [])].find(
      (c) => c.kind === 'video' && c.peer.name === name && c.engine,
    );
    if (!consumer?.engine) return 0;
    let frames = 0;
    (await consumer.engine.getStats()).forEach((s: { type: string; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp') frames = s.framesDecoded ?? 0;
    });
    return frames;
  }, peer);
}

function videoWidth(page: Page, peer: string): Promise<number> {
  return page.evaluate(
    (name) =>
      document.querySelector<HTMLVideoElement>(`.tile[data-peer="${name}"] video`)?.videoWidth ?? 0,
    peer,
  );
}

async function expectFlowing(page: Page, peer: string): Promise<void> {
  await expect.poll(() => videoWidth(page, peer), { timeout: 15_000 }).toBeGreaterThan(0);
  const before = await framesDecoded(page, peer);
  await expect
    .poll(() => framesDecoded(page, peer), { timeout: 10_000 })
    .toBeGreaterThan(before + 10);
}

/** Luminance variance of a PNG: a blank (single-colour) image has none. */
function variance(png: Buffer): number {
  const image = PNG.sync.read(png);
  let sum = 0;
  let sumSq = 0;
  const n = image.width * image.height;
  for (let i = 0; i < image.data.length; i += 4) {
    const y = 0.299 * image.data[i]! + 0.587 * image.data[i + 1]! + 0.114 * image.data[i + 2]!;
    sum += y;
    sumSq += y * y;
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

describe('demo in real Chromium', () => {
  it('two pages see each other; pause, replaceTrack and leaving propagate; a screenshot shows both videos', async () => {
    const alice = await joinPage('e2e', 'alice');
    const bob = await joinPage('e2e', 'bob');

    // Each shows the other's video, with frames being decoded.
    await expectFlowing(alice, 'bob');
    await expectFlowing(bob, 'alice');
    const firstFrame = await bob.evaluate(() => window.demo?.metrics.firstRemoteFrameMs);
    expect(firstFrame).toBeGreaterThan(0);
    console.log(
      `time from page load to first decoded remote frame, Chromium ↔ Chromium (bob, joining second): ${firstFrame!.toFixed(0)} ms`,
    );

    // Screenshot of two peers in the room; neither tile is blank.
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'two-peers.png'), await alice.screenshot({ fullPage: true }));
    for (const [page, peer] of [
      [alice, 'bob'],
      [alice, 'alice'],
      [bob, 'alice'],
    ] as const) {
      const shot = await page.locator(`.tile[data-peer="${peer}"] video`).screenshot();
      const v = variance(shot);
      expect(v, `tile of ${peer}`).toBeGreaterThan(50);
    }

    // Pausing the camera on alice shows paused on bob; resuming clears it.
    await alice.click('#toggle-cam');
    await expect
      .poll(() =>
        bob.evaluate(
          () =>
            document.querySelector<HTMLElement>('.tile[data-peer="alice"]')?.dataset.videoPaused,
        ),
      )
      .toBe('true');
    await alice.click('#toggle-cam');
    await expect
      .poll(() =>
        bob.evaluate(
          () =>
            document.querySelector<HTMLElement>('.tile[data-peer="alice"]')?.dataset.videoPaused,
        ),
      )
      .toBe('false');
    await expectFlowing(bob, 'alice');

    // Switching the camera (replaceTrack) keeps video flowing.
    const trackBefore = await alice.evaluate(() => window.demo?.video?.track.id);
    await alice.click('#switch-cam');
    await expect
      .poll(() => alice.evaluate(() => window.demo?.video?.track.id))
      .not.toBe(trackBefore);
    await expectFlowing(bob, 'alice');

    // Closing a page removes its tile on the other.
    await bob.close();
    await expect
      .poll(() => alice.evaluate(() => document.querySelector('.tile[data-peer="bob"]') !== null), {
        timeout: 10_000,
      })
      .toBe(false);
    await alice.close();
  });

  it('records 3 s of a peer to a file that ffprobe finds playable', async () => {
    const alice = await joinPage('rec', 'alice');
    const bob = await joinPage('rec', 'bob');
    await expectFlowing(bob, 'alice');
    await bob.selectOption('#record-peer', 'alice');
    await bob.click('#record');
    await expect.poll(() => bob.locator('#record').textContent()).toBe('Stop recording');
    // Everyone in the room sees that it is being recorded, alice first.
    await expect
      .poll(() => alice.locator('#recording-badge').textContent(), { timeout: 5000 })
      .toBe('● Recording alice');
    await new Promise((r) => setTimeout(r, 3000));
    await bob.click('#record');
    await expect
      .poll(async () => (await demo.recordings.list()).find((r) => r.peer === 'alice')?.state, {
        timeout: 10_000,
      })
      .toBe('done');
    const recording = (await demo.recordings.list()).find((r) => r.peer === 'alice')!;
    // The page lists it, playable.
    await expect
      .poll(() => bob.locator(`#recordings video[src^="${recording.url}?token="]`).count(), {
        timeout: 10_000,
      })
      .toBe(1);
    const probe = JSON.parse(
      execFileSync(
        'ffprobe',
        [
          '-v',
          'error',
          '-count_frames',
          '-show_entries',
          'format=duration:stream=codec_type,codec_name,nb_read_frames',
          '-of',
          'json',
          join(recordingsDir, recording.file),
        ],
        { encoding: 'utf8' },
      ),
    ) as {
      format: { duration: string };
      streams: { codec_type: string; nb_read_frames: string }[];
    };
    const video = probe.streams.find((s) => s.codec_type === 'video');
    expect(video).toBeDefined();
    // The badge goes when the recording ends.
    await expect.poll(() => alice.locator('#recording-badge').isHidden()).toBe(true);
    expect(Number(probe.format.duration)).toBeGreaterThanOrEqual(2);
    expect(Number(video!.nb_read_frames)).toBeGreaterThanOrEqual(30);
    expect(probe.streams.some((s) => s.codec_type === 'audio')).toBe(true);
    await alice.close();
    await bob.close();
  });
});

describe('simulcast and live stats in real Chromium', () => {
  it('simulcast on: three streams; the receiver switches profiles; live stats show bitrate, loss and RTT', async () => {
    const alice = await joinPage('simulcast', 'alice');
    const bob = await joinPage('simulcast', 'bob');
    await expectFlowing(bob, 'alice');

    await alice.check('#simulcast-live');
    await expect
      .poll(() => alice.evaluate(() => window.demo?.video?.rtpParameters?.encodings?.length ?? 0), {
        timeout: 10_000,
      })
      .toBe(3);
    await expectFlowing(bob, 'alice');
    const serverProducer = () =>
      demo.server
        .getRoom('simulcast')!
        .getPeerByName('alice')!
        .producers.find((p) => p.kind === 'video');
    await expect.poll(() => serverProducer()?.simulcast).toBe(true);

    // bob prefers the low profile: the server switches the layer and says so.
    const profile = () =>
      bob.evaluate(
        () =>
          [...(window.demo?.consumers ?? [])].find((c) => c.kind === 'video' && !c.closed)
            ?.effectiveProfile,
      );
    await expect.poll(profile, { timeout: 15_000 }).not.toBe('none');
    await bob.evaluate(() =>
      [...(window.demo?.consumers ?? [])]
        .find((c) => c.kind === 'video' && !c.closed)
        ?.setPreferredProfile('low'),
    );
    await expect.poll(profile, { timeout: 15_000 }).toBe('low');

    await bob.check('#stats');
    await expect
      .poll(() => bob.locator('.tile[data-peer="alice"] .stats').textContent(), { timeout: 10_000 })
      .toMatch(/^\d+ kbps · lost \d+ · rtt/);

    // alice's own tile adds up her layers as the server receives them
    // (it once showed the lowest layer's bitrate alone).
    await alice.evaluate(() => {
      window.demo!.video!.on('stats', (stats) => {
        (window as unknown as { layers: number[] }).layers = stats
          .filter((s) => s.type === 'inbound-rtp')
          .map((s) => Number(s.bitrate ?? 0));
      });
    });
    await alice.check('#stats');
    const shown = () =>
      alice.evaluate(() => ({
        text: document.querySelector('.tile[data-peer="alice"] .stats')?.textContent ?? '',
        layers: (window as unknown as { layers?: number[] }).layers ?? [],
      }));
    await expect
      .poll(
        async () => {
          const { text, layers } = await shown();
          const match = /^(\d+) kbps \((\d+) layers\)/.exec(text);
          const sum = layers.reduce((a, b) => a + b, 0);
          // Chromium sends 2 of the 3 encodings of a 640×480 camera: at
          // least two layers flow, and the line shows their sum.
          return (
            match !== null &&
            Number(match[2]) === layers.length &&
            layers.filter((b) => b > 0).length >= 2 &&
            Number(match[1]) === Math.round(sum / 1000) &&
            Number(match[1]) * 1000 > Math.max(...layers)
          );
        },
        { timeout: 15_000, message: 'the stats line sums the simulcast layers' },
      )
      .toBe(true);
    console.log(`simulcast stats line of the sender: ${(await shown()).text}`);
    await alice.close();
    await bob.close();
  });
});

describe('reconnection in real Chromium', () => {
  it('cut the socket mid-call: the page resumes its peer and media flows again both ways', async () => {
    const alice = await joinPage('reconnect', 'alice');
    const bob = await joinPage('reconnect', 'bob');
    await expectFlowing(bob, 'alice');
    await expectFlowing(alice, 'bob');
    const serverRoom = demo.server.getRoom('reconnect')!;
    const serverAlice = serverRoom.getPeerByName('alice')!;

    const session = demo.signaling.sessions.find(
      (s) => s.room.id === 'reconnect' && s.peer.name === 'alice',
    )!;
    await alice.evaluate(() => {
      const w = window as unknown as { reconnected?: string };
      window.demo!.connection!.once('reconnected', (mode) => {
        w.reconnected = mode;
      });
    });
    session.connection!.drop();
    await expect
      .poll(
        () => alice.evaluate(() => (window as unknown as { reconnected?: string }).reconnected),
        { timeout: 15_000 },
      )
      .toBe('resume');
    expect(serverRoom.getPeerByName('alice')).toBe(serverAlice);
    expect(serverRoom.peers.map((p) => p.name).sort()).toEqual(['alice', 'bob']);
    await expectFlowing(bob, 'alice');
    await expectFlowing(alice, 'bob');
    await alice.close();
    await bob.close();
  });
});

describe('audio levels in real Chromium', () => {
  it('the room reports audio levels and the active speaker from a real microphone', async () => {
    const alice = await joinPage('levels', 'alice');
    const room = demo.server.getRoom('levels')!;
    const audio = room.getPeerByName('alice')!.producers.find((p) => p.kind === 'audio')!;
    const levels: number[] = [];
    room.on('audiolevels', (entries) => {
      for (const e of entries) if (e.producer === audio) levels.push(e.audioLevel);
    });
    const detector = await room.createActiveSpeakerDetector();
    const speaker = new Promise<string>((resolve) =>
      detector.once('activespeakerchange', (peer, producer) =>
        resolve(`${peer.name}/${producer.kind}`),
      ),
    );
    // Chromium's fake microphone beeps: levels come while it does.
    await expect.poll(() => levels.length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(Math.max(...levels)).toBeGreaterThan(-127);
    expect(Math.max(...levels)).toBeLessThanOrEqual(0);
    expect(await speaker).toBe('alice/audio');
    detector.close();
    expect(detector.closed).toBe(true);
    await alice.close();
  });
});

describe('a room over two workers, in real Chromium', () => {
  it('two pages on different workers see each other: their media crosses the pipe both ways', async () => {
    const wide = await startTestDemo({
      recordingsDir,
      rtcPort: 42000,
      // One consumer fills a worker: the second page goes to the other worker.
      server: { numWorkers: 2, maxConsumersPerWorker: 1 },
    });
    try {
      const alice = await joinPage('wide', 'alice', wide.port);
      const bob = await joinPage('wide', 'bob', wide.port);
      const room = wide.server.getRoom('wide')!;
      const [a, b] = [room.getPeerByName('alice')!, room.getPeerByName('bob')!];
      expect(room.routers).toHaveLength(2);
      expect(a.router).not.toBe(b.router);
      await expectFlowing(bob, 'alice');
      await expectFlowing(alice, 'bob');
      // Each video is piped once, to the other page's router.
      const video = (p: typeof a) => p.producers.find((x) => x.kind === 'video')!;
      expect(room.pipesOf(video(a))).toBe(1);
      expect(room.pipesOf(video(b))).toBe(1);
      // Pipes close with their producers, once each: the worker is asked for nothing gone.
      const logged = mediasoupLog().length;
      await alice.close();
      await bob.close();
      await expect.poll(() => wide.server.getRoom('wide')?.peers.length ?? 0).toBe(0);
      await new Promise((r) => setTimeout(r, 500));
      expect(mediasoupLog().slice(logged).join('\n')).not.toMatch(/not found/);
    } finally {
      await wide.close();
    }
  });
});

describe('the worker log over the whole run', () => {
  it('shows no DTLS or SRTP error or warning but orderly closes (and does show what the worker logs)', async () => {
    // The log is really read: a STUN Binding Request without FINGERPRINT
    // makes the worker warn (tag ice), and that line must arrive.
    const worker = demo.server.workers[0]!;
    const router = await worker.createRouter({ mediaCodecs: [] });
    const transport = await router.createWebRtcTransport({ listenIps: [{ ip: '127.0.0.1' }] });
    const stun = Buffer.alloc(20);
    stun.writeUInt16BE(0x0001, 0); // Binding Request, no attributes
    stun.writeUInt32BE(0x2112a442, 4);
    const socket = createSocket('udp4');
    socket.send(stun, transport.iceCandidates[0]!.port, '127.0.0.1');
    await expect
      .poll(() => mediasoupLog().some((l) => /without FINGERPRINT/.test(l)), { timeout: 5000 })
      .toBe(true);
    socket.close();
    router.close();

    // A page that leaves ends its DTLS session in order: it sends close_notify,
    // and the worker resets that transport. These three warnings say so; any
    // other DTLS, SRTP or OpenSSL line is an error (OpenSSL 3 without the two
    // runtime fixes of patches/0006 and 0007 logs such lines in every run).
    const orderlyClose = [
      /DtlsTransport::OnSslInfo\(\) \| received DTLS warning alert: close notify$/,
      /DtlsTransport::Reset\(\) \| resetting DTLS transport$/,
      /WebRtcTransport::OnDtlsTransportClosed\(\) \| DTLS remotely closed$/,
    ];
    const dtlsOrSrtp = mediasoupLog().filter(
      (l) => /dtls|srtp|ssl/i.test(l) && !orderlyClose.some((ok) => ok.test(l)),
    );
    expect(dtlsOrSrtp).toEqual([]);
  });
});
