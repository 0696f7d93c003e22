// Transport, against a real @x/server (real mediasoup worker) reached in
// memory; the client runs on mediasoup-client's FakeHandler.
import type { Room as ServerRoom } from '@x/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidStateError,
  type Room,
  type Transport,
  TransportFailedError,
} from '../src/index.js';
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
let serverRoom: ServerRoom;
let room: Room;
let transport: Transport;
let n = 0;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

beforeEach(async () => {
  const id = `transport-${++n}`;
  serverRoom = await world.room(id);
  room = fakeRoom();
  link(world, room, id);
  await room.join('me');
  transport = room.createTransport('send');
});

const onServer = (t: Transport) => serverRoom.getPeerByName('me')!.getTransportById(t.id);

describe('creation', () => {
  it('starts new, with its id, direction and appData; its server side is made on first use', async () => {
    const t = room.createTransport('recv', { purpose: 'screen' });
    expect(t.connectionState).toBe('new');
    expect(t.direction).toBe('recv');
    expect(t.appData).toEqual({ purpose: 'screen' });
    expect(t.engine).toBeUndefined();
    expect(onServer(transport)).toBeUndefined();
    await room.createProducer(audioTrack()).send(transport);
    expect(transport.engine?.direction).toBe('send');
    expect(onServer(transport)?.id).toBe(transport.id);
    // restartIce() before the server side exists asks nothing.
    await t.restartIce();
    expect(onServer(t)).toBeUndefined();
  });
});

describe('stats', () => {
  it('enabled before first use, stats events come once it exists (webrtc-transport)', async () => {
    transport.enableStats(1000);
    await room.createProducer(audioTrack()).send(transport);
    const [stats] = await next<[{ type: string }[]]>(transport, 'stats', 3000);
    expect(stats[0]?.type).toBe('webrtc-transport');
    transport.disableStats();
  });
});

describe('a transport that cannot connect', () => {
  it('the browser saying it failed: failed on the transport and transportfailed on the room', async () => {
    await room.createProducer(audioTrack()).send(transport);
    const failed = next<[TransportFailedError]>(transport, 'failed');
    const roomFailed = next<[Transport, TransportFailedError]>(room, 'transportfailed');
    // The FakeHandler stands for the browser's RTCPeerConnection here.
    (
      transport.engine!.handler as unknown as { setConnectionState(s: string): void }
    ).setConnectionState('failed');
    const [error] = await failed;
    expect(error).toBeInstanceOf(TransportFailedError);
    expect(error.reason).toBe('failed');
    expect(error.transportId).toBe(transport.id);
    expect(error.message).toMatch(/send transport .* failed to connect/);
    const [which, same] = await roomFailed;
    expect(which).toBe(transport);
    expect(same).toBe(error);
    expect(transport.connectionState).toBe('failed');
  });

  it('not connected within transportConnectTimeout: failed with reason timeout; none once connected', async () => {
    const id = `transport-timeout-${++n}`;
    await world.room(id);
    const slow = fakeRoom({ transportConnectTimeout: 300 });
    link(world, slow, id);
    await slow.join('me');
    const stuck = slow.createTransport('send');
    const started = Date.now();
    const failed = next<[Transport, TransportFailedError]>(slow, 'transportfailed', 3000);
    await slow.createProducer(audioTrack()).send(stuck);
    const [which, error] = await failed;
    expect(which).toBe(stuck);
    expect(error.reason).toBe('timeout');
    expect(error.message).toMatch(/did not connect within 300 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);

    // A transport that connects in time reports nothing.
    const fine = slow.createTransport('send');
    let reports = 0;
    fine.on('failed', () => reports++);
    await slow.createProducer(audioTrack()).send(fine);
    (fine.engine!.handler as unknown as { setConnectionState(s: string): void }).setConnectionState(
      'connected',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(fine.connectionState).toBe('connected');
    expect(reports).toBe(0);
    slow.leave();
  });
});

describe('a path that went quiet', () => {
  const ufrag = (t: Transport) =>
    (onServer(t)!.engine as unknown as { iceParameters: { usernameFragment: string } })
      .iceParameters.usernameFragment;
  const setState = (t: Transport, state: string) =>
    (t.engine!.handler as unknown as { setConnectionState(s: string): void }).setConnectionState(
      state,
    );

  it('disconnected for iceRestartDelay: ICE is restarted (new ICE parameters on the server), without waiting for failed', async () => {
    const id = `transport-quiet-${++n}`;
    const quietRoom = await world.room(id);
    const quiet = fakeRoom({ iceRestartDelay: 300 });
    link(world, quiet, id);
    await quiet.join('me');
    const t = quiet.createTransport('send');
    await quiet.createProducer(audioTrack()).send(t);
    const server = () => quietRoom.getPeerByName('me')!.getTransportById(t.id)!;
    const before = (server().engine as unknown as { iceParameters: { usernameFragment: string } })
      .iceParameters.usernameFragment;
    setState(t, 'connected');
    setState(t, 'disconnected');
    await new Promise((r) => setTimeout(r, 100));
    // Not yet: a blip that heals by itself restarts nothing.
    expect(
      (server().engine as unknown as { iceParameters: { usernameFragment: string } }).iceParameters
        .usernameFragment,
    ).toBe(before);
    await expect
      .poll(
        () =>
          (server().engine as unknown as { iceParameters: { usernameFragment: string } })
            .iceParameters.usernameFragment,
        { timeout: 3000 },
      )
      .not.toBe(before);
    expect(t.connectionState).toBe('disconnected');
    quiet.leave();
  });

  it('disconnected, then connected again before the delay: no ICE restart', async () => {
    await room.createProducer(audioTrack()).send(transport);
    const before = ufrag(transport);
    setState(transport, 'connected');
    setState(transport, 'disconnected');
    setState(transport, 'connected');
    // The default delay (2000 ms) and a margin.
    await new Promise((r) => setTimeout(r, 2500));
    expect(ufrag(transport)).toBe(before);
  });
});

describe('close', () => {
  it('close(appData) tells the server and emits close(local, appData); its state is closed', async () => {
    await room.createProducer(audioTrack()).send(transport);
    const serverClosed = next(onServer(transport)!, 'close');
    const closed = next(transport, 'close');
    transport.close({ done: 1 });
    expect(await closed).toEqual(['local', { done: 1 }]);
    expect(await serverClosed).toEqual(['remote', { done: 1 }]);
    expect(transport.closed).toBe(true);
    expect(transport.connectionState).toBe('closed');
    expect(room.getTransportById(transport.id)).toBeUndefined();
  });

  it('once closed, enableStats(), disableStats() and restartIce() are InvalidStateError', async () => {
    transport.close();
    expect(() => transport.enableStats()).toThrow(InvalidStateError);
    expect(() => transport.disableStats()).toThrow(InvalidStateError);
    await expect(transport.restartIce()).rejects.toThrow(InvalidStateError);
  });

  it('the server closing it: close(remote, appData)', async () => {
    await room.createProducer(audioTrack()).send(transport);
    const closed = next(transport, 'close');
    onServer(transport)!.close();
    expect(await closed).toEqual(['remote', undefined]);
    expect(transport.closed).toBe(true);
  });

  it('every producer it carries becomes unhandled: 12 of them, without a listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const producers = Array.from({ length: 12 }, (_, i) =>
        room.createProducer(i % 2 ? audioTrack() : videoTrack()),
      );
      for (const p of producers) await p.send(transport);
      let unhandled = 0;
      for (const p of producers) p.on('unhandled', () => unhandled++);
      transport.close();
      expect(unhandled).toBe(12);
      expect(producers.every((p) => p.transport === undefined && !p.closed)).toBe(true);
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
