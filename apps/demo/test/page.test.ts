// The page's controls in real headless Chromium (fake camera, microphone and
// screen capture) against the demo server: pre-join preview and pickers, a
// duplicate name, copy link, screen share, the speaker ring following the
// microphones, network quality, a media connection that cannot be made,
// leaving without console errors, and the 4-peer grid at desktop and phone
// sizes (screenshots in artifacts/).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@x/testkit';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../src/demo.js';
import {
  chromiumPage,
  type DemoPage,
  enableClientWarnings,
  expectFlowing,
  expectJoined,
  problems,
  tileData,
  tileRects,
  variance,
} from './helpers/pages.js';
import { startTestDemo } from './helpers/testDemo.js';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = resolve(here, '../artifacts');
const recordingsDir = mkdtempSync(join(tmpdir(), 'x-demo-page-'));

let demo: Demo;
let browser: Browser;
let context: BrowserContext;
const open: DemoPage[] = [];

beforeAll(async () => {
  demo = await startTestDemo({ recordingsDir, rtcPort: 43000 });
  // Chromium's fake capture: getDisplayMedia picks the (fake) screen without a prompt.
  browser = await launchChromium(['--auto-select-desktop-capture-source=Entire screen']);
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: `http://127.0.0.1:${demo.port}`,
  });
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  rmSync(recordingsDir, { recursive: true, force: true });
});

function url(room: string, peer: string, extra = '&autojoin=1'): string {
  return `http://127.0.0.1:${demo.port}/?room=${room}&peer=${peer}${extra}`;
}

async function page(room: string, peer: string, extra?: string): Promise<DemoPage> {
  const p = await chromiumPage(context, peer, url(room, peer, extra), enableClientWarnings);
  open.push(p);
  return p;
}

async function closeAll(): Promise<void> {
  for (const p of open.splice(0)) await p.close().catch(() => undefined);
}

const visible = (p: DemoPage, id: string) =>
  p.evaluate((i) => !(document.getElementById(i) as HTMLElement).hidden, id);
const text = (p: DemoPage, id: string) =>
  p.evaluate((i) => document.getElementById(i)?.textContent ?? '', id);

describe('pre-join screen', () => {
  it('previews the camera, lists the fake devices, and the call sends the microphone and speaker chosen', async () => {
    const alice = await page('prejoin', 'alice', '');
    // The preview plays before joining.
    await expect
      .poll(() =>
        alice.evaluate(() => document.querySelector<HTMLVideoElement>('#preview')!.videoWidth),
      )
      .toBeGreaterThan(0);
    const options = (id: string) =>
      alice.evaluate(
        (i) =>
          [...document.querySelectorAll<HTMLOptionElement>(`#${i} option`)].map((o) => ({
            label: o.textContent ?? '',
            value: o.value,
          })),
        id,
      );
    await expect.poll(async () => (await options('mic-select')).length).toBeGreaterThan(1);
    const mics = await options('mic-select');
    const cams = await options('cam-select');
    const speakers = await options('speaker-select');
    expect(mics.every((m) => m.label !== '' && m.value !== '')).toBe(true);
    expect(cams.length).toBeGreaterThan(0);
    expect(speakers.length).toBeGreaterThan(1);

    // Another microphone: the preview restarts with it.
    const mic = mics[1]!;
    await alice.select('#mic-select', mic.value);
    await expect
      .poll(() =>
        alice.evaluate(
          () =>
            (document.querySelector<HTMLVideoElement>('#preview')!.srcObject as MediaStream | null)
              ?.getAudioTracks()[0]
              ?.getSettings().deviceId,
        ),
      )
      .toBe(mic.value);
    const speaker = speakers[1]!;
    await alice.select('#speaker-select', speaker.value);

    // Joining from the form sends that microphone; remote audio plays on that speaker.
    await alice.click('#join');
    await expectJoined(alice);
    expect(await alice.evaluate(() => window.demo?.audio?.track.getSettings().deviceId)).toBe(
      mic.value,
    );
    const bob = await page('prejoin', 'bob');
    await expectJoined(bob);
    await expect
      .poll(() =>
        alice.evaluate(
          () =>
            (
              document.querySelector('.tile[data-peer="bob"] audio') as HTMLAudioElement & {
                sinkId: string;
              }
            )?.sinkId,
        ),
      )
      .toBe(speaker.value);
    await closeAll();
  });

  it('a duplicate name returns to the form with the reason; another name then joins', async () => {
    const first = await page('dup', 'alice');
    await expectJoined(first);
    const second = await page('dup', 'alice');
    await expect.poll(() => visible(second, 'join-error'), { timeout: 15_000 }).toBe(true);
    expect(await text(second, 'join-error')).toBe(
      'The name “alice” is already taken in this room: choose another one.',
    );
    expect(await visible(second, 'join-panel')).toBe(true);
    expect(await visible(second, 'call')).toBe(false);
    expect(await text(second, 'status')).toBe('not joined');
    expect(await second.evaluate(() => document.querySelectorAll('.tile').length)).toBe(0);

    await second.fill('#name', 'alice 2');
    await second.click('#join');
    await expectJoined(second);
    await expectFlowing(second, 'alice');
    expect(
      demo.server
        .getRoom('dup')!
        .peers.map((p) => p.name)
        .sort(),
    ).toEqual(['alice', 'alice 2']);
    await closeAll();
  });
});

describe('in the call', () => {
  it('copy link puts the room link (without the name) on the clipboard', async () => {
    const alice = await page('link', 'alice');
    await expectJoined(alice);
    await alice.click('#copy-link');
    await expect.poll(() => visible(alice, 'copied')).toBe(true);
    expect(await text(alice, 'copied')).toBe('Link copied');
    expect(await alice.evaluate(() => navigator.clipboard.readText())).toBe(
      `http://127.0.0.1:${demo.port}/?room=link`,
    );
    await closeAll();
  });

  it('screen share: a second video producer the other page shows in a tile of its own, gone when stopped', async () => {
    const alice = await page('screen', 'alice');
    const bob = await page('screen', 'bob');
    await expectJoined(alice);
    await expectFlowing(bob, 'alice');
    await alice.click('#share-screen');
    await expect.poll(() => text(alice, 'share-screen')).toBe('Stop sharing');
    const serverVideos = () =>
      demo.server
        .getRoom('screen')!
        .getPeerByName('alice')!
        .producers.filter((p) => p.kind === 'video').length;
    await expect.poll(serverVideos).toBe(2);
    const screenWidth = () =>
      bob.evaluate(
        () =>
          document.querySelector<HTMLVideoElement>('.tile[data-screen="alice"] video')
            ?.videoWidth ?? 0,
      );
    await expect.poll(screenWidth, { timeout: 15_000 }).toBeGreaterThan(0);
    // The camera still flows beside it.
    await expectFlowing(bob, 'alice');
    expect(variance(await bob.screenshotOf('.tile[data-screen="alice"] video'))).toBeGreaterThan(
      50,
    );

    await alice.click('#share-screen');
    await expect.poll(serverVideos).toBe(1);
    await expect
      .poll(() => bob.evaluate(() => document.querySelector('.tile[data-screen="alice"]') === null))
      .toBe(true);
    expect(await text(alice, 'share-screen')).toBe('Share screen');
    await closeAll();
  });

  it('the speaker ring follows the fake microphones; levels move; every tile gets a network quality', async () => {
    const alice = await page('speaker', 'alice');
    const bob = await page('speaker', 'bob');
    await expectJoined(alice);
    await expectJoined(bob);
    // Only bob's microphone sends: bob is the speaker on both pages.
    await alice.click('#toggle-mic');
    for (const p of [alice, bob])
      await expect
        .poll(() => tileData(p, 'bob', 'speaking'), { timeout: 15_000, message: p.label })
        .toBe('true');
    expect(await tileData(alice, 'alice', 'speaking')).toBe('false');
    // Now bob mutes too and carol comes in speaking: the ring moves to her,
    // on every page. (A microphone unmuted after a pause is not used here:
    // mediasoup 3.8.4's ActiveSpeakerObserver may take long to pick it again.)
    await bob.click('#toggle-mic');
    const carol = await page('speaker', 'carol');
    await expectJoined(carol);
    for (const p of [alice, bob, carol])
      await expect
        .poll(() => tileData(p, 'carol', 'speaking'), { timeout: 15_000, message: p.label })
        .toBe('true');
    expect(await tileData(alice, 'bob', 'speaking')).toBe('false');
    // The level meter of the one speaking moves (the fake microphone beeps).
    await expect
      .poll(
        () =>
          bob.evaluate(() =>
            Number(
              document
                .querySelector<HTMLElement>('.tile[data-peer="carol"] .level')
                ?.style.getPropertyValue('--level') || 0,
            ),
          ),
        { timeout: 10_000 },
      )
      .toBeGreaterThan(0);
    // Loopback is a perfect network: every tile says good.
    for (const p of [alice, bob]) {
      for (const peer of ['alice', 'bob']) {
        await expect
          .poll(
            () =>
              p.evaluate(
                (n) =>
                  document.querySelector<HTMLElement>(`.tile[data-peer="${n}"] .quality`)?.dataset
                    .quality,
                peer,
              ),
            { timeout: 10_000, message: `${p.label}: quality of ${peer}` },
          )
          .toBe('good');
      }
    }
    await closeAll();
  });

  it('leave: back to the form with the preview, no console error or warning, no failed request (favicon)', async () => {
    const alice = await page('leave', 'alice');
    const bob = await page('leave', 'bob');
    await expectJoined(alice);
    await expectFlowing(alice, 'bob');
    await alice.click('#stats');
    const since = alice.console.length;
    await alice.click('#leave');
    expect(await visible(alice, 'join-panel')).toBe(true);
    expect(await text(alice, 'status')).toBe('left');
    await expect
      .poll(() => bob.evaluate(() => document.querySelector('.tile[data-peer="alice"]') === null))
      .toBe(true);
    await expect
      .poll(() =>
        alice.evaluate(() => document.querySelector<HTMLVideoElement>('#preview')!.videoWidth),
      )
      .toBeGreaterThan(0);
    // Give late errors (a queued engine close, a stats request) the time to show.
    await new Promise((r) => setTimeout(r, 1500));
    expect(problems(alice, since)).toEqual([]);
    expect(alice.failedRequests).toEqual([]);
    expect(
      await alice.evaluate(() => document.querySelector('link[rel="icon"]')?.getAttribute('href')),
    ).toBe('/favicon.svg');
    // And back in.
    await alice.click('#join');
    await expectJoined(alice);
    await expectFlowing(bob, 'alice');
    expect(problems(alice)).toEqual([]);
    expect(problems(bob)).toEqual([]);
    await closeAll();
  });

  it('a media connection that cannot be made is shown, never "joined"', async () => {
    // A server that announces an address where nothing listens: ICE cannot succeed.
    const unreachable = await startTestDemo({
      recordingsDir,
      rtcPort: 43500,
      rtcPorts: 100,
      server: { rtcAnnouncedIPv4: '127.0.0.3' },
    });
    try {
      const alice = await chromiumPage(
        context,
        'alice',
        `http://127.0.0.1:${unreachable.port}/?room=noice&peer=alice&autojoin=1&connectTimeout=3000`,
      );
      open.push(alice);
      await expect
        .poll(() => text(alice, 'status'), { timeout: 15_000 })
        .toBe('no media connection');
      expect(await visible(alice, 'error')).toBe(true);
      expect(await text(alice, 'error')).toMatch(/no media connection: the send transport/);
      const failures = await alice.evaluate(() =>
        window.demo!.transportFailures.map((f) => ({ name: f.name, reason: f.reason })),
      );
      expect(failures[0]).toMatchObject({ name: 'TransportFailedError' });
      expect(['failed', 'timeout']).toContain(failures[0]!.reason);
      await closeAll();
    } finally {
      await unreachable.close();
    }
  });
});

describe('the grid uses the page', () => {
  it('4 peers at 1280×800 and 390×844: tiles grow to fill it, none blank (screenshots in artifacts/)', async () => {
    const names = ['alice', 'bob', 'carol', 'dave'];
    const pages: DemoPage[] = [];
    for (const n of names) pages.push(await page('grid', n));
    const alice = pages[0]!;
    for (const p of pages) await expectJoined(p);
    for (const n of names.slice(1)) await expectFlowing(alice, n);
    const tileWidths = () =>
      alice.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('.tile')].map(
          (t) => t.getBoundingClientRect().width,
        ),
      );
    mkdirSync(artifacts, { recursive: true });

    // The screenshot written is the one checked: every tile of it shows video
    // (a tile can be blank for a frame after a resize: take it again until not).
    const check = async (size: string, minWidth: number) => {
      const widths = await tileWidths();
      expect(widths).toHaveLength(4);
      for (const w of widths) expect(w, `${size}: tile width`).toBeGreaterThan(minWidth);
      let shot: Buffer = Buffer.alloc(0);
      let least: Record<string, number> = {};
      await expect
        .poll(
          async () => {
            shot = await alice.screenshot();
            const rects = await tileRects(alice);
            least = Object.fromEntries(names.map((n) => [n, variance(shot, rects[n])]));
            return Math.min(...Object.values(least));
          },
          { timeout: 15_000, message: `${size}: a tile is blank` },
        )
        .toBeGreaterThan(50);
      writeFileSync(join(artifacts, `four-peers-${size}.png`), shot);
      console.log(`four-peers-${size}.png: luminance variance per tile`, least);
    };
    // Desktop: a 2×2 grid of ~430 px tiles.
    await check('1280x800', 380);
    const four = (await tileWidths())[0]!;
    // Phone: the same call fits a 390 px screen.
    await alice.setViewport(390, 844);
    await check('390x844', 150);
    await alice.setViewport(1280, 800);
    // Fewer peers, bigger tiles.
    await pages[3]!.close();
    await pages[2]!.close();
    open.splice(open.indexOf(pages[3]!), 1);
    open.splice(open.indexOf(pages[2]!), 1);
    await expect.poll(async () => (await tileWidths()).length, { timeout: 10_000 }).toBe(2);
    await expect.poll(async () => (await tileWidths())[0]!).toBeGreaterThan(four * 1.2);
    await closeAll();
  });
});
