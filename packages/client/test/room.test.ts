import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidStateError, RequestError, TimeoutError, UnsupportedError } from '../src/index.js';
import {
  audioTrack,
  fakeRoom,
  link,
  next,
  startWorld,
  videoTrack,
  type World,
} from './helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

describe('Room', () => {
  it('properties before and after join', async () => {
    const room = fakeRoom();
    link(world, room, 'r1');
    expect(room.joined).toBe(false);
    expect(room.closed).toBe(false);
    expect(room.peerName).toBeUndefined();
    expect(() => room.createTransport('send')).toThrow(InvalidStateError);
    expect(() => room.canSend('audio')).toThrow(InvalidStateError);
    await room.join('me');
    expect(room.joined).toBe(true);
    expect(room.peerName).toBe('me');
    expect(room.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(room.canSend('audio')).toBe(true);
    expect(room.canSend('video')).toBe(true);
    await expect(room.join('again')).rejects.toThrow(InvalidStateError);
    const t = room.createTransport('send', { purpose: 'cam' });
    expect(room.getTransportById(t.id)).toBe(t);
    expect(room.transports).toEqual([t]);
    expect(t.appData).toEqual({ purpose: 'cam' });
    expect(() => room.createTransport('sideways' as never)).toThrow(TypeError);
    room.leave();
    expect(room.closed).toBe(true);
    expect(t.closed).toBe(true);
  });

  it('a server error rejects with its code and message: a taken name', async () => {
    const a = fakeRoom();
    link(world, a, 'r2');
    await a.join('same');
    const b = fakeRoom();
    link(world, b, 'r2');
    const error = await b.join('same').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect((error as RequestError).code).toBe('PEER_NAME_TAKEN');
    expect((error as RequestError).message).toContain('"same" is taken');
    // The room can try again with another name.
    await b.join('other');
    expect(b.joined).toBe(true);
  });

  it('requests time out with TimeoutError when nobody answers', async () => {
    const room = fakeRoom({ requestTimeout: 200 });
    room.on('request', () => undefined);
    await expect(room.join('nobody')).rejects.toThrow(TimeoutError);
    expect(room.joined).toBe(false);
  });

  it('roomSettings skips queryRoom; a spy cannot produce', async () => {
    const serverRoom = await world.room('r3');
    const spy = fakeRoom({
      spy: true,
      roomSettings: { rtpCapabilities: serverRoom.rtpCapabilities },
    });
    const methods: string[] = [];
    spy.on('request', (r) => methods.push(r.body ?? ''));
    link(world, spy, 'r3');
    await spy.join('spy');
    expect(methods).toEqual(['join']);
    expect(spy.canSend('video')).toBe(false);
    expect(() => spy.createProducer(videoTrack())).toThrow(InvalidStateError);
    expect(serverRoom.getPeerByName('spy')?.spy).toBe(true);
  });

  it('createProducer refuses an ended track and a kind the room cannot carry', async () => {
    const serverRoom = await world.server.createRoom({
      id: 'audio-only',
      mediaCodecs: [{ kind: 'audio', name: 'opus', clockRate: 48000, channels: 2 }],
    });
    const room = fakeRoom();
    link(world, room, serverRoom.id);
    await room.join('me');
    expect(room.canSend('video')).toBe(false);
    expect(() => room.createProducer(videoTrack())).toThrow(UnsupportedError);
    const ended = audioTrack();
    ended.stop();
    expect(() => room.createProducer(ended)).toThrow(InvalidStateError);
  });

  it('is closed remotely with the reason when the server closes the peer', async () => {
    const serverRoom = await world.room('r4');
    const room = fakeRoom();
    link(world, room, 'r4');
    await room.join('me');
    const closed = next(room, 'close');
    serverRoom.getPeerByName('me')!.close({ kicked: true });
    expect(await closed).toEqual(['remote', { kicked: true }, 'peer_closed']);
    expect(room.closed).toBe(true);
  });

  it('restartIce() gives every created transport new ICE parameters', async () => {
    const room = fakeRoom();
    link(world, room, 'r5');
    await room.join('me');
    const transport = room.createTransport('send');
    await room.createProducer(audioTrack()).send(transport);
    const before = transport.engine!;
    await room.restartIce();
    expect(transport.engine).toBe(before);
    expect(transport.closed).toBe(false);
  });
});

describe('Transport', () => {
  it('close(appData) tells the server; close event; stats while enabled', async () => {
    const serverRoom = await world.room('t1');
    const room = fakeRoom();
    link(world, room, 't1');
    await room.join('me');
    const transport = room.createTransport('send');
    expect(transport.connectionState).toBe('new');
    transport.enableStats(1000);
    await room.createProducer(audioTrack()).send(transport);
    const [stats] = await next<[{ type: string }[]]>(transport, 'stats', 3000);
    expect(stats[0]?.type).toBe('webrtc-transport');
    transport.disableStats();
    const serverTransport = serverRoom.getPeerByName('me')!.getTransportById(transport.id)!;
    const serverClosed = next(serverTransport, 'close');
    const closed = next(transport, 'close');
    transport.close({ done: 1 });
    expect(await closed).toEqual(['local', { done: 1 }]);
    expect(await serverClosed).toEqual(['remote', { done: 1 }]);
    expect(transport.connectionState).toBe('closed');
    expect(() => transport.enableStats()).toThrow(InvalidStateError);
  });
});

describe('Consumer', () => {
  it('receive, pause/resume, preferred profile, effective profile, stats, remote pause, close', async () => {
    const serverRoom = await world.room('c1');
    const pub = fakeRoom();
    link(world, pub, 'c1');
    await pub.join('pub');
    const sub = fakeRoom();
    link(world, sub, 'c1');
    await sub.join('sub');
    const producer = pub.createProducer(videoTrack(), { simulcast: true });
    await producer.send(pub.createTransport('send'));
    await expect.poll(() => sub.getPeerByName('pub')?.consumers.length).toBe(1);
    const consumer = sub.getPeerByName('pub')!.consumers[0]!;
    expect(consumer.track).toBeNull();
    expect(consumer.rtpParameters).toBeUndefined();
    expect(consumer.preferredProfile).toBe('default');
    consumer.setPreferredProfile('low');
    const handled = next(consumer, 'handled');
    const recv = sub.createTransport('recv');
    await consumer.receive(recv);
    await handled;
    await expect(consumer.receive(recv)).rejects.toThrow(InvalidStateError);
    const serverConsumer = serverRoom.getPeerByName('sub')!.getConsumerById(consumer.id)!;
    expect(serverConsumer.preferredProfile).toBe('low');

    expect(consumer.pause({ a: 1 })).toBe(true);
    await expect.poll(() => serverConsumer.remotelyPaused).toBe(true);
    expect(consumer.resume()).toBe(true);
    await expect.poll(() => serverConsumer.remotelyPaused).toBe(false);
    consumer.setPreferredProfile('high');
    await expect.poll(() => serverConsumer.preferredProfile).toBe('high');

    // The server pauses it: a remote pause here.
    const paused = next(consumer, 'pause');
    serverConsumer.pause({ by: 'server' });
    expect(await paused).toEqual(['remote', { by: 'server' }]);
    serverConsumer.resume();
    await next(consumer, 'resume');

    consumer.enableStats(1000);
    const [stats] = await next<[unknown[]]>(consumer, 'stats', 3000);
    expect(Array.isArray(stats)).toBe(true);
    consumer.disableStats();

    // Its transport closes: unhandled, effective profile 'none'.
    const unhandled = next(consumer, 'unhandled');
    recv.close();
    await unhandled;
    expect(consumer.transport).toBeUndefined();
    await expect.poll(() => consumer.effectiveProfile).toBe('none');

    const closed = next(consumer, 'close');
    producer.close();
    expect(await closed).toEqual(['remote']);
  });

  it('an unsupported consumer rejects receive() with UnsupportedError', async () => {
    const h264 = { 'packetization-mode': 1, 'profile-level-id': '42e01f' };
    const serverRoom = await world.server.createRoom({
      id: 'c2',
      mediaCodecs: [
        { kind: 'audio', name: 'opus', clockRate: 48000, channels: 2 },
        { kind: 'video', name: 'H264', clockRate: 90000, parameters: h264 },
      ],
    });
    const sub = fakeRoom();
    link(world, sub, 'c2');
    await sub.join('sub');
    // An H264 camera brought in over plain RTP; the FakeHandler device has no H264.
    await serverRoom.createRtpIngest({
      peerName: 'ipcam',
      kind: 'video',
      codec: { mimeType: 'video/H264', payloadType: 102, clockRate: 90000, parameters: h264 },
      ssrc: 4444,
    });
    await expect.poll(() => sub.getPeerByName('ipcam')?.consumers.length).toBe(1);
    const consumer = sub.getPeerByName('ipcam')!.consumers[0]!;
    expect(consumer.supported).toBe(false);
    const error = await consumer.receive(sub.createTransport('recv')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as UnsupportedError).data).toBe(consumer);
  });
});
