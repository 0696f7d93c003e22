// Consumer: what a subscriber sees of another peer's producer, against a real
// @x/server (real mediasoup worker) reached in memory; both clients run on
// mediasoup-client's FakeHandler.
import type { Consumer as ServerConsumer, Room as ServerRoom } from '@x/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Consumer,
  InvalidStateError,
  type Producer,
  type Room,
  UnsupportedError,
} from '../src/index.js';
import { fakeRoom, link, next, startWorld, videoTrack, type World } from './helpers/world.js';

let world: World;
let serverRoom: ServerRoom;
let pub: Room;
let sub: Room;
let producer: Producer;
let consumer: Consumer;
let n = 0;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

beforeEach(async () => {
  const id = `consumer-${++n}`;
  serverRoom = await world.room(id);
  pub = fakeRoom();
  link(world, pub, id);
  await pub.join('pub');
  sub = fakeRoom();
  link(world, sub, id);
  await sub.join('sub');
  producer = pub.createProducer(videoTrack(), { simulcast: true });
  await producer.send(pub.createTransport('send'));
  await expect.poll(() => sub.getPeerByName('pub')?.consumers.length).toBe(1);
  consumer = sub.getPeerByName('pub')!.consumers[0]!;
});

/** The server's side of the consumer (once received). */
function onServer(): ServerConsumer {
  const c = serverRoom.getPeerByName('sub')!.getConsumerById(consumer.id);
  if (!c) throw new Error(`the server has no consumer ${consumer.id}`);
  return c;
}

describe('before receive()', () => {
  it('has no track and no RTP parameters; prefers the default profile; receives nothing', () => {
    expect(consumer.kind).toBe('video');
    expect(consumer.peer).toBe(sub.getPeerByName('pub'));
    expect(consumer.track).toBeNull();
    expect(consumer.rtpParameters).toBeUndefined();
    expect(consumer.transport).toBeUndefined();
    expect(consumer.preferredProfile).toBe('default');
    expect(consumer.effectiveProfile).toBe('none');
    expect(consumer.simulcast).toBe(true);
    expect(consumer.paused).toBe(false);
  });
});

describe('receive(transport)', () => {
  it('resolves with the track and emits handled; a second receive() rejects', async () => {
    const handled = next(consumer, 'handled');
    const recv = sub.createTransport('recv');
    const track = await consumer.receive(recv);
    await handled;
    expect(consumer.track).toBe(track);
    expect(track.kind).toBe('video');
    expect(consumer.transport).toBe(recv);
    expect(consumer.rtpParameters?.codecs[0]?.mimeType).toMatch(/^video\//);
    await expect(consumer.receive(recv)).rejects.toThrow(InvalidStateError);
    expect(onServer().enabled).toBe(true);
  });

  it('a preferred profile set before reaches the server with it', async () => {
    consumer.setPreferredProfile('low');
    await consumer.receive(sub.createTransport('recv'));
    expect(onServer().preferredProfile).toBe('low');
  });

  it('refuses a send transport and a closed consumer', async () => {
    await expect(consumer.receive(sub.createTransport('send'))).rejects.toThrow(TypeError);
    producer.close();
    await next(consumer, 'close');
    await expect(consumer.receive(sub.createTransport('recv'))).rejects.toThrow(InvalidStateError);
  });
});

describe('pause states: local (this app) and remote (the server or the producer)', () => {
  beforeEach(async () => {
    await consumer.receive(sub.createTransport('recv'));
  });

  it('local pause: the server stops sending; resume() brings it back and returns true', async () => {
    expect(consumer.pause({ a: 1 })).toBe(true);
    expect([consumer.locallyPaused, consumer.remotelyPaused, consumer.paused]).toEqual([
      true,
      false,
      true,
    ]);
    expect(consumer.engine?.paused).toBe(true);
    await expect.poll(() => onServer().remotelyPaused).toBe(true);
    expect(consumer.resume()).toBe(true);
    expect(consumer.paused).toBe(false);
    await expect.poll(() => onServer().remotelyPaused).toBe(false);
  });

  it('remote pause by the server: pause(remote, appData); resume(remote) when it resumes', async () => {
    const paused = next(consumer, 'pause');
    onServer().pause({ by: 'server' });
    expect(await paused).toEqual(['remote', { by: 'server' }]);
    expect([consumer.locallyPaused, consumer.remotelyPaused, consumer.paused]).toEqual([
      false,
      true,
      true,
    ]);
    // Not paused here: resume() changes nothing and says media does not flow.
    expect(consumer.resume()).toBe(false);
    const resumed = next(consumer, 'resume');
    onServer().resume();
    expect(await resumed).toEqual(['remote', undefined]);
    expect(consumer.paused).toBe(false);
  });

  it('remote pause by the producer: its peer pausing is a remote pause here', async () => {
    const paused = next(consumer, 'pause');
    producer.pause({ why: 'mute' });
    expect(await paused).toEqual(['remote', { why: 'mute' }]);
    expect(consumer.remotelyPaused).toBe(true);
    const resumed = next(consumer, 'resume');
    producer.resume();
    await resumed;
    expect(consumer.remotelyPaused).toBe(false);
  });

  it('local and remote: resuming locally leaves it paused until the server resumes too', async () => {
    consumer.pause();
    const paused = next(consumer, 'pause');
    onServer().pause();
    await paused;
    expect([consumer.locallyPaused, consumer.remotelyPaused]).toEqual([true, true]);
    expect(consumer.resume()).toBe(false);
    expect([consumer.locallyPaused, consumer.paused]).toEqual([false, true]);
    const resumed = next(consumer, 'resume');
    onServer().resume();
    await resumed;
    expect(consumer.paused).toBe(false);
  });

  it('remote then local: the producer resuming leaves it paused locally', async () => {
    const paused = next(consumer, 'pause');
    producer.pause();
    await paused;
    expect(consumer.pause()).toBe(true);
    const resumed = next(consumer, 'resume');
    producer.resume();
    expect(await resumed).toEqual(['remote', undefined]);
    expect([consumer.locallyPaused, consumer.remotelyPaused, consumer.paused]).toEqual([
      true,
      false,
      true,
    ]);
    expect(onServer().remotelyPaused).toBe(true);
  });

  it('events: pause/resume (local, appData), once per change', async () => {
    const events: unknown[][] = [];
    consumer.on('pause', (...a) => events.push(['pause', ...a]));
    consumer.on('resume', (...a) => events.push(['resume', ...a]));
    consumer.pause({ n: 1 });
    consumer.pause({ n: 2 });
    consumer.resume({ n: 3 });
    consumer.resume({ n: 4 });
    expect(events).toEqual([
      ['pause', 'local', { n: 1 }],
      ['resume', 'local', { n: 3 }],
    ]);
  });
});

describe('paused before receive()', () => {
  it('is received paused: the server consumer starts paused by its client', async () => {
    expect(consumer.pause()).toBe(true);
    await consumer.receive(sub.createTransport('recv'));
    expect(consumer.engine?.paused).toBe(true);
    expect(onServer().remotelyPaused).toBe(true);
    expect(consumer.resume()).toBe(true);
    await expect.poll(() => onServer().remotelyPaused).toBe(false);
  });

  it('a producer already paused makes it remotely paused on arrival', async () => {
    const paused = next(consumer, 'pause');
    producer.pause();
    await paused;
    const recv = sub.createTransport('recv');
    await consumer.receive(recv);
    expect([consumer.locallyPaused, consumer.remotelyPaused]).toEqual([false, true]);
  });
});

describe('profiles', () => {
  it('setPreferredProfile() after receive reaches the server; a bad profile is a TypeError', async () => {
    await consumer.receive(sub.createTransport('recv'));
    consumer.setPreferredProfile('high');
    expect(consumer.preferredProfile).toBe('high');
    await expect.poll(() => onServer().preferredProfile).toBe('high');
    expect(() => consumer.setPreferredProfile('huge' as never)).toThrow(TypeError);
  });

  it('the server setting it is reflected here', async () => {
    await consumer.receive(sub.createTransport('recv'));
    onServer().setPreferredProfile('medium');
    await expect.poll(() => consumer.preferredProfile).toBe('medium');
  });
});

describe('stats', () => {
  it('enableStats() brings stats events; disableStats() stops them', async () => {
    await consumer.receive(sub.createTransport('recv'));
    consumer.enableStats(1000);
    const [stats] = await next<[unknown[]]>(consumer, 'stats', 3000);
    expect(Array.isArray(stats)).toBe(true);
    consumer.disableStats();
  });
});

describe('unhandled and close', () => {
  it('its transport closing: unhandled, no transport, effective profile none; it stays open', async () => {
    const recv = sub.createTransport('recv');
    await consumer.receive(recv);
    const unhandled = next(consumer, 'unhandled');
    recv.close();
    await unhandled;
    expect(consumer.transport).toBeUndefined();
    expect(consumer.track).toBeNull();
    expect(consumer.closed).toBe(false);
    await expect.poll(() => consumer.effectiveProfile).toBe('none');
    // It can be received again on another transport.
    await consumer.receive(sub.createTransport('recv'));
    expect(consumer.transport?.closed).toBe(false);
  });

  it('its producer closing: close(remote), and it leaves its peer', async () => {
    await consumer.receive(sub.createTransport('recv'));
    const closed = next(consumer, 'close');
    producer.close();
    expect(await closed).toEqual(['remote']);
    expect(consumer.closed).toBe(true);
    expect(sub.getPeerByName('pub')?.consumers).toEqual([]);
    expect(consumer.pause()).toBe(false);
    expect(() => consumer.enableStats()).toThrow(InvalidStateError);
  });

  it('the room leaving: close(local)', async () => {
    const closed = next(consumer, 'close');
    sub.leave();
    expect(await closed).toEqual(['local']);
  });
});

describe('unsupported', () => {
  it('a consumer this device cannot decode rejects receive() with UnsupportedError', async () => {
    const h264 = { 'packetization-mode': 1, 'profile-level-id': '42e01f' };
    const h264Room = await world.server.createRoom({
      id: 'consumer-h264',
      mediaCodecs: [
        { kind: 'audio', name: 'opus', clockRate: 48000, channels: 2 },
        { kind: 'video', name: 'H264', clockRate: 90000, parameters: h264 },
      ],
    });
    const room = fakeRoom();
    link(world, room, 'consumer-h264');
    await room.join('sub');
    // An H264 camera brought in over plain RTP; the FakeHandler device has no H264.
    await h264Room.createRtpIngest({
      peerName: 'ipcam',
      kind: 'video',
      codec: { mimeType: 'video/H264', payloadType: 102, clockRate: 90000, parameters: h264 },
      ssrc: 4444,
    });
    await expect.poll(() => room.getPeerByName('ipcam')?.consumers.length).toBe(1);
    const unsupported = room.getPeerByName('ipcam')!.consumers[0]!;
    expect(unsupported.supported).toBe(false);
    const error = await unsupported.receive(room.createTransport('recv')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as UnsupportedError).data).toBe(unsupported);
  });
});
