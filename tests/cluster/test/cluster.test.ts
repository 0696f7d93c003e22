// A room across three nodes, all real: redis-server on a free port, three
// node processes on 127.0.0.2, .3 and .4 with their own mediasoup workers,
// ffmpeg sending RTP into node A, UDP sockets of the test receiving through
// RtpStreamers on the other nodes, protocol clients and an @x/client room
// over WebSockets. One story, step by step: each case goes on from where the
// previous one left the cluster.
import type { ChildProcess } from 'node:child_process';
import { connect, Room, type RoomConnection } from '@x/client';
import { PROTOCOL_VERSION, type pb, rtpCapabilitiesToMessage } from '@x/protocol';
import {
  ffmpegSender,
  next,
  ProtocolClient,
  type RtpSink,
  requireBinary,
  rtpSink,
  sleep,
} from '@x/testkit';
import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import { FakeHandler, testFakeParameters } from 'mediasoup-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type NodeProcess,
  type RedisProcess,
  startNode,
  startRedis,
  tokenFor,
} from '../src/harness.js';

const ROOM = 'wide';
let redis: RedisProcess;
let a: NodeProcess;
let b: NodeProcess;
let c: NodeProcess;
let sender: ChildProcess | undefined;
let localSender: ChildProcess | undefined;
const sinks: RtpSink[] = [];
const clients: ProtocolClient[] = [];

interface Ingest {
  producerId: number;
  url: string;
}
interface Stream {
  ssrc: number;
  payloadType: number;
}
interface RoomState {
  peers: {
    name: string;
    node: string;
    producers: { id: number; kind: string; paused: boolean }[];
  }[];
}

/** A protocol client joined through `node`, with a token. */
async function join(node: NodeProcess, name: string): Promise<ProtocolClient> {
  const client = await ProtocolClient.connect(node.url(ROOM));
  clients.push(client);
  const token = await tokenFor(ROOM, name);
  await client.join(name, await client.queryRoom(token), { token });
  return client;
}

/** A UDP socket that receives `producer` of `peer` through an RtpStreamer on `node`. */
async function streamTo(node: NodeProcess, peer: string, producer: number) {
  const sink = await rtpSink();
  sinks.push(sink);
  const stream = await node.call<Stream>('stream', {
    room: ROOM,
    peer,
    producer,
    ip: '127.0.0.1',
    port: sink.port,
  });
  return { sink, stream };
}

/**
 * Packets of `ssrc` that `sink` gets during `ms`. The checks that media flows
 * ask for more than 10 in 2 s: a 30 fps stream sends well over 60, but
 * ffmpeg on a loaded two-core machine may send fewer; a stopped one sends 0.
 */
async function packetsDuring(sink: RtpSink, ssrc: number, ms: number): Promise<number> {
  const count = () => sink.packets.filter((p) => p.ssrc === ssrc).length;
  const before = count();
  await sleep(ms);
  return count() - before;
}

function consumerOf(client: ProtocolClient, peer: string, kind: pb.MediaKind): number {
  const infos = [
    ...client.received('newPeer').flatMap((n) => n.peer?.consumers ?? []),
    ...client.received('newConsumer').map((n) => n.consumer!),
  ];
  const found = infos.filter((i) => i.peerName === peer && i.kind === kind).at(-1);
  if (!found) throw new Error(`no ${peer} consumer of kind ${kind}`);
  return found.id;
}

const VIDEO = 2 as pb.MediaKind;
const AUDIO = 1 as pb.MediaKind;

beforeAll(async () => {
  requireBinary('ffmpeg', 'ffmpeg');
  redis = await startRedis();
  a = await startNode({ id: 'a', ip: '127.0.0.2', redis: redis.url, rtcMinPort: 40000 });
  b = await startNode({ id: 'b', ip: '127.0.0.3', redis: redis.url, rtcMinPort: 41000 });
  c = await startNode({ id: 'c', ip: '127.0.0.4', redis: redis.url, rtcMinPort: 43000 });
});

afterAll(async () => {
  if (process.env.CLUSTER_LOGS) for (const n of [a, b, c]) console.log(`--- ${n?.id}\n${n?.log()}`);
  sender?.kill('SIGKILL');
  localSender?.kill('SIGKILL');
  for (const client of clients) client.close();
  for (const sink of sinks) sink.close();
  await Promise.all([a, b, c].filter(Boolean).map((n) => n.kill('SIGKILL')));
  await redis?.stop();
});

describe('a room across three nodes', () => {
  let bob: ProtocolClient;
  let carol: ProtocolClient;
  let video: Ingest;
  let audio: Ingest;
  let fromA: { sink: RtpSink; stream: Stream };
  let local: { sink: RtpSink; stream: Stream };
  let acrossBtoC: { sink: RtpSink; stream: Stream };

  it('every node lists the three live nodes', async () => {
    for (const node of [a, b, c]) {
      await expect
        .poll(async () => (await node.call<{ id: string }[]>('nodes')).map((n) => n.id).sort())
        .toEqual(['a', 'b', 'c']);
    }
  });

  it('RTP ingested on node A reaches a UDP socket through an RtpStreamer on node B', async () => {
    bob = await join(b, 'bob');
    video = await a.call<Ingest>('ingest', {
      room: ROOM,
      peer: 'camera',
      kind: 'video',
      payloadType: 101,
      ssrc: 1111,
    });
    audio = await a.call<Ingest>('ingest', {
      room: ROOM,
      peer: 'camera',
      kind: 'audio',
      payloadType: 100,
      ssrc: 2222,
    });
    sender = ffmpegSender({
      video: { url: video.url, payloadType: 101, ssrc: 1111 },
      audio: { url: audio.url, payloadType: 100, ssrc: 2222 },
    });
    // Bob, on B, hears of the peer of A and gets a consumer of each of its producers.
    await bob.waitFor('newPeer', (n) => n.peer?.name === 'camera', 10_000);
    await expect
      .poll(() => consumerOf(bob, 'camera', VIDEO), { timeout: 10_000 })
      .toBeGreaterThan(0);
    // The audio producer's newConsumer crosses Redis on its own: it may come
    // after the video's on a loaded machine.
    await expect
      .poll(() => consumerOf(bob, 'camera', AUDIO), { timeout: 10_000 })
      .toBeGreaterThan(0);
    const onB = await b.call<RoomState>('room', { room: ROOM });
    expect(onB.peers.find((p) => p.name === 'camera')).toMatchObject({ node: 'a' });

    // Nothing crosses to B while nothing there needs it: Bob's consumers have
    // no transport. A's pipes are made when a consumer on B needs a producer.
    const received = (producer: number) =>
      b.call<number>('received', { room: ROOM, peer: 'camera', producer });
    const pipes = (producer: number) =>
      a.call<number>('pipes', { room: ROOM, peer: 'camera', producer });
    await sleep(1500);
    expect(await received(audio.producerId)).toBe(0);
    expect(await received(video.producerId)).toBe(0);
    expect([await pipes(audio.producerId), await pipes(video.producerId)]).toEqual([0, 0]);

    fromA = await streamTo(b, 'camera', video.producerId);
    await expect.poll(() => received(video.producerId), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect
      .poll(() => fromA.sink.packets.filter((p) => p.ssrc === fromA.stream.ssrc).length, {
        timeout: 15_000,
      })
      .toBeGreaterThan(30);
    // Every packet is the stream the streamer announced: its SSRC, its payload type.
    expect(new Set(fromA.sink.packets.map((p) => p.ssrc))).toEqual(new Set([fromA.stream.ssrc]));
    expect(new Set(fromA.sink.packets.map((p) => p.payloadType))).toEqual(
      new Set([fromA.stream.payloadType]),
    );
    // Only the video is piped, once; the audio no one on B consumes stays on A.
    expect([await pipes(audio.producerId), await pipes(video.producerId)]).toEqual([0, 1]);
    expect(await received(audio.producerId)).toBe(0);
  });

  it('pause, resume and close on node A reach the peers and media of node B', async () => {
    const videoConsumer = consumerOf(bob, 'camera', VIDEO);
    await a.call('producer', {
      room: ROOM,
      peer: 'camera',
      producer: video.producerId,
      action: 'pause',
    });
    await bob.waitFor('consumerPaused', (n) => n.id === videoConsumer && n.peerName === 'camera');
    await sleep(300);
    expect(await packetsDuring(fromA.sink, fromA.stream.ssrc, 800)).toBeLessThan(3);

    await a.call('producer', {
      room: ROOM,
      peer: 'camera',
      producer: video.producerId,
      action: 'resume',
    });
    await bob.waitFor('consumerResumed', (n) => n.id === videoConsumer && n.peerName === 'camera');
    // Video resumes at a key frame: ffmpeg sends one every second.
    const resumedAt = fromA.sink.packets.length;
    await expect
      .poll(() => fromA.sink.packets.length - resumedAt, { timeout: 5000 })
      .toBeGreaterThan(30);

    const audioConsumer = consumerOf(bob, 'camera', AUDIO);
    await a.call('producer', {
      room: ROOM,
      peer: 'camera',
      producer: audio.producerId,
      action: 'close',
    });
    await bob.waitFor('consumerClosed', (n) => n.id === audioConsumer && n.peerName === 'camera');
    await expect
      .poll(async () => {
        const onB = await b.call<RoomState>('room', { room: ROOM });
        return onB.peers.find((p) => p.name === 'camera')?.producers.map((p) => p.kind);
      })
      .toEqual(['video']);
  });

  it('a late joiner on node C sees the room as it is (peers, producers, pauses)', async () => {
    await a.call('producer', {
      room: ROOM,
      peer: 'camera',
      producer: video.producerId,
      action: 'pause',
    });
    await bob.waitFor('consumerPaused', (n) => n.peerName === 'camera', 5000);
    carol = await ProtocolClient.connect(c.url(ROOM));
    clients.push(carol);
    const token = await tokenFor(ROOM, 'carol');
    const joined = await carol.join('carol', await carol.queryRoom(token), { token });
    const peers = new Map((joined.peers ?? []).map((p) => [p.name, p]));
    expect([...peers.keys()].sort()).toEqual(['bob', 'camera']);
    const consumers = peers.get('camera')!.consumers ?? [];
    expect(consumers.map((x) => ({ kind: x.kind, paused: x.paused }))).toEqual([
      { kind: VIDEO, paused: true },
    ]);
    // Bob hears of Carol, whose node is another.
    await bob.waitFor('newPeer', (n) => n.peer?.name === 'carol');
    await a.call('producer', {
      room: ROOM,
      peer: 'camera',
      producer: video.producerId,
      action: 'resume',
    });
    const onC = await streamTo(c, 'camera', video.producerId);
    await expect
      .poll(() => onC.sink.packets.filter((p) => p.ssrc === onC.stream.ssrc).length, {
        timeout: 10_000,
      })
      .toBeGreaterThan(30);
  });

  it('Redis killed: media never stops, joins are refused with a clear error; after its return, joins across nodes resume', async () => {
    // Media of node B: received on B itself, and on C through a pipe.
    const ingest = await b.call<Ingest>('ingest', {
      room: ROOM,
      peer: 'camera-b',
      kind: 'video',
      payloadType: 101,
      ssrc: 3333,
    });
    localSender = ffmpegSender({ video: { url: ingest.url, payloadType: 101, ssrc: 3333 } });
    await expect
      .poll(async () => {
        const onC = await c.call<RoomState>('room', { room: ROOM });
        return onC.peers.find((p) => p.name === 'camera-b')?.producers.length ?? 0;
      })
      .toBe(1);
    local = await streamTo(b, 'camera-b', ingest.producerId);
    acrossBtoC = await streamTo(c, 'camera-b', ingest.producerId);
    for (const { sink, stream } of [local, acrossBtoC]) {
      await expect
        .poll(() => sink.packets.filter((p) => p.ssrc === stream.ssrc).length, { timeout: 10_000 })
        .toBeGreaterThan(10);
    }

    await redis.kill();
    // Redis comes back whatever the checks say: the tests after this one need it.
    try {
      await expect
        .poll(async () => b.call<string[]>('events'), { timeout: 5000 })
        .toContain('redisdown');
      const during = await Promise.all(
        [local, acrossBtoC, fromA].map(({ sink, stream }) =>
          packetsDuring(sink, stream.ssrc, 2000),
        ),
      );
      expect({ local: during[0], acrossBtoC: during[1], fromA: during[2] }).toEqual({
        local: expect.toSatisfy((n: number) => n > 10),
        acrossBtoC: expect.toSatisfy((n: number) => n > 10),
        fromA: expect.toSatisfy((n: number) => n > 10),
      });

      const refused = await ProtocolClient.connect(c.url(ROOM));
      clients.push(refused);
      const token = await tokenFor(ROOM, 'dan');
      const error = await refused.error({
        join: {
          protocolVersion: PROTOCOL_VERSION,
          peerName: 'dan',
          rtpCapabilities: rtpCapabilitiesToMessage(await refused.queryRoom(token)),
          token,
        },
      });
      expect(error.code).toBe('NODE_UNAVAILABLE');
      expect(error.message).toMatch(/Redis/);
    } finally {
      await redis.restart();
    }
    // Each node catches up once every node had a TTL to write its rooms again.
    for (const node of [a, b, c]) {
      await expect
        .poll(async () => node.call<string[]>('events'), { timeout: 15_000 })
        .toContain('redisup');
    }
    const erin = await join(c, 'erin');
    expect(erin).toBeDefined();
    await bob.waitFor('newPeer', (n) => n.peer?.name === 'erin', 5000);
    // The room as Redis holds it again: every node's peers.
    const onA = await a.call<RoomState>('room', { room: ROOM });
    expect(onA.peers.map((p) => p.name).sort()).toEqual([
      'bob',
      'camera',
      'camera-b',
      'carol',
      'erin',
    ]);
    expect(await packetsDuring(local.sink, local.stream.ssrc, 2000)).toBeGreaterThan(10);
  });

  it('SIGKILL of node A: within 5 s the peers of B and C get peerClosed for its peers, and keep their own media', async () => {
    const killedAt = Date.now();
    await a.kill('SIGKILL');
    sender?.kill('SIGKILL');
    const [onB, onC] = await Promise.all([
      bob.waitFor('peerClosed', (n) => n.name === 'camera', 6000),
      carol.waitFor('peerClosed', (n) => n.name === 'camera', 6000),
    ]);
    expect(onB.name).toBe('camera');
    expect(onC.name).toBe('camera');
    const noticedIn = Date.now() - killedAt;
    console.log(`node A's death was noticed in ${noticedIn} ms (TTL 3000 ms, heartbeat 1000 ms)`);
    expect(noticedIn).toBeLessThanOrEqual(5000);
    expect(await b.call<string[]>('events')).toContain('nodedown:a');
    expect(await packetsDuring(local.sink, local.stream.ssrc, 2000)).toBeGreaterThan(10);
    expect(await packetsDuring(acrossBtoC.sink, acrossBtoC.stream.ssrc, 2000)).toBeGreaterThan(10);
    const nodes = await c.call<{ id: string }[]>('nodes');
    expect(nodes.map((n) => n.id).sort()).toEqual(['b', 'c']);
  });

  it('SIGTERM of node B drains it: its clients rejoin through C by themselves, and B exits 0', async () => {
    // An @x/client room (FakeHandler: signaling and state, no media) on B, sending a producer.
    const dave = new Room({ handlerFactory: FakeHandler.createFactory(testFakeParameters) });
    const connection: RoomConnection = await connect(dave, b.url(ROOM), {
      WebSocket: WebSocket as never,
    });
    await dave.join('dave', undefined, { token: await tokenFor(ROOM, 'dave') });
    const track = new FakeMediaStreamTrack({ kind: 'audio' }) as unknown as Parameters<
      Room['createProducer']
    >[0];
    await dave.createProducer(track).send(dave.createTransport('send'));
    await carol.waitFor('newConsumer', (n) => n.consumer?.peerName === 'dave');

    const redirected = next<[string]>(connection, 'redirected', 10_000);
    const reconnected = next<[string]>(connection, 'reconnected', 15_000);
    b.process.kill('SIGTERM');
    // Bob, a bare protocol client, is told why and where to go.
    const closed = await bob.waitFor('closed', () => true, 10_000);
    expect(closed.redirectUrl).toBe(c.url(ROOM));
    const [url] = await redirected;
    expect(url).toBe(c.url(ROOM));
    expect(await reconnected).toEqual(['rejoin']);
    expect(dave.joined).toBe(true);
    expect(connection.url).toBe(c.url(ROOM));
    // On C, Dave is back with his producer sent again.
    await expect
      .poll(async () => {
        const onC = await c.call<RoomState>('room', { room: ROOM });
        return onC.peers.find((p) => p.name === 'dave');
      })
      .toMatchObject({ node: 'c', producers: [{ kind: 'audio' }] });
    expect(await b.exited).toBe(0);
    dave.leave();
    connection.close();
  });
});
