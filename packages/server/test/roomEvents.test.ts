// What clients hear beyond their own objects: the active speaker and audio
// levels (only when subscribed), and the quality (score) of their consumers
// and producers — from real RTP carrying audio levels, as browsers send it.
import { pb } from '@x/protocol';
import {
  type AudioLevelSender,
  audioLevelParameters,
  audioLevelSender,
  rtpSink,
  sleep,
} from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Peer, type Producer, type Room, Server } from '../src/index.js';
import { bodies, heard } from './helpers/domain.js';

let server: Server;
let room: Room;
let speaker: Peer;
let listener: Peer;
let bystander: Peer;
let voice: Producer;
let sender: AudioLevelSender;
let heardByListener: pb.ServerNotification[];
let heardByBystander: pb.ServerNotification[];
let heardBySpeaker: pb.ServerNotification[];
let sink: Awaited<ReturnType<typeof rtpSink>>;

const subscribe = (peer: Peer, body: pb.ClientNotification.$Properties) =>
  peer.receiveNotification(pb.ClientNotification.create(body));

beforeAll(async () => {
  server = await Server.create({
    numWorkers: 1,
    logLevel: 'none',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: 47100,
    rtcMaxPort: 47199,
    clientPlainRtp: { allowedNetworks: ['127.0.0.0/8'] },
  });
  room = await server.createRoom({ closeWhenEmpty: false });
  const caps = room.rtpCapabilities;
  speaker = await room.join({ name: 'speaker', rtpCapabilities: caps });
  listener = await room.join({
    name: 'listener',
    rtpCapabilities: caps,
    permissions: { canUsePlainRtp: true },
  });
  bystander = await room.join({ name: 'bystander', rtpCapabilities: caps });
  heardBySpeaker = heard(speaker);
  heardByListener = heard(listener);
  heardByBystander = heard(bystander);
  const transport = await speaker.createPlainRtpTransport({
    id: 1,
    direction: 'send',
    comedia: true,
  });
  voice = await speaker.produce({
    id: 1,
    transportId: 1,
    kind: 'audio',
    rtpParameters: audioLevelParameters(4444),
  });
  sender = audioLevelSender({
    ip: '127.0.0.1',
    port: transport.localPort,
    ssrc: 4444,
    payloadType: 100,
    extensionId: 10,
    dBov: -15,
  });
  sink = await rtpSink();
  await listener.createPlainRtpTransport({
    id: 1,
    direction: 'recv',
    remote: { ip: '127.0.0.1', port: sink.port },
  });
  const consumer = listener.getConsumerOf(voice)!;
  await listener.enableConsumer(consumer.id, 1);
  listener.startConsumer(consumer.id);
});

afterAll(() => {
  sender?.stop();
  sink?.close();
  server?.close();
});

describe('active speaker (a subscription)', () => {
  it('a subscribed client hears who speaks; others hear nothing', async () => {
    subscribe(listener, { enableActiveSpeaker: {} });
    await expect
      .poll(() => bodies(heardByListener, 'activeSpeaker').map((n) => [n.peerName, n.producerId]), {
        timeout: 8000,
      })
      .toContainEqual(['speaker', 1]);
    expect(bodies(heardByBystander, 'activeSpeaker')).toEqual([]);
  });

  it('a client that subscribes later hears the current speaker at once', async () => {
    subscribe(bystander, { enableActiveSpeaker: {} });
    expect(bodies(heardByBystander, 'activeSpeaker')).toEqual([
      expect.objectContaining({ peerName: 'speaker', producerId: 1 }),
    ]);
    subscribe(bystander, { disableActiveSpeaker: {} });
  });

  // mediasoup's observer keeps a dominant speaker who mutes until another
  // outscores the speech it last had (seconds, or never against a steady
  // level): a paused producer is taken out of it instead.
  it('a speaker who mutes is no longer watched: the one still talking becomes the speaker', async () => {
    const transport = await listener.createPlainRtpTransport({
      id: 2,
      direction: 'send',
      comedia: true,
    });
    const other = await listener.produce({
      id: 2,
      transportId: 2,
      kind: 'audio',
      rtpParameters: audioLevelParameters(5555),
    });
    const otherSender = audioLevelSender({
      ip: '127.0.0.1',
      port: transport.localPort,
      ssrc: 5555,
      payloadType: 100,
      extensionId: 10,
      dBov: -15,
    });
    const speakers = () => bodies(heardByListener, 'activeSpeaker').map((n) => n.peerName);
    try {
      // Both talk; the first speaker keeps the floor.
      await sleep(1500);
      expect(speakers().at(-1)).toBe('speaker');
      voice.pause();
      await expect.poll(() => speakers().at(-1), { timeout: 2000 }).toBe('listener');
      // Unmuted, it is watched again: its peer is the speaker once the other stops.
      voice.resume();
      other.pause();
      await expect.poll(() => speakers().at(-1), { timeout: 2000 }).toBe('speaker');
    } finally {
      otherSender.stop();
      other.close();
      if (voice.paused) voice.resume();
    }
  });
});

describe('audio levels (a subscription)', () => {
  it('a subscriber gets levels at its pace, loudest first, in dBov', async () => {
    subscribe(listener, { enableAudioLevels: { intervalMs: 1000 } });
    await sleep(3200);
    const levels = bodies(heardByListener, 'audioLevels');
    // At most one a second (the observer reports every 500 ms).
    expect(levels.length).toBeGreaterThanOrEqual(2);
    expect(levels.length).toBeLessThanOrEqual(4);
    expect(levels[0]!.levels[0]).toMatchObject({ peerName: 'speaker', producerId: 1 });
    expect(levels[0]!.levels[0]!.level).toBeGreaterThanOrEqual(-20);
    expect(levels[0]!.levels[0]!.level).toBeLessThanOrEqual(-10);
    expect(bodies(heardByBystander, 'audioLevels')).toEqual([]);
  });

  it('silence is told once, with no levels', async () => {
    sender.setLevel(-127);
    await expect
      .poll(() => bodies(heardByListener, 'audioLevels').at(-1)?.levels.length, { timeout: 5000 })
      .toBe(0);
    const count = bodies(heardByListener, 'audioLevels').length;
    await sleep(1500);
    expect(bodies(heardByListener, 'audioLevels').length).toBe(count);
    sender.setLevel(-15);
  });

  it('after unsubscribing, nothing more comes', async () => {
    subscribe(listener, { disableAudioLevels: {} });
    await sleep(600);
    const count = bodies(heardByListener, 'audioLevels').length;
    await sleep(1500);
    expect(bodies(heardByListener, 'audioLevels').length).toBe(count);
  });
});

describe('quality', () => {
  it('a started consumer is given its score at once, not only when it changes', async () => {
    // A peer that joins late, and starts its consumer on a transport of its own.
    const late = await room.join({
      name: 'late',
      rtpCapabilities: room.rtpCapabilities,
      permissions: { canUsePlainRtp: true },
    });
    const heardByLate = heard(late);
    await late.createPlainRtpTransport({
      id: 1,
      direction: 'recv',
      remote: { ip: '127.0.0.1', port: sink.port },
    });
    const consumer = late.getConsumerOf(voice)!;
    await late.enableConsumer(consumer.id, 1);
    expect(bodies(heardByLate, 'consumerScore')).toEqual([]);
    late.startConsumer(consumer.id);
    // Told in the same turn: before the engine measured anything.
    expect(bodies(heardByLate, 'consumerScore')).toEqual([
      expect.objectContaining({ id: consumer.id, peerName: 'speaker' }),
    ]);
    late.close();
  });

  it("the receiver hears its consumer's score; the sender hears its producer's", async () => {
    await expect
      .poll(() => bodies(heardByListener, 'consumerScore').at(-1), { timeout: 8000 })
      .toMatchObject({ peerName: 'speaker', score: expect.any(Number) });
    const last = bodies(heardByListener, 'consumerScore').at(-1)!;
    expect(last.producerScore).toBeGreaterThan(0);
    await expect
      .poll(() => bodies(heardBySpeaker, 'producerScore').at(-1)?.scores, { timeout: 8000 })
      .toEqual([expect.any(Number)]);
    expect(bodies(heardBySpeaker, 'producerScore').at(-1)!.id).toBe(1);
    expect(bodies(heardByBystander, 'consumerScore')).toEqual([]);
  });
});
