// The demo with one Firefox page (Debian's firefox-esr over WebDriver BiDi,
// mediasoup-client's Firefox120 handler, fake media) and Chromium pages.
// Firefox offers no loopback ICE candidates, so the server listens and
// announces media on a non-loopback address of this machine, found at run
// time; the page is served there over HTTPS (a self-signed certificate made
// by the demo's own HTTPS=self-signed code), since a camera needs a secure page.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebRtcTransport } from '@x/server';
import { lanAddress, launchChromium, launchFirefox } from '@x/testkit';
import type { Browser, BrowserContext } from 'playwright-core';
import type { Browser as Firefox } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo, DemoOptions } from '../src/demo.js';
import { selfSignedTls } from '../src/tls.js';
import {
  chromiumPage,
  type DemoPage,
  enableClientWarnings,
  expectFlowing,
  expectJoined,
  firefoxPage,
  problems,
  tileData,
} from './helpers/pages.js';
import { startTestDemo } from './helpers/testDemo.js';

const scratch = mkdtempSync(join(tmpdir(), 'x-demo-firefox-'));

let ip: string;
let demo: Demo;
let firefox: Firefox;
let chromium: Browser;
let context: BrowserContext;
const open: DemoPage[] = [];

function demoOn(host: string, rtcPort: number, more: Partial<DemoOptions> = {}) {
  return startTestDemo({
    host,
    recordingsDir: join(scratch, 'recordings'),
    rtcPort,
    rtcPorts: 100,
    ...more,
  });
}

beforeAll(async () => {
  ip = lanAddress();
  demo = await demoOn(ip, 44000, { tls: selfSignedTls(join(scratch, 'certs')) });
  firefox = await launchFirefox({ acceptInsecureCerts: true });
  chromium = await launchChromium();
  context = await chromium.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 800 },
  });
}, 90_000);

afterAll(async () => {
  await firefox?.close();
  await chromium?.close();
  await demo?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const url = (room: string, peer: string, extra = '&autojoin=1') =>
  `https://${ip}:${demo.port}/?room=${room}&peer=${encodeURIComponent(peer)}${extra}`;

async function fox(room: string, peer = 'fox', extra?: string): Promise<DemoPage> {
  const p = await firefoxPage(firefox, peer, url(room, peer, extra), enableClientWarnings);
  open.push(p);
  return p;
}

async function chrome(room: string, peer = 'chrome', extra?: string): Promise<DemoPage> {
  const p = await chromiumPage(context, peer, url(room, peer, extra), enableClientWarnings);
  open.push(p);
  return p;
}

async function closeAll(): Promise<void> {
  for (const p of open.splice(0)) await p.close().catch(() => undefined);
}

const text = (p: DemoPage, id: string) =>
  p.evaluate((i) => document.getElementById(i)?.textContent ?? '', id);
const visible = (p: DemoPage, id: string) =>
  p.evaluate((i) => !(document.getElementById(i) as HTMLElement).hidden, id);
const firstFrame = (p: DemoPage) =>
  expect
    .poll(() => p.evaluate(() => window.demo?.metrics.firstRemoteFrameMs ?? 0), {
      timeout: 15_000,
    })
    .toBeGreaterThan(0)
    .then(() => p.evaluate(() => window.demo!.metrics.firstRemoteFrameMs!));

describe('Firefox and Chromium in one call (media on a LAN address)', () => {
  it('two-peer call both ways; pause and resume both ways; camera switch; leave', async () => {
    const c = await chrome('call');
    await expectJoined(c);
    const f = await fox('call');
    await expectJoined(f);
    expect(await f.evaluate(() => window.demo?.room.device?.handlerName)).toBe('Firefox120');
    await expectFlowing(f, 'chrome');
    await expectFlowing(c, 'fox');
    console.log(
      `time from page load to first decoded remote frame, Firefox ← Chromium (Firefox joining second): ${(await firstFrame(f)).toFixed(0)} ms`,
    );
    // The media path is the LAN address, not loopback.
    const transport = demo.server.getRoom('call')!.getPeerByName('fox')!.transports[0]!;
    expect(transport).toBeInstanceOf(WebRtcTransport);
    const candidates = (transport as WebRtcTransport).iceLocalCandidates.map((x) => x.ip);
    expect(candidates.length).toBeGreaterThan(0);
    expect(new Set(candidates)).toEqual(new Set([ip]));

    // Firefox pauses its camera and microphone: Chromium shows it; and back.
    for (const [button, key] of [
      ['#toggle-cam', 'videoPaused'],
      ['#toggle-mic', 'audioPaused'],
    ] as const) {
      await f.click(button);
      await expect.poll(() => tileData(c, 'fox', key), { message: key }).toBe('true');
      await f.click(button);
      await expect.poll(() => tileData(c, 'fox', key), { message: key }).toBe('false');
    }
    await expectFlowing(c, 'fox');
    // Firefox switches camera (replaceTrack): Chromium still receives it.
    const before = await f.evaluate(() => window.demo?.video?.track.id);
    await f.click('#switch-cam');
    await expect.poll(() => f.evaluate(() => window.demo?.video?.track.id)).not.toBe(before);
    await expectFlowing(c, 'fox');
    // Chromium pauses its camera: Firefox shows it; and back.
    await c.click('#toggle-cam');
    await expect.poll(() => tileData(f, 'chrome', 'videoPaused')).toBe('true');
    await c.click('#toggle-cam');
    await expect.poll(() => tileData(f, 'chrome', 'videoPaused')).toBe('false');
    await expectFlowing(f, 'chrome');

    // Firefox leaves: its tile goes on Chromium; it is back at the form, with no error logged.
    const since = f.console.length;
    await f.click('#leave');
    await expect
      .poll(() => c.evaluate(() => document.querySelector('.tile[data-peer="fox"]') === null), {
        timeout: 10_000,
      })
      .toBe(true);
    expect(await visible(f, 'join-panel')).toBe(true);
    expect(await text(f, 'status')).toBe('left');
    await new Promise((r) => setTimeout(r, 1500));
    expect(problems(f, since)).toEqual([]);
    expect(problems(c)).toEqual([]);
    expect(f.failedRequests).toEqual([]);
    await closeAll();
  });

  it('simulcast: Firefox sends layers Chromium switches between, and the other way; stats lines', async () => {
    const f = await fox('simulcast', 'fox', '&autojoin=1&simulcast=1');
    await expectJoined(f);
    const c = await chrome('simulcast', 'chrome', '&autojoin=1&simulcast=1');
    await expectJoined(c);
    await expectFlowing(c, 'fox');
    console.log(
      `time from page load to first decoded remote frame, Chromium ← Firefox (Chromium joining second): ${(await firstFrame(c)).toFixed(0)} ms`,
    );
    const room = demo.server.getRoom('simulcast')!;
    const video = (peer: string) =>
      room.getPeerByName(peer)!.producers.find((p) => p.kind === 'video')!;
    expect(video('fox').simulcast).toBe(true);
    expect(video('chrome').simulcast).toBe(true);

    // Each receiver asks for the low profile, then the high one: the server
    // switches (to the best layer the sender has: Chromium sends two of the
    // three for a 640×480 camera, so 'high' may give 'medium').
    for (const [page, sender] of [
      [c, 'fox'],
      [f, 'chrome'],
    ] as const) {
      await expectFlowing(page, sender);
      const profile = () =>
        page.evaluate(
          (name) =>
            [...(window.demo?.consumers ?? [])].find(
              (x) => x.kind === 'video' && x.peer.name === name && !x.closed,
            )?.effectiveProfile,
          sender,
        );
      for (const wanted of ['low', 'high'] as const) {
        await page.evaluate(
          ([name, p]) =>
            [...(window.demo?.consumers ?? [])]
              .find((x) => x.kind === 'video' && x.peer.name === name && !x.closed)
              ?.setPreferredProfile(p),
          [sender, wanted] as const,
        );
        const message = `${page.label} gets ${sender} ${wanted}`;
        if (wanted === 'low') await expect.poll(profile, { timeout: 15_000, message }).toBe('low');
        else await expect.poll(profile, { timeout: 15_000, message }).toMatch(/^(medium|high)$/);
      }
      await expectFlowing(page, sender);
    }

    // Live stats in Firefox: the sender's layers added up, the receiver's stream.
    await f.click('#stats');
    await expect
      .poll(
        () =>
          f.evaluate(() => document.querySelector('.tile[data-peer="fox"] .stats')?.textContent),
        {
          timeout: 10_000,
        },
      )
      .toMatch(/^\d+ kbps \(\d layers\) · lost \d+/);
    await expect
      .poll(
        () =>
          f.evaluate(() => document.querySelector('.tile[data-peer="chrome"] .stats')?.textContent),
        { timeout: 10_000 },
      )
      .toMatch(/^\d+ kbps · lost \d+ · rtt/);
    expect(problems(f)).toEqual([]);
    await closeAll();
  });

  it('in Firefox: pickers, a duplicate name back to the form, the speaker ring, quality, the recording badge, copy link', async () => {
    const alice = await chrome('features', 'alice');
    await expectJoined(alice);
    // Firefox asks for the name alice too: back to its form, with the reason.
    const f = await fox('features', 'alice');
    await expect.poll(() => visible(f, 'join-error'), { timeout: 15_000 }).toBe(true);
    expect(await text(f, 'join-error')).toBe(
      'The name “alice” is already taken in this room: choose another one.',
    );
    expect(await visible(f, 'join-panel')).toBe(true);
    // Its pickers list Firefox's fake devices; the preview plays.
    const count = (id: string) =>
      f.evaluate((i) => document.querySelectorAll(`#${i} option`).length, id);
    expect(await count('mic-select')).toBeGreaterThan(0);
    expect(await count('cam-select')).toBeGreaterThan(0);
    await expect
      .poll(() =>
        f.evaluate(() => document.querySelector<HTMLVideoElement>('#preview')!.videoWidth),
      )
      .toBeGreaterThan(0);
    await f.fill('#name', 'fox');
    await f.click('#join');
    await expectJoined(f);
    await expectFlowing(f, 'alice');

    // The ring follows Chromium's fake microphone, which beeps like speech.
    // Firefox's fake microphone is a steady tone, which the detector scores
    // as next to no speech, however long it lasts: fox mutes, so that who
    // speaks is never in doubt (a muted microphone is not watched).
    await f.click('#toggle-mic');
    await expect.poll(() => tileData(f, 'alice', 'speaking'), { timeout: 15_000 }).toBe('true');
    // alice mutes; carol comes in speaking: the ring moves to her in Firefox.
    await alice.click('#toggle-mic');
    const carol = await chrome('features', 'carol');
    await expectJoined(carol);
    for (const p of [f, alice])
      await expect
        .poll(() => tileData(p, 'carol', 'speaking'), { timeout: 15_000, message: p.label })
        .toBe('true');
    expect(await tileData(f, 'alice', 'speaking')).toBe('false');
    expect(await tileData(f, 'fox', 'speaking')).toBe('false');

    // Network quality on every tile of the Firefox page.
    for (const peer of ['fox', 'alice', 'carol'])
      await expect
        .poll(
          () =>
            f.evaluate((n) => {
              const q = document.querySelector<HTMLElement>(`.tile[data-peer="${n}"] .quality`);
              return `${q?.dataset.quality} (${q?.title})`;
            }, peer),
          { timeout: 10_000, message: `quality of ${peer} in Firefox` },
        )
        .toMatch(/^good /);

    // alice records Firefox's peer: Firefox sees the badge, and it goes after.
    await alice.select('#record-peer', 'fox');
    await alice.click('#record');
    await expect
      .poll(() => text(f, 'recording-badge'), { timeout: 10_000 })
      .toBe('● Recording fox');
    expect(await visible(f, 'recording-badge')).toBe(true);
    await alice.click('#record');
    await expect.poll(() => visible(f, 'recording-badge'), { timeout: 15_000 }).toBe(false);

    // Copy link: the room's link, without the name (on the clipboard, or shown to copy).
    await f.click('#copy-link');
    await expect.poll(() => visible(f, 'copied')).toBe(true);
    expect(await f.evaluate(() => document.getElementById('copied')?.dataset.link)).toBe(
      `https://${ip}:${demo.port}/?room=features`,
    );
    expect(problems(f).filter((e) => !/clipboard/i.test(e.text))).toEqual([]);
    await closeAll();
  }, 90_000);
});

describe('Firefox console', () => {
  it('client ids are logged as they are (unsigned 32-bit), not as negative numbers', async () => {
    const f = await fox('ids');
    await expectJoined(f);
    // A producer id of 2^31 or more (half of them) is what %d showed negative.
    const id = await f.evaluate(() => {
      const track = window.demo!.audio!.originalTrack;
      for (;;) {
        const producer = window.demo!.room.createProducer(track.clone());
        producer.close();
        if (producer.id >= 2 ** 31) {
          // Logs "pause() | producer <id> closed" (an error of the client, on purpose).
          producer.pause();
          return producer.id;
        }
      }
    });
    await expect
      .poll(() => f.console.some((e) => e.text.includes(`producer ${id} closed`)))
      .toBe(true);
    expect(f.console.some((e) => e.text.includes(`producer ${id - 2 ** 32} closed`))).toBe(false);
    await closeAll();
  });
});

describe('what Firefox cannot do, said on the page', () => {
  it('a server on 127.0.0.1 only: Firefox cannot reach it; the page says so and the app gets transportfailed', async () => {
    const loopback = await demoOn('127.0.0.1', 44200);
    try {
      const f = await firefoxPage(
        firefox,
        'fox',
        `http://127.0.0.1:${loopback.port}/?room=loop&peer=fox&autojoin=1&connectTimeout=5000`,
      );
      open.push(f);
      await expect.poll(() => text(f, 'status'), { timeout: 20_000 }).toBe('no media connection');
      expect(await visible(f, 'error')).toBe(true);
      expect(await text(f, 'error')).toMatch(/no media connection/);
      expect(await text(f, 'error')).toMatch(/127\.0\.0\.1/);
      const failures = await f.evaluate(() =>
        window.demo!.transportFailures.map((x) => ({ name: x.name, reason: x.reason })),
      );
      expect(failures.length).toBeGreaterThan(0);
      expect(failures[0]!.name).toBe('TransportFailedError');
      console.log(`Firefox against a loopback-only server: ${JSON.stringify(failures)}`);
      // Signaling did join; the page never claims the call works.
      expect(loopback.server.getRoom('loop')?.getPeerByName('fox')).toBeDefined();
      expect(await text(f, 'status')).not.toMatch(/^joined/);
      await closeAll();
    } finally {
      await loopback.close();
    }
  });

  it('plain HTTP from another address: both browsers explain that the camera needs HTTPS or localhost', async () => {
    const plain = await demoOn(ip, 44300);
    try {
      const pageUrl = `http://${ip}:${plain.port}/?room=plain&peer=p&autojoin=1`;
      const pages = [
        await chromiumPage(context, 'p', pageUrl),
        await firefoxPage(firefox, 'p', pageUrl),
      ];
      open.push(...pages);
      for (const p of pages) {
        await expect.poll(() => visible(p, 'insecure'), { message: p.label }).toBe(true);
        expect(await text(p, 'insecure')).toMatch(/HTTPS.*localhost/);
        expect(await text(p, 'insecure')).toContain(`http://${ip}:${plain.port}`);
        expect(
          await p.evaluate(() => (document.getElementById('join') as HTMLButtonElement).disabled),
        ).toBe(true);
        expect(await text(p, 'status')).toBe('not joined');
      }
      expect(plain.server.getRoom('plain')).toBeUndefined();
      await closeAll();
    } finally {
      await plain.close();
    }
  });
});
