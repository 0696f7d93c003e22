// Reachable from any network: a Chromium page on a host of its own (a
// network namespace) joins the demo's room with a page in the machine's own
// namespace, and media flows both ways when
//   (a) the host reaches the server only through a router that masquerades (NAT);
//   (b) all its UDP is dropped: it connects by ICE-TCP, on the worker's one
//       TCP port (the server's WebRtcServer: one UDP and one TCP port per worker);
//   (c) it may reach only a TURN server's TLS port (and the web port): it
//       connects through coturn with the TURN REST credentials the server
//       minted for it at join, relay candidates only; forged and expired
//       credentials are refused.
//
//           natc ── router ──┐ (masquerade)
//   tcpc (no UDP) ───────────┼── root: demo (HTTP, /ws, RTC) on SFU, coturn on TURN
//   turnc (TCP to the web    │        + the other page's Chromium
//          and TURN TLS only)┘
import {
  allowOnlyTcp,
  type Coturn,
  createNetwork,
  dropUdp,
  freePort,
  type Host,
  type Link,
  launchChromiumOn,
  masquerade,
  type NetChromiumOptions,
  type Network,
  startCoturn,
  turnCredentials,
} from '@x/testkit';
import {
  demoUrl,
  describePages,
  expectChatOpen,
  expectJoined,
  expectReceiving,
  iceLog,
  type NetPage,
  openPage,
  selectedPairs,
  status,
} from '@x/testkit/pages';
import type { Browser } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type NetDemo, serverTuples, startNetDemo } from '../src/demo.js';

let net: Network;
let demo: NetDemo;
/** A demo without TURN, for credentials that must be refused (demo's would be valid). */
let bareDemo: NetDemo;
/** The demo's WebRtcServer port (its one worker's UDP and TCP port). */
let rtcPort: number;
/** The other page's browser, in the root namespace. */
let rootBrowser: Browser;
let routerUp: Link;
let natc: Host;
let tcpc: Host;
let tcpLink: Link;
let turnc: Host;
let turnLink: Link;
let coturn: Coturn;
const browsers: Browser[] = [];
/** The pages of the running test (closed after it). */
let pages: NetPage[] = [];

beforeAll(async () => {
  net = createNetwork();
  // (a) natc -> router -> root, the router masquerading what it sends to root.
  const router = net.host('router', { router: true });
  natc = net.host('natc');
  routerUp = net.link(net.root, router);
  const natLan = net.link(router, natc);
  net.defaultRoute(router, routerUp.a.address);
  net.defaultRoute(natc, natLan.a.address);
  net.nft(router, masquerade(routerUp.b.ifname));
  // (b) tcpc: straight to root, UDP dropped.
  tcpc = net.host('tcpc');
  tcpLink = net.link(net.root, tcpc);
  net.defaultRoute(tcpc, tcpLink.a.address);
  net.nft(tcpc, dropUdp());
  // (c) turnc: straight to root; its rules come once the ports are known.
  turnc = net.host('turnc');
  turnLink = net.link(net.root, turnc);
  net.defaultRoute(turnc, turnLink.a.address);

  // coturn in the root namespace, on the root end of turnc's link.
  const turnIp = turnLink.a.address;
  coturn = await startCoturn({
    ip: turnIp,
    port: await freePort(turnIp),
    tlsPort: await freePort(turnIp),
    relayPorts: [44000, 44199],
  });

  // The SFU on the root end of the router's link: the other hosts reach it
  // through their own links (the root namespace owns every root-side address).
  // WebRTC on one UDP and one TCP port; TURN credentials minted per peer.
  rtcPort = await freePort(routerUp.a.address);
  demo = await startNetDemo(routerUp.a.address, [43000, 43499], {
    webRtcServer: { port: rtcPort },
    turn: { urls: [coturn.turnsUrl], secret: coturn.secret, ttl: 600 },
  });
  bareDemo = await startNetDemo(routerUp.a.address, [43500, 43999]);
  // turnc may open TCP connections to the web/signaling ports and the TURN TLS port, nothing else.
  net.nft(
    turnc,
    allowOnlyTcp([
      { address: routerUp.a.address, port: demo.port },
      { address: routerUp.a.address, port: bareDemo.port },
      { address: turnIp, port: coturn.tlsPort },
    ]),
  );
  rootBrowser = await launch(net.root);
});

afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => undefined);
  await demo?.close().catch(() => undefined);
  await bareDemo?.close().catch(() => undefined);
  await coturn?.stop().catch(() => undefined);
  net?.dispose();
});

afterEach(async () => {
  for (const p of pages) await p.close().catch(() => undefined);
  pages = [];
});

async function launch(host: Host, options: NetChromiumOptions = {}): Promise<Browser> {
  const browser = await launchChromiumOn(host, {
    ...options,
    secureOrigins: [demo.origin, bareDemo.origin],
  });
  browsers.push(browser);
  return browser;
}

async function open(browser: Browser, label: string, url: string): Promise<NetPage> {
  const page = await openPage(browser, label, url);
  pages.push(page);
  return page;
}

/** Runs `check`; on failure prints what the pages saw (and `more()`) before failing. */
async function diagnosed(check: () => Promise<void>, more?: () => string): Promise<void> {
  try {
    await check();
  } catch (error) {
    console.error(`${await describePages(pages)}\n${more?.() ?? ''}`);
    throw error;
  }
}

/** `alice` on `host` and `bob` in the root namespace join `room`, and each receives the other. */
async function joinBoth(
  browser: Browser,
  room: string,
  extra: Record<string, string> = {},
): Promise<{ alice: NetPage; bob: NetPage }> {
  const alice = await open(browser, `alice (${room})`, demoUrl(demo.origin, room, 'alice', extra));
  const bob = await open(rootBrowser, `bob (${room}, root)`, demoUrl(demo.origin, room, 'bob'));
  await expectJoined(alice);
  await expectJoined(bob);
  await expectReceiving(alice);
  await expectReceiving(bob);
  // The chat too: each page's data transports (a send and a receive one) are connected.
  await expectChatOpen(alice, 'bob');
  await expectChatOpen(bob, 'alice');
  return { alice, bob };
}

describe('(a) behind a router that masquerades (NAT)', () => {
  it('media flows both ways, and the server sees the router’s address', async () => {
    const browser = await launch(natc);
    await diagnosed(async () => {
      const { alice } = await joinBoth(browser, 'nat');
      // Alice's send and receive transports, for media and for the chat: UDP, from her own address...
      const pairs = await selectedPairs(alice);
      expect(pairs).toHaveLength(4);
      for (const pair of pairs) expect(pair.localProtocol).toBe('udp');
      // ...which the server never sees: it sees the router's outside address.
      const tuples = serverTuples(demo.server, 'nat', 'alice');
      expect(tuples).toHaveLength(4);
      for (const tuple of tuples)
        expect(tuple).toMatchObject({ protocol: 'udp', remoteIp: routerUp.b.address });
    });
  });
});

describe('(b) all UDP dropped', () => {
  it('connects by ICE-TCP: media flows both ways over TCP', async () => {
    const browser = await launch(tcpc);
    await diagnosed(async () => {
      const { alice } = await joinBoth(browser, 'tcp');
      const pairs = await selectedPairs(alice);
      expect(pairs).toHaveLength(4);
      for (const pair of pairs) {
        expect(pair.localProtocol).toBe('tcp');
        expect(pair.remoteProtocol).toBe('tcp');
      }
      // On the worker's one TCP port: the WebRtcServer's, which every transport shares.
      const tuples = serverTuples(demo.server, 'tcp', 'alice');
      expect(tuples).toHaveLength(4);
      for (const tuple of tuples)
        expect(tuple).toMatchObject({
          protocol: 'tcp',
          remoteIp: tcpLink.b.address,
          localPort: rtcPort,
        });
    });
  });
});

describe('(c) only the TURN server’s TLS port', () => {
  let browser: Browser;

  beforeAll(async () => {
    // Chromium checks the TURN server's certificate: it accepts coturn's by its key.
    browser = await launch(turnc, { trustedSpki: [coturn.spki] });
  });

  const turnParams = (server: unknown, connectTimeout?: number) => ({
    iceServers: JSON.stringify([server]),
    iceTransportPolicy: 'relay',
    ...(connectTimeout ? { connectTimeout: String(connectTimeout) } : {}),
  });

  it('connects through coturn over TLS with the credentials the server minted: relay only, media both ways', async () => {
    await diagnosed(
      async () => {
        // The page is given nothing but the relay-only policy: the TURN
        // server and its credentials come in the join response.
        const { alice } = await joinBoth(browser, 'turn', { iceTransportPolicy: 'relay' });
        const pairs = await selectedPairs(alice);
        expect(pairs).toHaveLength(4);
        for (const pair of pairs)
          expect(pair).toMatchObject({ localType: 'relay', relayProtocol: 'tls' });
        // Every candidate the page gathered is a relay candidate.
        const { candidates } = await iceLog(alice);
        expect(candidates.length).toBeGreaterThan(0);
        for (const c of candidates) expect(c).toMatch(/ typ relay /);
        // The server's peer is coturn's relay address, over UDP.
        const tuples = serverTuples(demo.server, 'turn', 'alice');
        expect(tuples).toHaveLength(4);
        for (const tuple of tuples)
          expect(tuple).toMatchObject({ protocol: 'udp', remoteIp: coturn.relayIp });
        // coturn allocated for credentials the server minted (expiry:random id).
        expect(coturn.log(200_000)).toMatch(/\b\d{10}:[0-9a-f]{12}\b/);
      },
      () => `coturn log:\n${coturn.log(8000)}`,
    );
  });

  // A credential coturn must refuse: the page gathers no relay candidate
  // (the TURN server answers 401), and its media transports fail.
  async function expectRefused(
    room: string,
    credentials: { username: string; credential: string },
  ) {
    await diagnosed(
      async () => {
        const server = { urls: [coturn.turnsUrl], ...credentials };
        const carol = await open(
          browser,
          `carol (${room})`,
          demoUrl(bareDemo.origin, room, 'carol', turnParams(server, 4000)),
        );
        await expect
          .poll(async () => (await iceLog(carol)).errors, {
            timeout: 15_000,
            message: 'the TURN server answers 401',
          })
          .toContainEqual(expect.objectContaining({ errorCode: 401, url: coturn.turnsUrl }));
        await expect
          .poll(() => status(carol), { timeout: 15_000, message: 'the media transports fail' })
          .toBe('no media connection');
        const { candidates } = await iceLog(carol);
        expect(candidates.filter((c) => / typ relay /.test(c))).toEqual([]);
        expect(serverTuples(bareDemo.server, room, 'carol')).toEqual([]);
      },
      () => `coturn log:\n${coturn.log(8000)}`,
    );
  }

  it('refuses a forged credential (HMAC of another secret)', async () => {
    await expectRefused('forged', turnCredentials('not-the-secret', 600, 'carol'));
  });

  it('refuses an expired credential', async () => {
    await expectRefused('expired', turnCredentials(coturn.secret, -60, 'carol'));
  });
});
