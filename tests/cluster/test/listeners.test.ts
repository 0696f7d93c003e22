// An app that removes every listener of the server's objects on each node
// (`removeAllListeners()`) does not break the cluster: it watches the
// objects' observers. Two nodes and a real redis-server; ffmpeg sends into
// node A, an RtpStreamer on node B relays it to a UDP socket of the test;
// every listener goes on both nodes, then pause, resume, a join and a close
// still cross from node to node.
import type { ChildProcess } from 'node:child_process';
import { ffmpegSender, ProtocolClient, type RtpSink, rtpSink, sleep } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type NodeProcess,
  type RedisProcess,
  startNode,
  startRedis,
  tokenFor,
} from '../src/harness.js';

const ROOM = 'bare';
let redis: RedisProcess;
let a: NodeProcess;
let b: NodeProcess;
let sender: ChildProcess | undefined;
let sink: RtpSink;
let producerId: number;
const clients: ProtocolClient[] = [];

interface RoomState {
  peers: { name: string; node: string; producers: { id: number; paused: boolean }[] }[];
}

async function packetsDuring(ms: number): Promise<number> {
  const before = sink.packets.length;
  await sleep(ms);
  return sink.packets.length - before;
}

beforeAll(async () => {
  redis = await startRedis();
  a = await startNode({ id: 'a', ip: '127.0.0.7', redis: redis.url, rtcMinPort: 47000 });
  b = await startNode({ id: 'b', ip: '127.0.0.8', redis: redis.url, rtcMinPort: 48000 });
  await a.call('create', { room: ROOM });
  await b.call('create', { room: ROOM });
  const ingest = await a.call<{ producerId: number; url: string }>('ingest', {
    room: ROOM,
    peer: 'cam',
    kind: 'video',
    payloadType: 101,
    ssrc: 1111,
  });
  producerId = ingest.producerId;
  sender = ffmpegSender({ video: { url: ingest.url, payloadType: 101, ssrc: 1111 } });
  sink = await rtpSink();
  // The producer of node A reaches node B through the pipe; a streamer there relays it.
  for (let i = 0; ; i++) {
    try {
      await b.call('stream', {
        room: ROOM,
        peer: 'cam',
        producer: producerId,
        ip: '127.0.0.1',
        port: sink.port,
      });
      break;
    } catch (error) {
      if (i > 100) throw error;
      await sleep(100);
    }
  }
});

afterAll(async () => {
  sender?.kill('SIGKILL');
  sink?.close();
  for (const client of clients) client.close();
  await Promise.all([a, b].filter(Boolean).map((n) => n.kill('SIGKILL')));
  await redis?.stop();
});

describe('a room across two nodes whose objects lost every listener', () => {
  it('media crosses before and after every listener is removed on both nodes', async () => {
    await expect.poll(() => packetsDuring(500), { timeout: 15_000 }).toBeGreaterThan(5);
    expect(await a.call<number>('strip', { room: ROOM })).toBeGreaterThan(3);
    expect(await b.call<number>('strip', { room: ROOM })).toBeGreaterThan(3);
    expect(await packetsDuring(1000)).toBeGreaterThan(10);
  });

  it('a pause on node A reaches node B, and so does the resume', async () => {
    await a.call('producer', { room: ROOM, peer: 'cam', producer: producerId, action: 'pause' });
    await expect
      .poll(
        async () =>
          (await b.call<RoomState>('room', { room: ROOM })).peers[0]?.producers[0]?.paused,
      )
      .toBe(true);
    await sleep(500);
    expect(await packetsDuring(1000)).toBe(0);
    await a.call('producer', { room: ROOM, peer: 'cam', producer: producerId, action: 'resume' });
    await expect.poll(() => packetsDuring(500), { timeout: 10_000 }).toBeGreaterThan(5);
  });

  it('a client joining through node B sees the peer of node A with its consumer', async () => {
    const client = await ProtocolClient.connect(b.url(ROOM));
    clients.push(client);
    const token = await tokenFor(ROOM, 'dora');
    const joined = await client.join('dora', await client.queryRoom(token), { token });
    const cam = joined.peers.find((p) => p.name === 'cam');
    expect(cam?.consumers).toHaveLength(1);
    // Node A sees node B's new peer.
    await expect
      .poll(async () =>
        (await a.call<RoomState>('room', { room: ROOM })).peers
          .map((p) => `${p.name}@${p.node}`)
          .sort(),
      )
      .toEqual(['cam@a', 'dora@b']);
  });

  it('a close on node A closes the producer on node B and ends its streamer there', async () => {
    await a.call('producer', { room: ROOM, peer: 'cam', producer: producerId, action: 'close' });
    await expect
      .poll(
        async () =>
          (await b.call<RoomState>('room', { room: ROOM })).peers.find((p) => p.name === 'cam')
            ?.producers,
      )
      .toEqual([]);
    await sleep(500);
    expect(await packetsDuring(1000)).toBe(0);
  });
});
