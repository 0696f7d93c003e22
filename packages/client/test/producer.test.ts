// The Producer of the seed page (004_33dd5b5800092af4.txt), item by item:
// ProducerOptions/SimulcastOptions, every property, method and event. The
// client runs on mediasoup-client's FakeHandler; the server is a real
// @x/server (real mediasoup worker), reached in memory.

import type { Producer as ServerProducer, Room as ServerRoom } from '@x/server';
import type { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SIMULCAST_OPTIONS,
  InvalidStateError,
  type Producer,
  RequestError,
  type Room,
  type Transport,
} from '../src/index.js';
import {
  audioTrack,
  fakeRoom,
  link,
  next,
  startWorld,
  tick,
  videoTrack,
  type World,
} from './helpers/world.js';

let world: World;
let serverRoom: ServerRoom;
let room: Room;
let transport: Transport;
let n = 0;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

beforeEach(async () => {
  const id = `producer-${++n}`;
  serverRoom = await world.room(id);
  room = fakeRoom();
  link(world, room, id);
  await room.join('alice');
  transport = room.createTransport('send');
});

function serverProducer(producer: Producer): ServerProducer {
  const p = serverRoom.getPeerByName('alice')!.getProducerById(producer.id);
  if (!p) throw new Error(`server has no producer ${producer.id}`);
  return p;
}

describe('ProducerOptions and SimulcastOptions', () => {
  it('simulcast: true uses the defaults low 100000, medium 300000, high 1500000 (bps)', async () => {
    expect(DEFAULT_SIMULCAST_OPTIONS).toEqual({ low: 100000, medium: 300000, high: 1500000 });
    const producer = room.createProducer(videoTrack(), { simulcast: true });
    expect(producer.simulcast).toEqual({ low: 100000, medium: 300000, high: 1500000 });
    await producer.send(transport);
    expect(producer.rtpParameters?.encodings?.map((e) => e.maxBitrate)).toEqual([
      100000, 300000, 1500000,
    ]);
    const server = serverProducer(producer);
    expect(server.simulcast).toBe(true);
    expect(server.rtpParameters.encodings?.length).toBe(3);
  });

  it('a SimulcastOptions object overrides the defaults it names', async () => {
    const producer = room.createProducer(videoTrack(), { simulcast: { low: 50000 } });
    expect(producer.simulcast).toEqual({ low: 50000, medium: 300000, high: 1500000 });
    await producer.send(transport);
    expect(producer.rtpParameters?.encodings?.map((e) => e.maxBitrate)).toEqual([
      50000, 300000, 1500000,
    ]);
  });

  it('without simulcast (and for audio) one stream is sent', async () => {
    const video = room.createProducer(videoTrack());
    const audio = room.createProducer(audioTrack(), { simulcast: true });
    expect(video.simulcast).toBeUndefined();
    expect(audio.simulcast).toBeUndefined();
    await video.send(transport);
    await audio.send(transport);
    expect(video.rtpParameters?.encodings?.length).toBe(1);
    expect(serverProducer(audio).simulcast).toBe(false);
  });
});

describe('properties', () => {
  it('id, closed, appData, kind, track, originalTrack, transport, rtpParameters', async () => {
    const track = videoTrack();
    const producer = room.createProducer(track, {}, { source: 'webcam' });
    expect(Number.isInteger(producer.id)).toBe(true);
    expect(producer.id).toBeGreaterThan(0);
    expect(producer.closed).toBe(false);
    expect(producer.appData).toEqual({ source: 'webcam' });
    producer.appData = { source: 'screen' };
    expect(producer.appData).toEqual({ source: 'screen' });
    expect(producer.kind).toBe('video');
    expect(producer.originalTrack).toBe(track);
    expect(producer.track).not.toBe(track);
    expect(producer.track.kind).toBe('video');
    expect(producer.track.id).not.toBe(track.id);
    expect(producer.transport).toBeUndefined();
    expect(producer.rtpParameters).toBeUndefined();
    await producer.send(transport);
    expect(producer.transport).toBe(transport);
    expect(producer.rtpParameters?.codecs[0]?.mimeType).toMatch(/^video\//);
    expect(producer.rtpParameters?.encodings?.[0]?.ssrc).toBeGreaterThan(0);
    // The server got the same id and the app's data.
    expect(serverProducer(producer).id).toBe(producer.id);
    expect(serverProducer(producer).appData).toEqual({ source: 'screen' });
    expect(room.getProducerById(producer.id)).toBe(producer);
  });

  it('locallyPaused starts as !track.enabled, and the server producer starts paused too', async () => {
    const producer = room.createProducer(audioTrack(false));
    expect(producer.locallyPaused).toBe(true);
    expect(producer.remotelyPaused).toBe(false);
    expect(producer.paused).toBe(true);
    await producer.send(transport);
    expect(serverProducer(producer).remotelyPaused).toBe(true);
    expect(producer.engine?.paused).toBe(true);
  });

  it('remotelyPaused and paused follow the server', async () => {
    const producer = room.createProducer(audioTrack());
    await producer.send(transport);
    serverProducer(producer).pause();
    await next(producer, 'pause');
    expect(producer.remotelyPaused).toBe(true);
    expect(producer.locallyPaused).toBe(false);
    expect(producer.paused).toBe(true);
  });
});

describe('methods', () => {
  it('close(appData) closes it here and on the server, stops its track, emits close(local, appData)', async () => {
    const producer = room.createProducer(videoTrack());
    await producer.send(transport);
    const server = serverProducer(producer);
    const serverClose = next<[string, unknown]>(server, 'close');
    const closed = next<[string, unknown]>(producer, 'close');
    producer.close({ why: 'done' });
    expect(await closed).toEqual(['local', { why: 'done' }]);
    expect(producer.closed).toBe(true);
    expect(producer.track.readyState).toBe('ended');
    expect(await serverClose).toEqual(['remote', { why: 'done' }]);
    expect(room.getProducerById(producer.id)).toBeUndefined();
    producer.close(); // a second close does nothing
  });

  it('send(transport) resolves once the server has the producer; refuses a recv transport, a second transport, a closed producer', async () => {
    const producer = room.createProducer(audioTrack());
    const recv = room.createTransport('recv');
    await expect(producer.send(recv)).rejects.toThrow(TypeError);
    const sending = producer.send(transport);
    await expect(producer.send(transport)).rejects.toThrow(InvalidStateError);
    await sending;
    expect(serverRoom.getPeerByName('alice')!.producers.map((p) => p.id)).toContain(producer.id);
    await expect(producer.send(room.createTransport('send'))).rejects.toThrow(/already handled/);
    producer.close();
    await expect(producer.send(transport)).rejects.toThrow(InvalidStateError);
  });

  it('send() rejects with the server error code when the server refuses (producer limit)', async () => {
    const peer = serverRoom.getPeerByName('alice')!;
    (serverRoom.limits as { producersPerPeer: number }).producersPerPeer = 1;
    try {
      await room.createProducer(audioTrack()).send(transport);
      const error = await room
        .createProducer(videoTrack())
        .send(transport)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequestError);
      expect((error as RequestError).code).toBe('LIMIT_EXCEEDED');
      expect(peer.producers.length).toBe(1);
    } finally {
      (serverRoom.limits as { producersPerPeer: number }).producersPerPeer = 16;
    }
  });

  it('pause(appData) / resume(appData): return values, track.enabled, events, the server follows', async () => {
    const producer = room.createProducer(videoTrack());
    await producer.send(transport);
    const server = serverProducer(producer);
    const events: unknown[][] = [];
    producer.on('pause', (...a) => events.push(['pause', ...a]));
    producer.on('resume', (...a) => events.push(['resume', ...a]));
    const serverPaused = next<[string, unknown]>(server, 'pause');
    expect(producer.pause({ muted: true })).toBe(true);
    expect(producer.pause()).toBe(true); // already paused: true, no second event
    expect(producer.track.enabled).toBe(false);
    expect(producer.locallyPaused).toBe(true);
    expect(await serverPaused).toEqual(['remote', { muted: true }]);
    expect(server.remotelyPaused).toBe(true);
    const serverResumed = next<[string, unknown]>(server, 'resume');
    expect(producer.resume({ muted: false })).toBe(true);
    expect(producer.track.enabled).toBe(true);
    expect(await serverResumed).toEqual(['remote', { muted: false }]);
    expect(events).toEqual([
      ['pause', 'local', { muted: true }],
      ['resume', 'local', { muted: false }],
    ]);
    producer.close();
    expect(producer.pause()).toBe(false);
    expect(producer.resume()).toBe(false);
  });

  it('resume() while remotely paused keeps the track disabled and returns false', async () => {
    const producer = room.createProducer(audioTrack());
    await producer.send(transport);
    producer.pause();
    serverProducer(producer).pause();
    await next(producer, 'pause');
    expect(producer.resume()).toBe(false);
    expect(producer.track.enabled).toBe(false);
    serverProducer(producer).resume();
    await next(producer, 'resume');
    expect(producer.track.enabled).toBe(true);
  });

  it('replaceTrack(track) sends a clone of the new track and resolves with it', async () => {
    const producer = room.createProducer(videoTrack());
    await producer.send(transport);
    const oldClone = producer.track;
    const next2 = videoTrack();
    const clone = await producer.replaceTrack(next2);
    expect(clone).toBe(producer.track);
    expect(clone).not.toBe(next2);
    expect(producer.originalTrack).toBe(next2);
    expect(oldClone.readyState).toBe('ended');
    expect(producer.engine?.track).toBe(clone);
    await expect(producer.replaceTrack(audioTrack())).rejects.toThrow(TypeError);
    // Paused producers keep the new track disabled.
    producer.pause();
    const third = await producer.replaceTrack(videoTrack());
    expect(third.enabled).toBe(false);
    producer.close();
    await expect(producer.replaceTrack(videoTrack())).rejects.toThrow(InvalidStateError);
  });

  it('enableStats(interval) brings stats events from the server until disableStats()', async () => {
    const producer = room.createProducer(audioTrack());
    producer.enableStats(1000); // before send: applied once handled
    await producer.send(transport);
    const [stats] = await next<[unknown[]]>(producer, 'stats', 3000);
    expect(Array.isArray(stats)).toBe(true);
    producer.disableStats();
    let more = 0;
    producer.on('stats', () => more++);
    await tick(1500);
    expect(more).toBe(0);
  });
});

describe('events', () => {
  it('close (remote) when the server closes it, with its appData', async () => {
    const producer = room.createProducer(audioTrack());
    await producer.send(transport);
    const closed = next(producer, 'close');
    serverProducer(producer).close({ reason: 'moderated' });
    expect(await closed).toEqual(['remote', { reason: 'moderated' }]);
    expect(producer.closed).toBe(true);
  });

  it('pause / resume (remote) from server notifications, with appData', async () => {
    const producer = room.createProducer(videoTrack());
    await producer.send(transport);
    const paused = next(producer, 'pause');
    serverProducer(producer).pause({ by: 'moderator' });
    expect(await paused).toEqual(['remote', { by: 'moderator' }]);
    expect(producer.track.enabled).toBe(false);
    const resumed = next(producer, 'resume');
    serverProducer(producer).resume();
    expect(await resumed).toEqual(['remote', undefined]);
    expect(producer.paused).toBe(false);
    expect(producer.track.enabled).toBe(true);
  });

  it('trackended when its track stops (device gone); the producer stays open', async () => {
    const producer = room.createProducer(videoTrack());
    await producer.send(transport);
    const ended = next(producer, 'trackended');
    (producer.track as unknown as FakeMediaStreamTrack).remoteStop();
    await ended;
    expect(producer.closed).toBe(false);
  });

  it('handled on send, unhandled when its transport closes; it can be sent again', async () => {
    const producer = room.createProducer(audioTrack());
    const order: string[] = [];
    producer.on('handled', () => order.push('handled'));
    producer.on('unhandled', () => order.push('unhandled'));
    await producer.send(transport);
    transport.close();
    expect(order).toEqual(['handled', 'unhandled']);
    expect(producer.transport).toBeUndefined();
    expect(producer.closed).toBe(false);
    // The server closed its side with the transport.
    await expect.poll(() => serverRoom.getPeerByName('alice')!.producers.length).toBe(0);
    await producer.send(room.createTransport('send'));
    expect(order).toEqual(['handled', 'unhandled', 'handled']);
    expect(serverProducer(producer).id).toBe(producer.id);
  });

  it('leaving the room closes it (local) with its transport, queueing no stopSending that the close would abort', async () => {
    const producer = room.createProducer(videoTrack());
    await producer.send(transport);
    const engine = producer.engine!;
    const handler = transport.engine!.handler;
    // A stopSending queued at leave is cut by the transport's close: mediasoup-client
    // then logs "producer closure failed: AwaitQueueStoppedError" (what every Leave showed).
    let stopSending = 0;
    const original = handler.stopSending.bind(handler);
    handler.stopSending = (localId: string) => {
      stopSending++;
      return original(localId);
    };
    const order: string[] = [];
    producer.on('close', (originator) => order.push(`close ${originator}`));
    producer.on('unhandled', () => order.push('unhandled'));
    room.leave();
    await tick(50);
    expect(order).toEqual(['close local']);
    expect(engine.closed).toBe(true);
    expect(stopSending).toBe(0);
  });

  it('unhandled also when the server closes the transport', async () => {
    const producer = room.createProducer(audioTrack());
    await producer.send(transport);
    const unhandled = next(producer, 'unhandled');
    serverRoom.getPeerByName('alice')!.getTransportById(transport.id)!.close();
    await unhandled;
    expect(transport.closed).toBe(true);
  });
});

describe('seed: "Read only" holds at run time, and Producer "inherits from EventEmitter"', () => {
  const READ_ONLY = [
    'id',
    'closed',
    'kind',
    'track',
    'originalTrack',
    'transport',
    'rtpParameters',
    'locallyPaused',
    'remotelyPaused',
    'paused',
  ] as const;

  it('assigning producer.id (or any read-only property) throws TypeError in strict mode and changes nothing', async () => {
    const producer = room.createProducer(videoTrack());
    await producer.send(transport);
    const id = producer.id;
    expect(() => {
      (producer as unknown as { id: number }).id = 5;
    }).toThrow(TypeError);
    expect(producer.id).toBe(id);
    for (const name of READ_ONLY) {
      const before = producer[name];
      expect(() => {
        (producer as unknown as Record<string, unknown>)[name] = 5;
      }, name).toThrow(TypeError);
      expect(producer[name], name).toBe(before);
    }
    // The server still knows it by the same id.
    expect(serverProducer(producer).id).toBe(id);
  });

  it('in sloppy-mode code `producer.id = 5` is ignored: the id stays', () => {
    const producer = room.createProducer(audioTrack());
    // A Function body is sloppy-mode code unless it says otherwise.
    const assign = new Function('p', 'p.id = 5; p.paused = true; return [p.id, p.paused];');
    expect(assign(producer)).toEqual([producer.id, false]);
  });

  it('appData stays read-write', () => {
    const producer = room.createProducer(audioTrack(), {}, { a: 1 });
    producer.appData = { b: 2 };
    expect(producer.appData).toEqual({ b: 2 });
  });

  it('is an EventEmitter of node:events: setMaxListeners, prependListener, rawListeners, eventNames work', async () => {
    const { EventEmitter } = await import('node:events');
    const producer = room.createProducer(audioTrack());
    expect(producer).toBeInstanceOf(EventEmitter);
    expect(producer.setMaxListeners(42)).toBe(producer);
    expect(producer.getMaxListeners()).toBe(42);
    const order: string[] = [];
    producer.on('pause', () => order.push('on'));
    producer.prependListener('pause', () => order.push('prepended'));
    const once = () => order.push('once');
    producer.once('pause', once);
    expect(producer.rawListeners('pause')).toHaveLength(3);
    expect(producer.listeners('pause')).toContain(once);
    expect(producer.eventNames()).toContain('pause');
    expect(EventEmitter.listenerCount(producer, 'pause')).toBe(3);
    producer.pause();
    expect(order).toEqual(['prepended', 'on', 'once']);
    expect(producer.listenerCount('pause')).toBe(2);
  });
});
