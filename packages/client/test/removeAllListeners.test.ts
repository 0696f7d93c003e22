// An app may remove every listener of every object it holds
// (`removeAllListeners()`), and the library goes on: its own parts watch
// observers and private hooks, never the app's events. A live room with
// real media (ffmpeg into RTP ingest, an RtpStreamer to a UDP socket), two
// clients over the WebSocket connector; then every public object of the
// server (Server, Room, Peer, Transport, Producer, Consumer, RtpStreamer) and
// of the clients (Room, Peer, Transport, Producer, Consumer, RoomConnection)
// loses its listeners, and joins, leaves, pauses, closes, stats and recording
// still work. (The cluster's part is tests/cluster/test/listeners.test.ts.)
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RtpIngest, RtpStreamer, Room as ServerRoom } from '@x/server';
import { Recorder } from '@x/server';
import { ffmpegSender, probe, type RtpSink, rtpSink, sleep } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type Consumer,
  connect,
  type Producer,
  type Room,
  type RoomConnection,
  type Transport,
} from '../src/index.js';
import { audioTrack, fakeRoom, startWorld, type World } from './helpers/world.js';

const ROOM = 'no-listeners';

interface Client {
  room: Room;
  connection: RoomConnection<Room>;
  recv: Transport;
}

let world: World;
let serverRoom: ServerRoom;
let video: RtpIngest;
let audio: RtpIngest;
let streamer: RtpStreamer;
let sink: RtpSink;
let sender: ChildProcess;
let alice: Client;
let bob: Client;
let aliceMic: Producer;
let dir: string;

async function client(name: string): Promise<Client> {
  const room = fakeRoom();
  const connection = await connect(room, world.url(ROOM), { WebSocket: WebSocket as never });
  await room.join(name);
  return { room, connection, recv: room.createTransport('recv') };
}

/** Every listener an app could have put on the objects of the room, removed. */
function removeEveryListener(): number {
  const objects: { removeAllListeners(): unknown }[] = [world.server, serverRoom];
  for (const peer of serverRoom.peers) {
    objects.push(peer, ...peer.transports, ...peer.producers, ...peer.consumers);
  }
  for (const s of serverRoom.rtpStreamers) objects.push(s, s.consumer, s.transport);
  for (const { room, connection } of [alice, bob]) {
    objects.push(room, connection, ...room.transports, ...room.producers);
    for (const peer of room.peers) objects.push(peer, ...peer.consumers);
  }
  for (const object of objects) object.removeAllListeners();
  return objects.length;
}

/** Bob's consumer of `peer`'s producer of `kind`. */
function bobsConsumer(peer: string, kind: 'audio' | 'video'): Consumer {
  const consumer = bob.room.getPeerByName(peer)?.consumers.find((c) => c.kind === kind);
  if (!consumer) throw new Error(`bob has no ${kind} consumer of ${peer}`);
  return consumer;
}

/** RTP packets the streamer's socket gets during `ms`. */
async function packetsDuring(ms: number): Promise<number> {
  const before = sink.packets.length;
  await sleep(ms);
  return sink.packets.length - before;
}

beforeAll(async () => {
  world = await startWorld();
  dir = await mkdtemp(join(tmpdir(), 'x-listeners-'));
  serverRoom = await world.room(ROOM);
  video = await serverRoom.createRtpIngest({
    peerName: 'camera',
    kind: 'video',
    codec: { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 },
    ssrc: 1111,
  });
  audio = await serverRoom.createRtpIngest({
    peerName: 'camera',
    kind: 'audio',
    codec: { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 },
    ssrc: 2222,
  });
  sender = ffmpegSender({
    video: { url: video.url, payloadType: 101, ssrc: 1111 },
    audio: { url: audio.url, payloadType: 100, ssrc: 2222 },
  });
  sink = await rtpSink();
  streamer = await serverRoom.createRtpStreamer(video.producer, {
    remoteIP: '127.0.0.1',
    remotePort: sink.port,
  });
  alice = await client('alice');
  bob = await client('bob');
  aliceMic = alice.room.createProducer(audioTrack());
  await aliceMic.send(alice.room.createTransport('send'));
  await until(() => bob.room.getPeerByName('alice')?.consumers.length === 1);
  for (const consumer of bob.room.peers.flatMap((p) => p.consumers))
    await consumer.receive(bob.recv);
  await until(() => sink.packets.length > 10);
});

/** Waits for `done` (10 s at most). */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('the room did not get ready in 10 s');
    await sleep(50);
  }
}

afterAll(async () => {
  sender?.kill('SIGKILL');
  sink?.close();
  await world?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('after removeAllListeners() on every public object of a live room', () => {
  it('every listener is gone, and media still flows through the RtpStreamer', async () => {
    expect(removeEveryListener()).toBeGreaterThan(20);
    expect(serverRoom.peers.every((p) => p.listenerCount('notify') === 0)).toBe(true);
    expect(await packetsDuring(1000)).toBeGreaterThan(10);
  });

  it('a join: the newcomer gets everyone with their consumers; the others hear of it', async () => {
    const carol = await client('carol');
    expect(carol.room.peers.map((p) => p.name).sort()).toEqual(['alice', 'bob', 'camera']);
    expect(
      carol.room
        .getPeerByName('camera')
        ?.consumers.map((c) => c.kind)
        .sort(),
    ).toEqual(['audio', 'video']);
    await expect.poll(() => bob.room.getPeerByName('carol')?.name).toBe('carol');
    await expect.poll(() => alice.room.getPeerByName('carol')?.name).toBe('carol');
    // A leave: the others see it, and the server lets the peer and its session go.
    carol.room.leave();
    await expect.poll(() => bob.room.getPeerByName('carol')).toBeUndefined();
    await expect.poll(() => alice.room.getPeerByName('carol')).toBeUndefined();
    expect(serverRoom.getPeerByName('carol')).toBeUndefined();
    await expect.poll(() => world.endpoint.signaling.sessions.length).toBe(2);
  });

  it('pauses: a client pauses its producer, the server app pauses another; the consumers follow', async () => {
    aliceMic.pause();
    await expect.poll(() => bobsConsumer('alice', 'audio').remotelyPaused).toBe(true);
    expect(serverRoom.getPeerByName('alice')?.producers[0]?.remotelyPaused).toBe(true);
    aliceMic.resume();
    await expect.poll(() => bobsConsumer('alice', 'audio').remotelyPaused).toBe(false);

    video.producer.pause();
    await expect.poll(() => bobsConsumer('camera', 'video').remotelyPaused).toBe(true);
    expect(await packetsDuring(1000)).toBe(0);
    video.producer.resume();
    await expect.poll(() => bobsConsumer('camera', 'video').remotelyPaused).toBe(false);
    await expect.poll(() => packetsDuring(500), { timeout: 10_000 }).toBeGreaterThan(5);
  });

  it('stats: a transport, a producer and a consumer report to a listener the app adds again', async () => {
    const seen: string[] = [];
    bob.recv.on('stats', () => seen.push('transport'));
    aliceMic.on('stats', () => seen.push('producer'));
    const consumer = bobsConsumer('camera', 'video');
    consumer.on('stats', () => seen.push('consumer'));
    bob.recv.enableStats(1000);
    aliceMic.enableStats(1000);
    consumer.enableStats(1000);
    await expect
      .poll(() => [...new Set(seen)].sort(), { timeout: 5000 })
      .toEqual(['consumer', 'producer', 'transport']);
    bob.recv.disableStats();
    aliceMic.disableStats();
    consumer.disableStats();
  });

  it('recording: the clients are told it runs, and the file is finished', async () => {
    const file = join(dir, 'camera.webm');
    const recorder = await Recorder.start({
      room: serverRoom,
      producers: [video.producer, audio.producer],
      file,
    });
    await expect.poll(() => bob.room.recording).toEqual({ active: true, peerNames: ['camera'] });
    await sleep(2000);
    const result = await recorder.stop();
    expect(result.status).toBe('done');
    await expect.poll(() => alice.room.recording.active).toBe(false);
    expect(
      probe(file)
        .streams.map((s) => s.codec_type)
        .sort(),
    ).toEqual(['audio', 'video']);
  });

  it('closes: a producer closed by its client closes its consumers; the server app closes a peer', async () => {
    const consumer = bobsConsumer('alice', 'audio');
    aliceMic.close();
    await expect.poll(() => consumer.closed).toBe(true);
    expect(serverRoom.getPeerByName('alice')?.producers).toEqual([]);

    video.producer.close();
    await expect.poll(() => streamer.closed).toBe(true);

    serverRoom.getPeerByName('alice')!.close(undefined, 'peer_closed', 'bye');
    await expect.poll(() => alice.room.closed).toBe(true);
    await expect.poll(() => bob.room.getPeerByName('alice')).toBeUndefined();
    await expect.poll(() => alice.connection.state).toBe('closed');
  });
});
