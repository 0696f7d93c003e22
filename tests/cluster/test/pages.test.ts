// Chromium pages of the demo on a cluster whose every part is a host of its
// own: nodes A, B and C (the built demo in cluster mode) and Redis each in a
// network namespace, joined by a router namespace (hub) that carries the
// cluster's traffic (Redis, pipes); each node also has a link to the
// machine's own namespace, where the Chromium of the pages runs. Bob's page
// comes through a load balancer (a TCP proxy on 127.0.0.1) that sends it to
// B; Alice's page opens node A, Carol's node C. One story, step by step:
//   1. the three pages decode each other, their media piped between hosts;
//      node A is cut from Redis (not from its clients) and healed: every
//      page decodes the others again, every node lists each member once;
//   2. node B is killed (SIGKILL): the balancer sends new connections to C,
//      and Bob's page, the same app code, rejoins there and decodes again;
//   3. node A gets SIGTERM and runs the server README's snippet: Alice's page
//      is redirected to C, and every page decodes again; A exits 0.
// The times from the kill or the SIGTERM to video again on every page are
// printed, not asserted (a shared machine is too noisy for timings).
//
//   root (Chromium, balancer) ── A ──┐
//                             ├─ B ──┼── hub ── redis
//                             └─ C ──┘
import { launchChromiumOn, type TcpProxy, tcpProxy } from '@x/testkit';
import {
  demoUrl,
  describePages,
  expectJoined,
  type NetPage,
  openPage,
  reports,
} from '@x/testkit/pages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeProcess } from '../src/harness.js';
import { type NetCluster, type NetNode, NODE_PORT, netCluster } from '../src/netCluster.js';

type Browser = Awaited<ReturnType<typeof launchChromiumOn>>;

const ROOM = 'pages';
let cluster: NetCluster;
const nodes: Record<'a' | 'b' | 'c', NodeProcess | undefined> = {
  a: undefined,
  b: undefined,
  c: undefined,
};
/** Node A's host (its pipe address: what a cut from Redis drops). */
let hostA: NetNode;
let balancer: TcpProxy;
let browser: Browser | undefined;
let alice: NetPage;
let bob: NetPage;
let carol: NetPage;
const figures: string[] = [];

beforeAll(async () => {
  cluster = await netCluster();
  for (const [id, rtcMinPort] of [
    ['a', 40000],
    ['b', 41000],
    ['c', 42000],
  ] as const) {
    const node = await cluster.start(`node${id}`, { id: `p${id}`, rtcMinPort, demo: true });
    nodes[id] = node.process;
    if (id === 'a') hostA = node;
  }
  const { a, b, c } = nodes as Record<'a' | 'b' | 'c', NodeProcess>;
  balancer = await tcpProxy({ host: b.ip, port: NODE_PORT });
  browser = await launchChromiumOn(cluster.net.root, {
    secureOrigins: [a.origin, b.origin, c.origin],
  });
  alice = await openPage(browser, 'alice (node A)', demoUrl(a.origin, ROOM, 'alice'));
  bob = await openPage(
    browser,
    'bob (balancer → B)',
    demoUrl(`http://127.0.0.1:${balancer.port}`, ROOM, 'bob'),
  );
  carol = await openPage(browser, 'carol (node C)', demoUrl(c.origin, ROOM, 'carol'));
});

afterAll(async () => {
  if (figures.length) console.log(`video again on every page:\n  ${figures.join('\n  ')}`);
  if (process.env.CLUSTER_LOGS)
    for (const n of Object.values(nodes)) console.log(`--- ${n?.id}\n${n?.log()}`);
  await browser?.close().catch(() => undefined);
  await balancer?.close();
  await cluster?.dispose();
});

/** Frames decoded so far of each remote video the page receives. */
async function videoFrames(p: NetPage): Promise<number[]> {
  return (await reports(p)).flatMap((r) =>
    r.inbound.filter((i) => i.kind === 'video').map((i) => i.framesDecoded),
  );
}

/** How many remote videos the page decodes now (each gains frames within `ms`). */
async function decoding(p: NetPage, ms = 1000): Promise<number> {
  const before = await videoFrames(p);
  await new Promise((r) => setTimeout(r, ms));
  const after = await videoFrames(p);
  return after.filter((frames, i) => frames > (before[i] ?? 0)).length;
}

/** Polls until every page decodes the video of each other one; returns when that was. */
async function everyPageDecodesTheOthers(pages: NetPage[], timeout: number): Promise<number> {
  try {
    for (const p of pages)
      await expect
        .poll(() => decoding(p), {
          timeout,
          interval: 100,
          message: `${p.label} decodes the ${pages.length - 1} other pages`,
        })
        .toBe(pages.length - 1);
  } catch (error) {
    console.error(await describePages(pages));
    for (const n of Object.values(nodes))
      if (n) console.error(`--- ${n.id}\n${n.log().slice(-3000)}`);
    throw error;
  }
  return Date.now();
}

interface RoomState {
  peers: { name: string; node: string }[];
}
const membersOn = async (node: NodeProcess) =>
  ((await node.call<RoomState | null>('room', { room: ROOM }))?.peers ?? [])
    .map((p) => `${p.name}@${p.node}`)
    .sort();

describe('demo pages on a cluster of network namespaces', () => {
  it('three pages on three nodes decode each other, their media piped between hosts', async () => {
    for (const p of [alice, bob, carol]) await expectJoined(p);
    await everyPageDecodesTheOthers([alice, bob, carol], 30_000);
    expect(await membersOn(nodes.c!)).toEqual(['alice@pa', 'bob@pb', 'carol@pc']);
  });

  it('node A cut from Redis, not from its clients: the others take it for dead; healed, every page decodes the others again and every node lists each member once', async () => {
    cluster.cut('xredis', hostA.pipe.b.address, cluster.redisLink.b.address, 'tcp');
    try {
      // B and C: A is dead (its TTL, 3 s), its peer leaves their rooms.
      for (const node of [nodes.b!, nodes.c!])
        await expect
          .poll(() => membersOn(node), { timeout: 10_000, interval: 250 })
          .toEqual(['bob@pb', 'carol@pc']);
    } finally {
      cluster.heal('xredis');
    }
    const healedAt = Date.now();
    const back = await everyPageDecodesTheOthers([alice, bob, carol], 40_000);
    figures.push(`node A's link to Redis healed → all decode: ${back - healedAt} ms`);
    for (const node of [nodes.a!, nodes.b!, nodes.c!])
      await expect
        .poll(() => membersOn(node), { timeout: 15_000 })
        .toEqual(['alice@pa', 'bob@pb', 'carol@pc']);
  });

  it('node B killed: the balancer sends Bob to C, where his page rejoins and every page decodes again', async () => {
    const killedAt = Date.now();
    await nodes.b!.kill('SIGKILL');
    nodes.b = undefined;
    // What a load balancer does once its health check fails.
    balancer.retarget({ host: nodes.c!.ip, port: NODE_PORT });
    const back = await everyPageDecodesTheOthers([alice, bob, carol], 40_000);
    figures.push(`SIGKILL of node B → Bob rejoined through C, all decode: ${back - killedAt} ms`);
    await expect
      .poll(() => membersOn(nodes.a!), { timeout: 10_000 })
      .toEqual(['alice@pa', 'bob@pc', 'carol@pc']);
  });

  it("SIGTERM of node A with the README's snippet: Alice's page moves to C, every page decodes again, and A exits 0", async () => {
    const a = nodes.a!;
    const sigtermAt = Date.now();
    a.process.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    nodes.a = undefined;
    const back = await everyPageDecodesTheOthers([alice, bob, carol], 40_000);
    figures.push(`SIGTERM of node A → Alice on C, all decode: ${back - sigtermAt} ms`);
    expect(await membersOn(nodes.c!)).toEqual(['alice@pc', 'bob@pc', 'carol@pc']);
  });
});
