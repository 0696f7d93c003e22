// Pipes between nodes are lazy: a producer crosses to another node only while
// a consumer there needs it, and stops crossing when the last one goes.
// Three nodes and Redis each on a host of their own (network namespaces, a
// hub between them); three producers on node A (RTP from the test, paced
// like audio), RtpStreamers on B and C as the consumers, sending to sockets
// of the test; `Room.pipesOf` on A says how many nodes each producer is
// piped to.
import { type RtpPacer, type RtpSink, rtpPacer, rtpSink, sleep } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NetCluster, type NetNode, netCluster } from '../src/netCluster.js';

const ROOM = 'lazy';
let cluster: NetCluster;
let a: NetNode;
let b: NetNode;
let c: NetNode;
const pacers: RtpPacer[] = [];
const sinks: RtpSink[] = [];
/** The producers of node A, by peer name. */
const producers = new Map<string, number>();

interface RoomState {
  peers: { name: string; producers: { id: number }[] }[];
}

beforeAll(async () => {
  cluster = await netCluster();
  a = await cluster.start('nodea', { id: 'la', rtcMinPort: 40000 });
  b = await cluster.start('nodeb', { id: 'lb', rtcMinPort: 41000 });
  c = await cluster.start('nodec', { id: 'lc', rtcMinPort: 42000 });
  for (const node of [a, b, c]) await node.process.call('create', { room: ROOM });
  for (const [i, peer] of ['m1', 'm2', 'm3'].entries()) {
    const ssrc = 7000 + i;
    const ingest = await a.process.call<{ producerId: number; url: string }>('ingest', {
      room: ROOM,
      peer,
      kind: 'audio',
      payloadType: 100,
      ssrc,
    });
    producers.set(peer, ingest.producerId);
    pacers.push(rtpPacer(ingest.url, { payloadType: 100, ssrc }));
  }
});

afterAll(async () => {
  if (process.env.CLUSTER_LOGS)
    for (const n of [a, b, c]) console.log(`--- ${n?.process.id}\n${n?.process.log()}`);
  for (const pacer of pacers) pacer.stop();
  for (const sink of sinks) sink.close();
  await cluster?.dispose();
});

const id = (peer: string) => producers.get(peer)!;
/** How many nodes node A pipes each of its producers to now. */
const pipes = async () => {
  const counts: Record<string, number> = {};
  for (const peer of producers.keys())
    counts[peer] = await a.process.call<number>('pipes', {
      room: ROOM,
      peer,
      producer: id(peer),
    });
  return counts;
};
/** RTP packets the producer's end of the pipe on `node` has received. */
const received = (node: NetNode, peer: string) =>
  node.process.call<number>('received', { room: ROOM, peer, producer: id(peer) });

/** An RtpStreamer on `node` of `peer`'s producer, to a socket of the test (the root end of the node's link). */
async function streamOn(node: NetNode, peer: string): Promise<{ sink: RtpSink; ssrc: number }> {
  const sink = await rtpSink(node.root.a.address);
  sinks.push(sink);
  const { ssrc } = await node.process.call<{ ssrc: number }>('stream', {
    room: ROOM,
    peer,
    producer: id(peer),
    ip: node.root.a.address,
    port: sink.port,
  });
  return { sink, ssrc };
}

async function packetsDuring(sink: RtpSink, ms: number): Promise<number> {
  const before = sink.packets.length;
  await sleep(ms);
  return sink.packets.length - before;
}

describe('lazy pipes between nodes', () => {
  it('nothing is piped while no consumer on another node needs it', async () => {
    // B and C know every producer of A (each has its end of the pipe ready).
    for (const node of [b, c]) {
      await expect
        .poll(
          async () => {
            const state = await node.process.call<RoomState>('room', { room: ROOM });
            return state.peers.filter((p) => p.producers.length === 1).length;
          },
          { timeout: 10_000 },
        )
        .toBe(3);
    }
    await sleep(1000);
    expect(await pipes()).toEqual({ m1: 0, m2: 0, m3: 0 });
    for (const node of [b, c])
      for (const peer of producers.keys()) expect(await received(node, peer)).toBe(0);
  });

  it('one consumer on B pipes exactly its producer, once; its close unpipes it; a new one pipes it again into the same end', async () => {
    const first = await streamOn(b, 'm2');
    await expect.poll(() => first.sink.packets.length, { timeout: 10_000 }).toBeGreaterThan(20);
    expect(await pipes()).toEqual({ m1: 0, m2: 1, m3: 0 });
    expect(await received(b, 'm1')).toBe(0);
    expect(await received(b, 'm3')).toBe(0);
    expect(await received(c, 'm2')).toBe(0);

    await b.process.call('unstream', { peer: 'm2', producer: id('m2') });
    await expect.poll(pipes, { timeout: 5000 }).toEqual({ m1: 0, m2: 0, m3: 0 });
    // Nothing crosses any more: B's end of the pipe stops counting.
    await sleep(300);
    const stopped = await received(b, 'm2');
    await sleep(1000);
    expect((await received(b, 'm2')) - stopped).toBeLessThan(3);

    // Needed again: A pipes it with the parameters it announced, so the end
    // B made once receives it again (and the new streamer relays it).
    const second = await streamOn(b, 'm2');
    await expect.poll(() => second.sink.packets.length, { timeout: 10_000 }).toBeGreaterThan(20);
    expect(new Set(second.sink.packets.map((p) => p.ssrc))).toEqual(new Set([second.ssrc]));
    expect((await received(b, 'm2')) - stopped).toBeGreaterThan(20);
    expect(await pipes()).toEqual({ m1: 0, m2: 1, m3: 0 });
  });

  it('a consumer on each of two nodes: one pipe per node; each close takes only its own', async () => {
    const onC = await streamOn(c, 'm2');
    await expect.poll(() => onC.sink.packets.length, { timeout: 10_000 }).toBeGreaterThan(20);
    expect(await pipes()).toEqual({ m1: 0, m2: 2, m3: 0 });
    const onB = sinks.at(-2)!;

    await c.process.call('unstream', { peer: 'm2', producer: id('m2') });
    await expect.poll(pipes, { timeout: 5000 }).toEqual({ m1: 0, m2: 1, m3: 0 });
    // B's consumer goes on receiving.
    expect(await packetsDuring(onB, 1000)).toBeGreaterThan(20);
    expect(await packetsDuring(onC.sink, 1000)).toBeLessThan(3);
  });
});
