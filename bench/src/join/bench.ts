// Benchmark (d): join. How long an @x/client Room (mediasoup-client's
// FakeHandler, over the WebSocket connector) takes to connect and join a
// room that already has 1, 10 or 50 peers with an audio and a video
// producer each; against the bare protocol round trips of the same join
// (connect, queryRoom, join with a protobuf client), measured alternately
// in the same run: the floor of the wire, so the ratio is what the client
// library adds (device loading, capabilities, peer and consumer objects).
import { connect, Room } from '@x/client';
import { audioParameters, ProtocolClient, videoParameters } from '@x/testkit';
import { FakeHandler, testFakeParameters } from 'mediasoup-client';
import WebSocket from 'ws';
import { Child } from '../lib/child.js';
import { type BenchResult, type Figure, figure } from '../lib/report.js';
import { median, nowMs, quantile, sleep } from '../lib/stats.js';
import { type BrowserResult, browserFirstFrame, type DemoJoin } from './browser.js';

const SIZES = [1, 10, 50];
const REPEATS = 30;

/** Peers already in the room: bare protocol clients with an audio and a video producer each. */
async function populate(url: string, count: number): Promise<ProtocolClient[]> {
  const peers: ProtocolClient[] = [];
  for (let i = 0; i < count; i++) {
    const client = await ProtocolClient.connect(url, { record: false, timeoutMs: 30_000 });
    const caps = await client.queryRoom();
    await client.join(`present-${i}`, caps);
    await client.createTransport(1, 'send');
    await client.produce(1, 1, 'audio', audioParameters(20_000 + i * 10));
    await client.produce(2, 1, 'video', videoParameters(false, 20_000 + i * 10 + 2));
    peers.push(client);
  }
  return peers;
}

/** connect() + room.join() of @x/client; the room leaves afterwards. */
async function xJoin(url: string, name: string, expectedPeers: number): Promise<number> {
  const room = new Room({ handlerFactory: FakeHandler.createFactory(testFakeParameters) });
  const t0 = nowMs();
  await connect(room, url, { WebSocket: WebSocket as never, reconnect: false });
  const peers = await room.join(name);
  const ms = nowMs() - t0;
  if (peers.length !== expectedPeers)
    throw new Error(`joined ${peers.length} peers, not ${expectedPeers}`);
  room.leave();
  return ms;
}

/** WebSocket open + queryRoom + join with the bare protocol client. */
async function rawJoin(url: string, name: string, expectedPeers: number): Promise<number> {
  const t0 = nowMs();
  const client = await ProtocolClient.connect(url, { record: false, timeoutMs: 30_000 });
  const caps = await client.queryRoom();
  const joined = await client.join(name, caps);
  const ms = nowMs() - t0;
  if (joined.peers.length !== expectedPeers) throw new Error('unexpected peers');
  client.leave();
  return ms;
}

export async function run(): Promise<BenchResult> {
  const server = Child.start('../servers/x-server.ts', import.meta.url, ['47600', '47799']);
  const figures: Figure[] = [];
  const details: Record<string, { x: number[]; raw: number[] }> = {};
  try {
    const { port } = await server.call<{ port: number }>('info');
    for (const size of SIZES) {
      const url = `ws://127.0.0.1:${port}/?roomId=join-${size}`;
      const present = await populate(url, size);
      const x: number[] = [];
      const raw: number[] = [];
      // One untimed join each first (JIT, module loading), then alternate.
      await xJoin(url, 'warm-x', size);
      await rawJoin(url, 'warm-raw', size);
      for (let r = 0; r < REPEATS; r++) {
        await sleep(50); // the previous joiner's departure reaches everyone
        if (r % 2 === 0) {
          x.push(await xJoin(url, `x-${r}`, size));
          raw.push(await rawJoin(url, `raw-${r}`, size));
        } else {
          raw.push(await rawJoin(url, `raw-${r}`, size));
          x.push(await xJoin(url, `x-${r}`, size));
        }
      }
      for (const p of present) p.leave();
      details[`peers${size}`] = { x, raw };
      console.log(
        `  ${size} peers: @x/client ${quantile(x, 0.5).toFixed(1)} ms, raw ${quantile(raw, 0.5).toFixed(1)} ms`,
      );
      for (const [label, q] of [
        ['median', 0.5],
        ['p90', 0.9],
      ] as const) {
        figures.push(
          figure({
            name: `join a room of ${size} peer${size > 1 ? 's' : ''} (×2 producers): ${label}`,
            unit: 'ms',
            value: quantile(x, q),
            baseline: quantile(raw, q),
            baselineName: 'raw protocol (connect + queryRoom + join)',
            higherIsBetter: false,
            note: `${REPEATS} joins each`,
          }),
        );
      }
      await sleep(200);
    }
  } finally {
    await server.stop();
  }
  console.log('  Chromium …');
  let browser: BrowserResult;
  try {
    browser = await browserFirstFrame([47800, 47999]);
  } catch (error) {
    browser = { skipped: `failed: ${(error as Error).message.split('\n')[0]}` };
  }
  if ('skipped' in browser) {
    console.log(`  Chromium part skipped: ${browser.skipped}`);
  } else {
    const { clicks, loopbacks, joins, freshLoopbacks } = browser;
    const list = (values: number[]) =>
      values.map((v) => (Number.isFinite(v) ? v.toFixed(0) : '–')).join(', ');
    const clickMs = clicks.map((j) => j.firstFrameMs - j.startedMs);
    const sameMs = loopbacks.map((l) => l.firstFrameMs);
    figures.push(
      figure({
        name: 'Chromium, demo page: Join clicked → first remote video frame',
        unit: 'ms',
        value: median(clickMs),
        baseline: median(sameMs),
        baselineName:
          'same-page RTCPeerConnection loopback, camera open: offer → first frame (no SFU)',
        higherIsBetter: false,
        note: `median of ${clickMs.length}: ${list(clickMs)} vs ${list(sameMs)} ms`,
      }),
    );
    const navMs = joins.map((j) => j.firstFrameMs);
    const freshMs = freshLoopbacks.map((l) => l.firstFrameMs);
    figures.push(
      figure({
        name: 'Chromium, demo page joining as it loads: navigation → first remote video frame',
        unit: 'ms',
        value: median(navMs),
        baseline: median(freshMs),
        baselineName: 'loopback started by a fresh page as it loads: navigation → first frame',
        higherIsBetter: false,
        note: `median of ${navMs.length}: ${list(navMs)} vs ${list(freshMs)} ms; camera, page load and join overlap`,
      }),
    );
    // Where the time goes, for both ways of joining, and the loopback's.
    const phases = (label: string, runs: DemoJoin[]): [string, number[], string][] => [
      [
        `${label}: started → room joined`,
        runs.map((j) => j.joinedMs - j.startedMs),
        'token and WebSocket (together), queryRoom, join',
      ],
      [
        `${label}: room joined → receiving connection connected`,
        runs.map((j) => j.recvConnectedMs - j.joinedMs),
        'transport and consumers (pipelined, one SDP negotiation), ICE and DTLS',
      ],
      [
        `${label}: connected → first remote frame`,
        runs.map((j) => j.firstFrameMs - j.recvConnectedMs),
        'the key frame asked of the publisher, forwarded, decoded, shown (the page hears of the connection late when busy)',
      ],
    ];
    const rows: [string, number[], string][] = [
      ...phases('Join clicked', clicks),
      [
        'joining as it loads: page load (navigation → call started)',
        joins.map((j) => j.startedMs),
        'its JavaScript fetched, parsed and run; the camera starts then',
      ],
      ...phases('joining as it loads', joins),
      [
        'loopback, camera open: offer → connected',
        loopbacks.map((l) => l.connectedMs),
        'offer/answer, ICE and DTLS in one page',
      ],
      [
        'loopback, camera open: connected → first frame',
        loopbacks.map((l) => l.firstFrameMs - l.connectedMs),
        'the encoder’s first key frame, decoded, shown',
      ],
    ];
    for (const [name, values, note] of rows)
      figures.push(
        figure({
          name: `Chromium, ${name}`,
          unit: 'ms',
          value: median(values),
          higherIsBetter: false,
          note: `median of ${values.length}: ${list(values)} ms; ${note}`,
        }),
      );
  }
  return {
    name: 'join',
    title: 'Join: @x/client (FakeHandler) vs the raw protocol round trips',
    figures,
    details: { ...details, browser },
    notes: [
      `An @x server in its own process; the room holds 1, 10 or 50 peers (bare protocol clients, each with an audio and a video producer), so the joiner gets 2, 20 or 100 consumers. Timed: from creating the WebSocket to join() resolving, ${REPEATS} times per size, alternating with the baseline.`,
      '@x/client: connect() + room.join() on mediasoup-client’s FakeHandler (device loading included, no media). Baseline: the same three steps with a bare protobuf client (WebSocket open, queryRoom, join): what any client of the protocol must wait for.',
      !('skipped' in browser)
        ? 'Chromium (Debian’s, headless, fake camera): the demo page of apps/demo (its built dist/) joins a room where another page publishes its camera; an untimed round, then 7 timed ones. Each round: (1) the page is loaded with its pre-join preview running, left idle 1 s, and Join is clicked; baseline: a same-page loopback between two RTCPeerConnections in a loaded page whose camera is open, left idle 1 s, timed from its offer to the first decoded frame; (2) the page joins as it loads (autojoin: camera, page load and join overlap), timed from navigation; baseline: the loopback started by a fresh page as it loads (a tiny page of the same origin, camera included). The page records when its call started (the click, or its script at load), the room joined and the first decoded remote frame (requestVideoFrameCallback); a script the bench adds records when its receiving RTCPeerConnection connected.'
        : `Chromium part skipped: ${browser.skipped}.`,
    ],
  };
}
