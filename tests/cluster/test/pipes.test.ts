// Pipes between nodes are lazy: a producer crosses to another node only while
// a consumer there needs it, and stops crossing when the last one goes.
// Three nodes and a real redis-server; three producers on node A (RTP from
// the test, paced like audio), RtpStreamers on B and C as the consumers, and
// `Room.pipesOf` on A says how many nodes each producer is piped to.
import { type RtpPacer, type RtpSink, rtpPacer, rtpSink, sleep } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, type RedisProcess, startNode, startRedis } from '../src/harness.js';

const ROOM = 'lazy';
let redis: RedisProcess;
let a: NodeProcess;
let b: NodeProcess;
let c: NodeProcess;
const pacers: RtpPacer[] = [];
const sinks: RtpSink[] = [];
/** The producers of node A, by peer name. */
const producers = new Map<string, number>();

interface RoomState {
  peers: { name: string; producers: { id: number }[] }[];
}

beforeAll(async () => {
  redis = await startRedis();
  a = await startNode({ id: 'la', ip: '127.0.0.17', redis: redis.url, rtcMinPort: 57000 });
  b = await startNode({ id: 'lb', ip: '127.0.0.18', redis: redis.url, rtcMinPort: 58000 });
  c = await startNode({ id: 'lc', ip: '127.0.0.19', redis: redis.url, rtcMinPort: 59000 });
  for (const node of [a, b, c]) await node.call('create', { room: ROOM });
  for (const [i, peer] of ['m1', 'm2', 'm3'].entries()) {
    const ssrc = 7000 + i;
    const ingest = await a.call<{ producerId: number; url: string }>('ingest', {
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
  if (process.env.CLUSTER_LOGS) for (const n of [a, b, c]) console.log(`--- ${n?.id}\n${n?.log()}`);
  for (const pacer of pacers) pacer.stop();
  for (const sink of sinks) sink.close();
  await Promise.all([a, b, c].filter(Boolean).map((n) => n.kill('SIGKILL')));
  await redis?.stop();
});

const id = (peer: string) => producers.get(peer)!;
/** How many nodes node A pipes each of its producers to now. */
const pipes = async () => {
  const counts: Record<string, number> = {};
  for (const peer of producers.keys())
    counts[peer] = await a.call<number>('pipes', { room: ROOM, peer, producer: id(peer) });
  return counts;
};
/** RTP packets the producer's end of the pipe on `node` has received. */
const received = (node: NodeProcess, peer: string) =>
  node.call<number>('received', { room: ROOM, peer, producer: id(peer) });

async function streamOn(node: NodeProcess, peer: string): Promise<{ sink: RtpSink; ssrc: number }> {
  const sink = await rtpSink();
  sinks.push(sink);
  const { ssrc } = await node.call<{ ssrc: number }>('stream', {
    room: ROOM,
    peer,
    producer: id(peer),
    ip: '127.0.0.1',
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
            const state = await node.call<RoomState>('room', { room: ROOM });
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

    await b.call('unstream', { peer: 'm2', producer: id('m2') });
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

    await c.call('unstream', { peer: 'm2', producer: id('m2') });
    await expect.poll(pipes, { timeout: 5000 }).toEqual({ m1: 0, m2: 1, m3: 0 });
    // B's consumer goes on receiving.
    expect(await packetsDuring(onB, 1000)).toBeGreaterThan(20);
    expect(await packetsDuring(onC.sink, 1000)).toBeLessThan(3);
  });
});
