// Calls that survive the network: a Chromium page in a namespace of its own
// (the demo page, whose receive and send transports are created once, as in
// the client README) and a page in the machine's own namespace are in a
// call; then the first page's network
//   1. goes black for 6 s (nftables drops everything): the session resumes;
//   2. goes black for longer than ping detection + the grace period (5 s
//      here): the page joins again, on the same transports;
//   3. changes address (its interface goes down, another comes up with
//      another address, as a laptop moving from Wi-Fi to a phone's hotspot).
// After each, both pages decode each other's video again. The time from the
// network's return (or change) to the first new frame on both pages is
// printed (`network return -> first frame`), not asserted: a shared machine
// is too noisy for a timing assertion.
//
//   roam ──link1── root: demo (HTTP, /ws, RTC) + the other page's Chromium
//        ──link2── (down until the address change)
import {
  createNetwork,
  findSystemBinary,
  freePort,
  type Host,
  type Link,
  launchChromiumOn,
  type Network,
} from '@x/testkit';
import {
  demoUrl,
  describePages,
  expectJoined,
  expectReceiving,
  framesByPc,
  framesSince,
  type NetPage,
  openPage,
} from '@x/testkit/pages';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NetDemo, startNetDemo } from '../src/demo.js';

const GRACE_MS = 5000;
let net: Network;
let demo: NetDemo;
let roam: Host;
let link1: Link;
let link2: Link;
const browsers: Browser[] = [];
let alice: NetPage;
let bob: NetPage;
const figures: string[] = [];

const ip = () => findSystemBinary('ip', 'iproute2');
const nft = () => findSystemBinary('nft', 'nftables');

/** Drops everything the namespace sends or receives, loopback aside. */
const BLACKOUT = `table inet xnet_blackout {
  chain output { type filter hook output priority filter; policy drop; oifname "lo" accept; }
  chain input { type filter hook input priority filter; policy drop; iifname "lo" accept; }
}
`;

beforeAll(async () => {
  net = createNetwork();
  roam = net.host('roam');
  link1 = net.link(net.root, roam);
  link2 = net.link(net.root, roam);
  net.defaultRoute(roam, link1.a.address);
  // The second interface waits, down, for the address change.
  net.exec(roam, ip(), ['link', 'set', link2.b.ifname, 'down']);
  demo = await startNetDemo(
    link1.a.address,
    [42000, 42499],
    { webRtcServer: { port: await freePort(link1.a.address) } },
    { sessionGraceMs: GRACE_MS },
  );
  const roamBrowser = await launchChromiumOn(roam, { secureOrigins: [demo.origin] });
  const rootBrowser = await launchChromiumOn(net.root, { secureOrigins: [demo.origin] });
  browsers.push(roamBrowser, rootBrowser);
  alice = await openPage(roamBrowser, 'alice (roam)', demoUrl(demo.origin, 'survive', 'alice'));
  bob = await openPage(rootBrowser, 'bob (root)', demoUrl(demo.origin, 'survive', 'bob'));
});

afterAll(async () => {
  if (figures.length) console.log(`network return -> first frame:\n  ${figures.join('\n  ')}`);
  for (const b of browsers) await b.close().catch(() => undefined);
  await demo?.close().catch(() => undefined);
  net?.dispose();
});

async function diagnosed(check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    console.error(await describePages([alice, bob]));
    throw error;
  }
}

/**
 * Waits until both pages decode new frames after `since` (their frame counts
 * then), records how long it took from `t0`, then checks they keep decoding.
 */
async function bothDecodeAgain(
  what: string,
  t0: number,
  since: { a: number[]; b: number[] },
  timeout: number,
): Promise<void> {
  await expect
    .poll(
      async () => (await framesSince(alice, since.a)) > 0 && (await framesSince(bob, since.b)) > 0,
      { timeout, interval: 100, message: `${what}: both pages decode again` },
    )
    .toBe(true);
  figures.push(`${what}: ${Date.now() - t0} ms`);
  await expectReceiving(alice);
  await expectReceiving(bob);
}

const snapshot = async () => ({ a: await framesByPc(alice), b: await framesByPc(bob) });

describe('a page whose network drops or changes', () => {
  it('is in the call: each page decodes the other', async () => {
    await diagnosed(async () => {
      await expectJoined(alice);
      await expectJoined(bob);
      await expectReceiving(alice);
      await expectReceiving(bob);
    });
  });

  it('a 6 s blackout: the session resumes and both decode again', async () => {
    await diagnosed(async () => {
      net.nft(roam, BLACKOUT);
      await new Promise((r) => setTimeout(r, 6000));
      const since = await snapshot();
      net.exec(roam, nft(), ['delete', 'table', 'inet', 'xnet_blackout']);
      await bothDecodeAgain('6 s blackout', Date.now(), since, 30_000);
      // The same peer: resumed, not joined again.
      expect(
        demo.server
          .getRoom('survive')
          ?.peers.map((p) => p.name)
          .sort(),
      ).toEqual(['alice', 'bob']);
    });
  });

  it('a blackout longer than detection + grace: the page joins again on its transports, and both decode again', async () => {
    await diagnosed(async () => {
      const serverAlice = demo.server.getRoom('survive')!.getPeerByName('alice')!;
      net.nft(roam, BLACKOUT);
      // Ping detection (≤ 7 s) does not reach the server, which keeps alice
      // for the grace period once the connection is seen lost.
      await expect.poll(() => serverAlice.closed, { timeout: 60_000, interval: 250 }).toBe(true);
      const since = await snapshot();
      net.exec(roam, nft(), ['delete', 'table', 'inet', 'xnet_blackout']);
      await bothDecodeAgain('blackout past the grace period (rejoin)', Date.now(), since, 40_000);
      const again = demo.server.getRoom('survive')!.getPeerByName('alice');
      expect(again).toBeDefined();
      expect(again).not.toBe(serverAlice);
    });
  });

  it('an address change: both decode again', async () => {
    await diagnosed(async () => {
      const t0 = Date.now();
      net.exec(roam, ip(), ['link', 'set', link1.b.ifname, 'down']);
      net.exec(roam, ip(), ['link', 'set', link2.b.ifname, 'up']);
      net.defaultRoute(roam, link2.a.address);
      // Frames already on their way still decode: count from the moment the
      // pages stop decoding (half a second without a new frame on alice's).
      let since = await snapshot();
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const now = await snapshot();
        const still = await framesSince(alice, since.a);
        since = now;
        if (still === 0) break;
      }
      await bothDecodeAgain('address change', t0, since, 40_000);
      // Alice's media now comes from her new address.
      const tuples = demo.server
        .getRoom('survive')!
        .getPeerByName('alice')!
        .transports.map((t) => (t as { iceSelectedTuple?: { remoteIp?: string } }).iceSelectedTuple)
        .filter((t) => t !== undefined);
      expect(tuples.length).toBeGreaterThan(0);
      for (const tuple of tuples) expect(tuple.remoteIp).toBe(link2.b.address);
    });
  });
});
