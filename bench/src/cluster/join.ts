// Benchmark: join and first remote frame across cluster nodes vs on one node
// (issue 15). A real redis-server and two nodes of the built demo (its page
// and WebSocket endpoint, a Server in cluster mode of one worker each) on
// 127.0.0.2 (A) and 127.0.0.3 (B). In Debian's headless Chromium with a fake
// camera, Alice's page joins a room through node A and publishes; then Bob's
// page joins the room (and publishes too, as the page does):
//   - across nodes, first of node B: node B takes part in the room from this
//     join on; its media is homed on B and Alice's producers must be piped
//     from A (pipe transports set up through Redis, when his consumers need
//     them) before he receives them;
//   - across nodes, second of node B: the pipes are there already;
//   - on one node: through node A, where Alice's media is (the baseline).
// Times from the page's navigation start: `joined` (room.join resolved:
// page load, token, WebSocket, join) and the first decoded remote video frame
// (window.demo.metrics.firstRemoteFrameMs: transports, ICE/DTLS, consumers,
// first key frame). One fresh room per round, so that every first join of
// node B is a cold one; the baseline's place in the round alternates.
import { existsSync } from 'node:fs';
import { CHROMIUM, launchChromium } from '@x/testkit';
import type { BrowserContext, Page } from 'playwright-core';
import { demoJs } from '../lib/builtDemo.js';
import { demoUrl, firstRemoteFrame, joinedAt, publishing } from '../lib/demoPage.js';
import { type BenchResult, type Figure, figure } from '../lib/report.js';
import { median, quantile, sleep } from '../lib/stats.js';
import { type BenchCluster, type BenchNode, startCluster } from './cluster.js';
import { type JoinVariant, protocolJoins } from './protocol-join.js';

const ROUNDS = 6;
const PROTOCOL_ROUNDS = 20;

type Variant = JoinVariant;
interface Sample {
  joinMs: number;
  firstFrameMs: number;
}

const url = (node: BenchNode, room: string, peer: string) =>
  demoUrl(`http://${node.ip}:${node.port}`, room, peer);

/** Opens Bob's page and resolves with his join and first-frame times (ms since navigation start). */
async function bob(
  context: BrowserContext,
  node: BenchNode,
  room: string,
  peer: string,
): Promise<Sample> {
  const page = await context.newPage();
  try {
    await page.goto(url(node, room, peer));
    const joinMs = await joinedAt(page);
    return { joinMs, firstFrameMs: await firstRemoteFrame(page) };
  } finally {
    await page.close({ runBeforeUnload: true });
  }
}

/** Alice publishes in a fresh room through node A. */
async function alice(context: BrowserContext, a: BenchNode, room: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url(a, room, 'alice'));
  await publishing(page);
  return page;
}

async function rounds(cluster: BenchCluster): Promise<Record<Variant, Sample[]>> {
  const samples: Record<Variant, Sample[]> = { local: [], cold: [], warm: [] };
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    // One untimed round first: Chromium, the pages and both nodes warm up.
    for (let round = -1; round < ROUNDS; round++) {
      const room = `cluster-join-${round + 1}`;
      const publisher = await alice(context, cluster.a, room);
      const order: Variant[] =
        round % 2 === 0 ? ['local', 'cold', 'warm'] : ['cold', 'warm', 'local'];
      for (const variant of order) {
        const node = variant === 'local' ? cluster.a : cluster.b;
        const sample = await bob(context, node, room, `bob-${variant}`);
        if (round >= 0) samples[variant].push(sample);
        await sleep(300); // his departure reaches both nodes
      }
      await publisher.close({ runBeforeUnload: true });
      console.log(
        `  round ${round + 1}: ${order.map((v) => `${v} ${samples[v].at(-1)?.joinMs.toFixed(0)}/${samples[v].at(-1)?.firstFrameMs.toFixed(0)} ms`).join(', ')}`,
      );
    }
  } finally {
    await browser.close();
  }
  return samples;
}

const TITLE = 'Join and first frame across cluster nodes vs on one node';

export async function run(): Promise<BenchResult> {
  if (!existsSync(demoJs)) {
    const skipped = `the demo is not built (${demoJs}): run pnpm --filter @x/demo build`;
    console.log(`  skipped: ${skipped}`);
    return { name: 'cluster-join', title: TITLE, figures: [], notes: [`Skipped: ${skipped}.`] };
  }
  const noBrowser = existsSync(CHROMIUM)
    ? undefined
    : `no Chromium at ${CHROMIUM} (Debian package chromium)`;
  const cluster = await startCluster('demo', { a: [47000, 47999], b: [48000, 48999] });
  let raw: Record<Variant, number[]>;
  let samples: Record<Variant, Sample[]> | undefined;
  try {
    raw = await protocolJoins(cluster, PROTOCOL_ROUNDS);
    console.log(
      `  protocol joins: local ${median(raw.local).toFixed(1)} ms, cold ${median(raw.cold).toFixed(1)} ms, warm ${median(raw.warm).toFixed(1)} ms`,
    );
    if (noBrowser) console.log(`  Chromium part skipped: ${noBrowser}`);
    else samples = await rounds(cluster);
  } finally {
    await cluster.stop();
  }
  const cases = [
    ['cold', 'across nodes, first peer of node B (pipes set up)'],
    ['warm', 'across nodes, pipes already there'],
  ] as const;
  const figures: Figure[] = [];
  for (const [variant, what] of cases) {
    for (const [label, q] of [
      ['median', 0.5],
      ['p90', 0.9],
    ] as const)
      figures.push(
        figure({
          name: `protocol client, ${what}: join ${label}`,
          unit: 'ms',
          value: quantile(raw[variant], q),
          baseline: quantile(raw.local, q),
          baselineName: 'on the node of the media',
          higherIsBetter: false,
          note: `${raw[variant].length} joins each (WebSocket open + queryRoom + join, with a token)`,
        }),
      );
  }
  if (samples) {
    const got = samples;
    const med = (v: Variant, f: (s: Sample) => number) => median(got[v].map(f));
    const list = (v: Variant, f: (s: Sample) => number) =>
      got[v].map((s) => f(s).toFixed(0)).join(', ');
    for (const [label, f] of [
      ['joined', (s: Sample) => s.joinMs],
      ['first remote video frame', (s: Sample) => s.firstFrameMs],
      ['joined → first frame', (s: Sample) => s.firstFrameMs - s.joinMs],
    ] as const) {
      for (const [variant, what] of cases)
        figures.push(
          figure({
            name: `Chromium, ${what}: ${label}`,
            unit: 'ms',
            value: med(variant, f),
            baseline: med('local', f),
            baselineName: 'on the node of the media',
            higherIsBetter: false,
            note: `median of ${got[variant].length}: ${list(variant, f)} vs ${list('local', f)}`,
          }),
        );
    }
  }
  return {
    name: 'cluster-join',
    title: TITLE,
    figures,
    details: { protocol: raw, chromium: samples ?? noBrowser, rounds: ROUNDS },
    notes: [
      'A real redis-server and two nodes of the built demo (a Server in cluster mode of one worker each, its page and WebSocket endpoint, tokens signed with one secret) on 127.0.0.2 (A) and 127.0.0.3 (B), one process each. The media of the room is homed on node A; a joiner comes through node B, the first of node B in the room (B takes part in the room from this join on: it reads the room from Redis, and the room’s producers are piped from A, over pipe transports it asks A for through Redis, when the joiner’s consumers need them), through node B again (pipes there), or through node A (the baseline). In a cluster every join also claims its name in Redis, on A as on B.',
      `Protocol client: WebSocket open + queryRoom + join, with a token, ${PROTOCOL_ROUNDS} fresh rooms, each with one producer on A (an RtpIngest: no media needs to flow for a join), a cold, a warm and a local join per room.`,
      samples
        ? `Chromium (Debian’s, headless, fake camera): Alice joins a fresh room through node A and publishes; then Bob’s demo page joins (cold through B, warm through B, and through A). Times from Bob’s navigation start: “joined” when the page sees room.join() resolved (it polls every 5 ms: page load, token, WebSocket, join) and the first decoded remote video frame (the page’s own metric: transports, ICE and DTLS, consumers, the first key frame). ${ROUNDS} rounds after an untimed one, a fresh room each; the baseline is first in one round, last in the next. Bob publishes his camera too (the page does): node A pipes it from B in the background.`
        : `Chromium part skipped: ${noBrowser}.`,
      'Chromium, both nodes, Redis and the fake camera’s encoding share the 2 cores: absolute times move with the load, the ratios much less.',
    ],
  };
}
