// Partitions, with every part on a host of its own: nodes A and B and Redis
// each in a network namespace, joined by a router namespace (hub) that
// carries the cluster's traffic (Redis, pipes); each node also has a link
// to the machine's own namespace, where the test's clients and UDP sinks
// are. nftables rules in the hub cut one path at a time:
//   - the pipe path between A and B for 10 s: nothing is closed (mediasoup
//     pipes have no liveness of their own: the producer piped into B stays,
//     its consumers get silence), and media resumes by itself when the path
//     returns;
//   - node A from Redis (not from its clients): A's own media goes on, B
//     declares A dead within the TTL and its peers leave B's room; once the
//     link heals, B sees A and its peers again, once each, and both nodes
//     list the same members.
// tcpdump in the hub shows that the pipe between A and B carries SRTP.
//
//   root (test: clients, sinks) ── A ──┐
//                               └─ B ──┼── hub ── redis
import { createSocket, type Socket } from 'node:dgram';
import {
  captureUdp,
  type Host,
  type Link,
  type Network,
  ProtocolClient,
  type RtpPacer,
  rtpPacer,
  sleep,
} from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, streamOnceKnown, tokenFor } from '../src/harness.js';
import { type NetCluster, netCluster } from '../src/netCluster.js';

const ROOM = 'split';
let cluster: NetCluster;
let net: Network;
let hub: Host;
let a: NodeProcess;
let b: NodeProcess;
let hubA: Link;
let hubB: Link;
let hubRedis: Link;
let rootA: Link;
let rootB: Link;
const clients: ProtocolClient[] = [];
const sockets: Socket[] = [];
let pacer: RtpPacer | undefined;

beforeAll(async () => {
  cluster = await netCluster();
  ({ net, hub, redisLink: hubRedis } = cluster);
  const nodeA = await cluster.start('nodea', { id: 'pa', rtcMinPort: 40000 });
  const nodeB = await cluster.start('nodeb', { id: 'pb', rtcMinPort: 41000 });
  ({ process: a, root: rootA, pipe: hubA } = nodeA);
  ({ process: b, root: rootB, pipe: hubB } = nodeB);
});

afterAll(async () => {
  pacer?.stop();
  if (process.env.CLUSTER_LOGS) for (const n of [a, b]) console.log(`--- ${n?.id}\n${n?.log()}`);
  for (const client of clients) client.close();
  for (const socket of sockets) socket.close();
  await cluster?.dispose();
});

const cut = (name: string, x: string, y: string, proto: 'udp' | 'tcp') =>
  cluster.cut(name, x, y, proto);
const heal = (name: string) => cluster.heal(name);

/** A UDP socket of the root namespace on `address` that counts the RTP packets it receives. */
async function sink(address: string): Promise<{ port: number; count(): number }> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  let n = 0;
  // RTP only: a streamer's RTCP (sender reports) comes on the same port.
  socket.on('message', (m: Buffer) => {
    const type = m[1]! & 0x7f;
    if (m.length >= 12 && (type < 72 || type > 79)) n++;
  });
  await new Promise<void>((r) => socket.bind(0, address, r));
  return { port: socket.address().port, count: () => n };
}

/** Packets a sink gets during `ms`. */
async function during(s: { count(): number }, ms: number): Promise<number> {
  const before = s.count();
  await sleep(ms);
  return s.count() - before;
}

/**
 * An RtpStreamer on B of A's producer to a root-side socket, once B has the
 * producer piped in (it may take a moment after a join or a heal).
 */
function streamFromB(port: number): Promise<void> {
  return streamOnceKnown(b, { room: ROOM, peer: 'mic', producer, ip: rootB.a.address, port });
}

type Members = { peers: { name: string; node: string }[] } | null;
const members = async (node: NodeProcess) =>
  ((await node.call<Members>('room', { room: ROOM }))?.peers ?? [])
    .map((p) => `${p.name}@${p.node}`)
    .sort();

let producer: number;

describe('a room across two nodes on hosts of their own', () => {
  let viaB: { port: number; count(): number };
  let onA: { port: number; count(): number };
  let bob: ProtocolClient;

  it('media of node A reaches a sink through node B, over the hub', async () => {
    const ingest = await a.call<{ producerId: number; url: string }>('ingest', {
      room: ROOM,
      peer: 'mic',
      kind: 'audio',
      payloadType: 100,
      ssrc: 5555,
    });
    producer = ingest.producerId;
    pacer = rtpPacer(ingest.url, { payloadType: 100, ssrc: 5555 });
    bob = await ProtocolClient.connect(b.url(ROOM));
    clients.push(bob);
    const token = await tokenFor(ROOM, 'bob');
    await bob.join('bob', await bob.queryRoom(token), { token });
    viaB = await sink(rootB.a.address);
    await streamFromB(viaB.port);
    onA = await sink(rootA.a.address);
    await a.call('stream', {
      room: ROOM,
      peer: 'mic',
      producer,
      ip: rootA.a.address,
      port: onA.port,
    });
    expect(await during(viaB, 1000)).toBeGreaterThan(20);
    expect(await during(onA, 1000)).toBeGreaterThan(20);
  });

  it('the pipe from A to B, captured in the hub, is SRTP: no readable payload', async () => {
    const capture = await captureUdp({
      iface: hubA.a.ifname,
      filter: `udp and src host ${hubA.b.address} and dst host ${hubB.b.address}`,
      spawn: (command, args, options) => net.spawn(hub, command, args, options),
    });
    await sleep(1500);
    const pipe = await capture.stop();
    expect(pipe.length).toBeGreaterThan(20);
    // What A ingests: a 12-byte header, then 48 bytes all alike (rtpPacer).
    // Plain RTP would carry them as they are; SRTP encrypts them and adds
    // an authentication tag.
    const readable = pipe.filter((d) => {
      const payload = d.payload.subarray(12, 60);
      return payload.length === 48 && payload.every((byte) => byte === payload[0]);
    });
    expect(readable).toEqual([]);
    const media = pipe.filter((d) => d.payload.length > 12 && (d.payload[1]! & 0x7f) === 100);
    expect(media.length).toBeGreaterThan(20);
    for (const d of media) expect(d.payload.length).toBeGreaterThan(pacer!.packet(1).length);
  });

  it('the pipe path cut for 10 s: nothing closes, and media resumes by itself', async () => {
    cut('xpipe', hubA.b.address, hubB.b.address, 'udp');
    await sleep(8000);
    expect(await during(viaB, 2000)).toBe(0);
    // The producer piped into B is still there: the pipe has no liveness to lose.
    expect(await members(b)).toContain('mic@pa');
    heal('xpipe');
    await expect
      .poll(() => during(viaB, 500), { timeout: 10_000, interval: 0 })
      .toBeGreaterThan(10);
  });

  it('node A cut from Redis: its own media goes on, B declares it dead; healed, both converge with no ghost and no duplicate', async () => {
    expect(await members(b)).toEqual(['bob@pb', 'mic@pa']);
    cut('xredis', hubA.b.address, hubRedis.b.address, 'tcp');
    const cutAt = Date.now();
    // B: A is dead within its TTL (3 s) and a heartbeat or two.
    await expect
      .poll(async () => (await b.call<{ id: string }[]>('nodes')).map((n) => n.id), {
        timeout: 10_000,
        interval: 200,
      })
      .toEqual(['pb']);
    expect(Date.now() - cutAt).toBeLessThan(6000);
    await expect.poll(() => members(b), { timeout: 5000 }).toEqual(['bob@pb']);
    await bob.waitFor('peerClosed', (n) => n.name === 'mic', 5000);
    // A's own media never needed Redis.
    expect(await during(onA, 1000)).toBeGreaterThan(20);

    heal('xredis');
    await expect
      .poll(async () => (await b.call<{ id: string }[]>('nodes')).map((n) => n.id).sort(), {
        timeout: 15_000,
        interval: 250,
      })
      .toEqual(['pa', 'pb']);
    // Both nodes list the same members, each once.
    await expect.poll(() => members(b), { timeout: 15_000 }).toEqual(['bob@pb', 'mic@pa']);
    await expect.poll(() => members(a), { timeout: 15_000 }).toEqual(['bob@pb', 'mic@pa']);
    await bob.waitFor('newPeer', (n) => n.peer?.name === 'mic', 10_000);
    const micAgain = bob.received('newPeer').filter((n) => n.peer?.name === 'mic');
    expect(micAgain.length).toBeGreaterThanOrEqual(1);
    // bob was never closed: a partition of A does not touch B's peers.
    expect(bob.received('closed')).toEqual([]);
    // And A's media reaches B again (its producer piped in anew).
    const again = await sink(rootB.a.address);
    await streamFromB(again.port);
    expect(await during(again, 1000)).toBeGreaterThan(20);
  });
});
