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
