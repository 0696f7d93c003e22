// Data channels across the hosts of a cluster: nodes A and B (the built demo
// in cluster mode) and Redis each in a network namespace. A Chromium page
// joins through A, a Firefox page through B: their chat and reactions (the
// demo's DataChannels) cross the SCTP pipe between the two hosts both ways,
// and a message of the server app on one node reaches the pages of both.
//
//   root (Chromium, Firefox) ── A ──┐
//                            └─ B ──┴── hub ── redis
import { launchChromiumOn, launchFirefox } from '@x/testkit';
import { demoUrl, expectJoined, type NetPage, openPage } from '@x/testkit/pages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeProcess } from '../src/harness.js';
import { type NetCluster, netCluster } from '../src/netCluster.js';

const ROOM = 'data';
let cluster: NetCluster;
let a: NodeProcess;
let b: NodeProcess;
type Browser = Awaited<ReturnType<typeof launchFirefox>>;
let chromium: Browser | undefined;
let firefox: Browser | undefined;
let alice: NetPage;
let fox: NetPage;

beforeAll(async () => {
  cluster = await netCluster();
  a = (await cluster.start('nodea', { id: 'da', rtcMinPort: 40000, demo: true })).process;
  b = (await cluster.start('nodeb', { id: 'db', rtcMinPort: 41000, demo: true })).process;
  chromium = await launchChromiumOn(cluster.net.root, { secureOrigins: [a.origin] });
  // The page of node B is plain HTTP on a private address: Firefox takes it
  // as a secure context (camera, microphone) only when told so.
  firefox = await launchFirefox({
    prefs: { 'dom.securecontext.allowlist': new URL(b.origin).hostname },
  });
  alice = await openPage(chromium, 'alice (Chromium, node A)', demoUrl(a.origin, ROOM, 'alice'));
  fox = await openPage(firefox, 'fox (Firefox, node B)', demoUrl(b.origin, ROOM, 'fox'));
});

afterAll(async () => {
  if (process.env.CLUSTER_LOGS) for (const n of [a, b]) console.log(`--- ${n?.id}\n${n?.log()}`);
  await chromium?.close().catch(() => undefined);
  await firefox?.close().catch(() => undefined);
  await cluster?.dispose();
});

type ChatWindow = {
  demo?: {
    chatReady: Promise<void>;
    chat: {
      lines: { kind: string; from: string; text: string }[];
      reactions: { from: string; emoji: string }[];
      send(text: string): void;
      react(emoji: string): void;
    };
    room: {
      device?: { handlerName?: string };
      getPeerByName(
        name: string,
      ): { dataConsumers: { label: string; readyState: string }[] } | undefined;
    };
  };
};

const lines = (p: NetPage) =>
  p.page.evaluate(() =>
    (window as unknown as ChatWindow).demo!.chat.lines.map((l) => `${l.kind}:${l.from}: ${l.text}`),
  );

const openChannels = (p: NetPage, peer: string) =>
  p.page.evaluate(
    (name) =>
      ((window as unknown as ChatWindow).demo!.room.getPeerByName(name)?.dataConsumers ?? [])
        .filter((dc) => dc.readyState === 'open')
        .map((dc) => dc.label)
        .sort(),
    peer,
  );

describe('data channels across two cluster nodes', () => {
  it('Chromium on node A and Firefox on node B chat, react and hear the server app, across the pipe', async () => {
    for (const p of [alice, fox]) {
      await expectJoined(p);
      await p.page.evaluate(() => (window as unknown as ChatWindow).demo!.chatReady);
    }
    expect(
      await fox.page.evaluate(
        () => (window as unknown as ChatWindow).demo!.room.device?.handlerName,
      ),
    ).toBe('Firefox120');
    // Each node has the other's two channels, piped in from the other host.
    for (const [node, other, otherNode] of [
      [a, 'fox', 'db'],
      [b, 'alice', 'da'],
    ] as const)
      await expect
        .poll(
          async () =>
            (
              await node.call<{ peer: string; label: string; node: string }[]>('dataProducers', {
                room: ROOM,
              })
            )
              .filter((dp) => dp.peer === other)
              .map((dp) => `${dp.label}@${dp.node}`)
              .sort(),
          { timeout: 15_000, message: `node ${node.id} has ${other}'s channels` },
        )
        .toEqual([`chat@${otherNode}`, `reactions@${otherNode}`]);
    await expect
      .poll(() => openChannels(alice, 'fox'), { timeout: 15_000 })
      .toEqual(['chat', 'reactions']);
    await expect
      .poll(() => openChannels(fox, 'alice'), { timeout: 15_000 })
      .toEqual(['chat', 'reactions']);

    // Chat, both ways, in order.
    await alice.page.evaluate(() => {
      const chat = (window as unknown as ChatWindow).demo!.chat;
      for (let i = 1; i <= 20; i++) chat.send(`from A #${i}`);
    });
    await fox.page.evaluate(() => (window as unknown as ChatWindow).demo!.chat.send('from B 🦊'));
    const fromA = Array.from({ length: 20 }, (_, i) => `peer:alice: from A #${i + 1}`);
    await expect
      .poll(async () => (await lines(fox)).filter((l) => l.startsWith('peer:alice')), {
        timeout: 15_000,
      })
      .toEqual(fromA);
    await expect.poll(() => lines(alice), { timeout: 15_000 }).toContain('peer:fox: from B 🦊');

    // Reactions, both ways.
    await alice.page.evaluate(() => (window as unknown as ChatWindow).demo!.chat.react('🎉'));
    await fox.page.evaluate(() => (window as unknown as ChatWindow).demo!.chat.react('👏'));
    await expect
      .poll(() => fox.page.evaluate(() => (window as unknown as ChatWindow).demo!.chat.reactions))
      .toContainEqual({ from: 'alice', emoji: '🎉' });
    await expect
      .poll(() => alice.page.evaluate(() => (window as unknown as ChatWindow).demo!.chat.reactions))
      .toContainEqual({ from: 'fox', emoji: '👏' });

    // The server app of node A speaks to the room: both pages hear it; then to fox alone.
    await a.call('sendData', { room: ROOM, text: 'hello from node A', label: 'moderator' });
    await b.call('sendData', { room: ROOM, text: 'only fox', label: 'moderator', to: ['fox'] });
    for (const p of [alice, fox])
      await expect
        .poll(() => lines(p), { timeout: 10_000 })
        .toContain('server:moderator: hello from node A');
    await expect
      .poll(() => lines(fox), { timeout: 10_000 })
      .toContain('server:moderator: only fox');
    expect(await lines(alice)).not.toContain('server:moderator: only fox');
  });
});
