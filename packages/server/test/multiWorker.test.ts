// A room larger than one worker: two workers, a small consumer budget per
// worker, peers placed on both; real RTP from ffmpeg enters on one worker and
// is counted where it leaves the other, through the pipe.
import type { ChildProcess } from 'node:child_process';
import {
  audioLevelParameters,
  audioLevelSender,
  audioParameters,
  ffmpegSender,
  requireBinary,
  rtpSink,
  sleep,
  videoParameters,
} from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Peer, type Room, type RoomMember, type RtpIngest, Server } from '../src/index.js';

let server: Server;
let room: Room;
let video: RtpIngest;
let audio: RtpIngest;
let sender: ChildProcess;
let near: Peer;
let far: Peer;
const sinks: Awaited<ReturnType<typeof rtpSink>>[] = [];

/** A peer with a plain RTP receive transport aimed at a UDP socket of the test. */
async function receiver(name: string) {
  const peer = await room.join({
    name,
    rtpCapabilities: room.rtpCapabilities,
    permissions: { canUsePlainRtp: true },
  });
  const sink = await rtpSink();
  sinks.push(sink);
  await peer.createPlainRtpTransport({
    id: 1,
    direction: 'recv',
    remote: { ip: '127.0.0.1', port: sink.port },
  });
  return { peer, sink };
}

/** Enables and starts `peer`'s consumer of `producerId`'s producer on its receive transport. */
async function receive(peer: Peer, ingest: RtpIngest) {
  const consumer = peer.getConsumerOf(ingest.producer)!;
  await peer.enableConsumer(consumer.id, 1);
  peer.startConsumer(consumer.id);
  return consumer;
}

/** Packets of one SSRC a sink got during `ms`. */
async function packetsDuring(sink: Awaited<ReturnType<typeof rtpSink>>, ssrc: number, ms: number) {
  const before = sink.packets.filter((p) => p.ssrc === ssrc).length;
  await sleep(ms);
  return sink.packets.filter((p) => p.ssrc === ssrc).length - before;
}

beforeAll(async () => {
  requireBinary('ffmpeg', 'ffmpeg');
  server = await Server.create({
    numWorkers: 2,
    logLevel: 'none',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: 47000,
    rtcMaxPort: 47999,
    // Two consumers fill a worker: the second receiver goes to the other worker.
    maxConsumersPerWorker: 2,
    clientPlainRtp: { allowedNetworks: ['127.0.0.0/8'] },
  });
  room = await server.createRoom({ id: 'wide', closeWhenEmpty: false });
  video = await room.createRtpIngest({
    peerName: 'camera',
    kind: 'video',
    codec: { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 },
    ssrc: 1111,
  });
  audio = await room.createRtpIngest({
    peerName: 'camera',
    kind: 'audio',
    codec: { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 },
    ssrc: 2222,
  });
  sender = ffmpegSender({
    video: { url: video.url, payloadType: 101, ssrc: 1111 },
    audio: { url: audio.url, payloadType: 100, ssrc: 2222 },
  });
  for (let i = 0; i < 100; i++) {
    if (Number((await video.producer.getStats())[0]?.packetCount ?? 0) > 30) break;
    await sleep(100);
  }
});

afterAll(() => {
  sender?.kill('SIGKILL');
  for (const sink of sinks) sink.close();
  server?.close();
});

describe('a room spread over two workers', () => {
  it('places peers where a worker has headroom: the second receiver on the other worker', async () => {
    const first = await receiver('near');
    near = first.peer;
    await receive(near, video);
    await receive(near, audio);
    const second = await receiver('far');
    far = second.peer;
    expect(near.router).toBe(video.peer.router);
    expect(far.router).not.toBe(near.router);
    expect(room.routers).toHaveLength(2);
    const loads = server.workerLoads;
    expect(loads).toHaveLength(2);
    expect(loads.every((l) => l.routers === 1)).toBe(true);
  });

  it('a producer crosses the pipe: the far peer receives the ffmpeg stream, packets counted', async () => {
    const consumer = await receive(far, video);
    await receive(far, audio);
    const ssrc = consumer.rtpParameters!.encodings![0]!.ssrc!;
    const sink = sinks[1]!;
    await expect
      .poll(() => sink.packets.filter((p) => p.ssrc === ssrc).length, { timeout: 10_000 })
      .toBeGreaterThan(30);
    expect(new Set(sink.packets.map((p) => p.payloadType))).toEqual(
      new Set(far.consumers.map((c) => c.rtpParameters!.codecs[0]!.payloadType)),
    );
    // One pipe per producer and router, shared by everything there.
    expect(room.pipesOf(video.producer)).toBe(1);
    expect(room.pipesOf(audio.producer)).toBe(1);
  });

  it('pause and resume of the producer cross the pipe', async () => {
    const consumer = far.getConsumerOf(video.producer)!;
    const ssrc = consumer.rtpParameters!.encodings![0]!.ssrc!;
    const events: string[] = [];
    consumer.on('pause', (o) => events.push(`pause:${o}`));
    consumer.on('resume', (o) => events.push(`resume:${o}`));
    video.producer.pause();
    await sleep(300);
    expect(consumer.engine!.producerPaused).toBe(true);
    expect(await packetsDuring(sinks[1]!, ssrc, 1000)).toBe(0);
    video.producer.resume();
    await expect.poll(() => consumer.engine!.producerPaused).toBe(false);
    // Flowing again from the next key frame (ffmpeg sends one a second).
    await expect
      .poll(() => packetsDuring(sinks[1]!, ssrc, 500), { timeout: 5000 })
      .toBeGreaterThan(5);
    expect(events).toEqual(['pause:source', 'resume:source']);
  });

  it('a simulcast producer: the far consumer selects its profile across the pipe', async () => {
    const sender = room.getPeerByName('near')!;
    await sender.createWebRtcTransport({ id: 2, direction: 'send' });
    const simulcast = await sender.produce({
      id: 10,
      transportId: 2,
      kind: 'video',
      rtpParameters: videoParameters(true, 5000),
    });
    const farConsumer = far.getConsumerOf(simulcast)!;
    await far.createWebRtcTransport({ id: 3, direction: 'recv' });
    await far.enableConsumer(farConsumer.id, 3, { preferredProfile: 'low' });
    expect(farConsumer.engine!.preferredLayers?.spatialLayer).toBe(0);
    farConsumer.setPreferredProfile('high');
    await expect.poll(() => farConsumer.engine!.preferredLayers?.spatialLayer).toBe(2);
    simulcast.close();
  });

  it('closing a producer closes its consumers on both routers, and its pipe', async () => {
    const transport = await near.createWebRtcTransport({ id: 4, direction: 'send' });
    const extra = await near.produce({
      id: 20,
      transportId: transport.id,
      kind: 'audio',
      rtpParameters: audioParameters(9999),
    });
    const farConsumer = far.getConsumerOf(extra)!;
    await far.enableConsumer(farConsumer.id, 3);
    expect(room.pipesOf(extra)).toBe(1);
    let closed = 0;
    farConsumer.on('close', () => closed++);
    extra.close();
    await sleep(100);
    expect(closed).toBe(1);
    expect(room.pipesOf(extra)).toBe(0);
  });

  it('the pipe closes when its last consumer goes, and opens again for the next', async () => {
    const consumer = far.getConsumerOf(audio.producer)!;
    consumer.close();
    await sleep(100);
    expect(room.pipesOf(audio.producer)).toBe(0);
    const late = await room.join({ name: 'late', rtpCapabilities: room.rtpCapabilities });
    expect(late.router).toBe(far.router);
    await late.createWebRtcTransport({ id: 1, direction: 'recv' });
    await late.enableConsumer(late.getConsumerOf(audio.producer)!.id, 1);
    expect(room.pipesOf(audio.producer)).toBe(1);
  });

  // A pipe's consumer asks the producer for a key frame as it starts: the
  // pipe starts when a consumer at its far end does, so that this key frame is
  // one the consumer shows (RouterPipes).
  it('a new pipe carries no media until a consumer at its far end starts', async () => {
    const late = room.getPeerByName('late')!;
    const consumer = late.getConsumerOf(audio.producer)!;
    // The copy's inbound stream, as the far consumer's stats report it.
    const piped = async () =>
      Number((await consumer.getStats()).find((s) => s.type === 'inbound-rtp')?.packetCount ?? 0);
    await sleep(1000);
    expect(await piped()).toBe(0);
    late.startConsumer(consumer.id);
    await expect.poll(piped, { timeout: 5000 }).toBeGreaterThan(10);
    expect(room.pipesOf(audio.producer)).toBe(1);
  });

  it('audio levels and the active speaker cover producers on every router', async () => {
    // far (on the second worker) sends audio with its level, as a browser does (ffmpeg does not).
    const transport = await far.createPlainRtpTransport({
      id: 5,
      direction: 'send',
      comedia: true,
    });
    const tone = await far.produce({
      id: 30,
      transportId: transport.id,
      kind: 'audio',
      rtpParameters: audioLevelParameters(3333),
    });
    const toneSender = audioLevelSender({
      ip: '127.0.0.1',
      port: transport.localPort,
      ssrc: 3333,
      payloadType: 100,
      extensionId: 10,
      dBov: -10,
    });
    // Talking, not a steady tone: mediasoup 3.12's observer takes a steady level
    // for background noise, and it may start from another producer as the
    // dominant one (its first in a hash map), which a steady tone never outscores.
    const talking = setInterval(
      () => toneSender.setLevel(-10 - Math.floor(Math.random() * 36)),
      20,
    );
    try {
      expect(far.router).not.toBe(room.router);
      const detector = await room.createActiveSpeakerDetector();
      const speakers: RoomMember[] = [];
      detector.on('activespeakerchange', (peer) => speakers.push(peer));
      const heardFar = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 8000);
        room.on('audiolevels', (levels) => {
          if (levels.some((l) => l.producer === tone)) {
            clearTimeout(timer);
            resolve(true);
          }
        });
      });
      expect(await heardFar).toBe(true);
      // The dominant speaker is found among every router's producers: far's is
      // the only one with a level. mediasoup 3.12's observer may first name the
      // producer it starts from (camera's, levelless), then hands over to far.
      await expect.poll(() => speakers.at(-1), { timeout: 8000 }).toBe(far);
      // The observers live on the room's first router: far's producer is piped there.
      expect(room.pipesOf(tone)).toBeGreaterThanOrEqual(1);
      detector.close();
    } finally {
      clearInterval(talking);
      toneSender.stop();
    }
  });

  it('a worker dies: the peers that lived on it close (worker_died); the others go on receiving', async () => {
    const reasons: string[] = [];
    far.on('close', (originator) => reasons.push(originator));
    const nearSsrc = near.getConsumerOf(video.producer)!.rtpParameters!.encodings![0]!.ssrc!;
    const farWorker = room.routerSet.workerOf(far.router)!;
    expect(farWorker).not.toBe(room.routerSet.workerOf(near.router));
    process.kill(farWorker.pid, 'SIGKILL');
    await expect.poll(() => far.closed).toBe(true);
    expect(reasons).toEqual(['local']);
    expect(room.getPeerByName('late')).toBeUndefined();
    expect(room.closed).toBe(false);
    expect(near.closed).toBe(false);
    expect(video.peer.closed).toBe(false);
    expect(room.routers).toEqual([near.router]);
    // The near peer still receives the camera, on the surviving worker.
    expect(await packetsDuring(sinks[0]!, nearSsrc, 1500)).toBeGreaterThan(20);
    // No pipe of the camera's producers points at the dead router any more.
    expect(room.pipesOf(video.producer)).toBe(0);
    expect(room.pipesOf(audio.producer)).toBe(0);
  });
});
