// A signaling path that dies silently (no FIN, no RST: a network change, a
// NAT that forgot the binding) is noticed by the client's pings within the
// server's announced timeout, and the session resumes on a new connection;
// the reconnect policy is the app's to replace.
import { roomFromUrl, Server, WebSocketEndpoint } from '@x/server';
import { type TcpProxy, tcpProxy } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  connect,
  DefaultReconnectPolicy,
  type ReconnectContext,
  type ReconnectPolicy,
} from '../src/index.js';
import { audioTrack, fakeRoom, next } from './helpers/world.js';

let server: Server;
let endpoint: WebSocketEndpoint;
let proxy: TcpProxy;
const PING = { intervalMs: 300, timeoutMs: 1000 };

beforeAll(async () => {
  server = await Server.create({
    numWorkers: 1,
    logLevel: 'warn',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: 47000,
    rtcMaxPort: 47499,
  });
  endpoint = await WebSocketEndpoint.listen({
    server,
    auth: 'none',
    host: '127.0.0.1',
    selectRoom: roomFromUrl(server, { closeWhenEmpty: false }),
    ping: PING,
  });
  proxy = await tcpProxy({ host: '127.0.0.1', port: endpoint.port });
});
afterAll(async () => {
  await proxy.close();
  await endpoint.close();
  server.close();
});

const viaProxy = (room: string) => `ws://127.0.0.1:${proxy.port}/?roomId=${room}`;

/**
 * An endpoint whose pings are too rare to notice a dead path in time (10 s,
 * 30 s), behind a hop the test can silence: only a probe notices it soon.
 */
async function slowEndpointBehindHop(): Promise<{ slow: WebSocketEndpoint; hop: TcpProxy }> {
  const slow = await WebSocketEndpoint.listen({
    server,
    auth: 'none',
    host: '127.0.0.1',
    selectRoom: roomFromUrl(server, { closeWhenEmpty: false }),
    ping: { intervalMs: 10_000, timeoutMs: 30_000 },
  });
  return { slow, hop: await tcpProxy({ host: '127.0.0.1', port: slow.port }) };
}

describe('liveness', () => {
  it('pings at the interval the server announces and measures the round trip', async () => {
    const room = fakeRoom();
    const connection = await connect(room, viaProxy('rtt'), { WebSocket: WebSocket as never });
    expect(connection.rtt).toBeUndefined();
    await room.join('alice');
    await expect.poll(() => connection.rtt, { timeout: 3000 }).toBeGreaterThanOrEqual(0);
    expect(connection.rtt!).toBeLessThan(1000);
    room.leave();
  });

  it('a path that went silent is noticed within the ping timeout, and the same session resumes on a new connection', async () => {
    const room = fakeRoom();
    const reasons: string[] = [];
    const defaults = new DefaultReconnectPolicy([0, 200, 200]);
    const connection = await connect(room, viaProxy('silent'), {
      WebSocket: WebSocket as never,
      reconnectPolicy: {
        nextRetryDelayInMs: (context) => {
          reasons.push(context.reason);
          return defaults.nextRetryDelayInMs(context);
        },
      },
    });
    await room.join('bob');
    const mic = room.createProducer(audioTrack());
    await mic.send(room.createTransport('send'));
    const serverPeer = server.getRoom('silent')!.getPeerByName('bob')!;
    await expect.poll(() => connection.rtt, { timeout: 3000 }).toBeDefined();

    const reconnecting = next<[number]>(connection, 'reconnecting', 5000);
    const reconnected = next<['resume' | 'rejoin']>(connection, 'reconnected', 8000);
    const before = proxy.connections;
    const cutAt = Date.now();
    proxy.blackhole();
    await reconnecting;
    const noticedAfter = Date.now() - cutAt;
    // Within timeout + one interval (+ a tick), far from TCP's minutes.
    expect(noticedAfter).toBeGreaterThanOrEqual(PING.timeoutMs - 50);
    expect(noticedAfter).toBeLessThan(PING.timeoutMs + PING.intervalMs + 1500);
    expect(await reconnected).toEqual(['resume']);
    expect(reasons).toEqual(['ping-timeout']);
    expect(proxy.connections).toBe(before + 1);
    // The same peer on the server, its producer untouched.
    expect(server.getRoom('silent')!.getPeerByName('bob')).toBe(serverPeer);
    expect(serverPeer.getProducerById(mic.id)?.closed).toBe(false);
    room.leave();
  });

  it('a transport that goes disconnected probes the connection: a dead path is noticed in about 2 s, not the full ping timeout', async () => {
    const { slow, hop } = await slowEndpointBehindHop();
    try {
      const room = fakeRoom();
      const connection = await connect(room, `ws://127.0.0.1:${hop.port}/?roomId=probe`, {
        WebSocket: WebSocket as never,
        reconnectDelays: [0, 200, 200],
      });
      await room.join('erin');
      const send = room.createTransport('send');
      await room.createProducer(audioTrack()).send(send);
      const handler = send.engine!.handler as unknown as { setConnectionState(s: string): void };
      handler.setConnectionState('connected');
      const reconnecting = next<[number]>(connection, 'reconnecting', 6000);
      const cutAt = Date.now();
      hop.blackhole();
      // The media path notices first (the browser's ICE consent checks).
      handler.setConnectionState('disconnected');
      await reconnecting;
      const noticedAfter = Date.now() - cutAt;
      expect(noticedAfter).toBeGreaterThanOrEqual(1900);
      expect(noticedAfter).toBeLessThan(4000);
      expect(await next<['resume' | 'rejoin']>(connection, 'reconnected', 8000)).toEqual([
        'resume',
      ]);
      room.leave();
    } finally {
      await hop.close();
      await slow.close();
    }
  });

  it('the browser says the network changed (online, connection change): the connection is probed at once, and a dead path is noticed in about 2 s', async () => {
    const { slow, hop } = await slowEndpointBehindHop();
    // What a browser has and Node has not: the window's events and
    // navigator.connection's.
    const scope = globalThis as unknown as Record<string, unknown>;
    const windowEvents = new EventTarget();
    const connectionEvents = new EventTarget();
    const navigatorBefore = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    scope.addEventListener = windowEvents.addEventListener.bind(windowEvents);
    scope.removeEventListener = windowEvents.removeEventListener.bind(windowEvents);
    Object.defineProperty(globalThis, 'navigator', {
      value: { connection: connectionEvents },
      configurable: true,
    });
    try {
      for (const [source, type] of [
        [windowEvents, 'online'],
        [connectionEvents, 'change'],
      ] as const) {
        const room = fakeRoom();
        const connection = await connect(room, `ws://127.0.0.1:${hop.port}/?roomId=online`, {
          WebSocket: WebSocket as never,
          reconnectDelays: [0, 200, 200],
        });
        await room.join(`frank-${type}`);
        await room.createProducer(audioTrack()).send(room.createTransport('send'));
        // A change that left the path alive: the server answers, nothing happens.
        source.dispatchEvent(new Event(type));
        await new Promise((r) => setTimeout(r, 2500));
        expect(connection.state).toBe('open');
        expect(connection.rtt).toBeDefined();

        const reconnecting = next<[number]>(connection, 'reconnecting', 6000);
        const cutAt = Date.now();
        hop.blackhole();
        // The browser fires the event within milliseconds of the change; the
        // transports here never go disconnected.
        source.dispatchEvent(new Event(type));
        await reconnecting;
        const noticedAfter = Date.now() - cutAt;
        expect(noticedAfter).toBeGreaterThanOrEqual(1900);
        expect(noticedAfter).toBeLessThan(4000);
        expect(await next<['resume' | 'rejoin']>(connection, 'reconnected', 8000)).toEqual([
          'resume',
        ]);
        room.leave();
        connection.close();
      }
    } finally {
      delete scope.addEventListener;
      delete scope.removeEventListener;
      if (navigatorBefore) Object.defineProperty(globalThis, 'navigator', navigatorBefore);
      else delete scope.navigator;
      await hop.close();
      await slow.close();
    }
  });

  it('a server without pings (ping: false) announces none, and the client sends none', async () => {
    const quiet = await WebSocketEndpoint.listen({
      server,
      auth: 'none',
      host: '127.0.0.1',
      selectRoom: roomFromUrl(server, { closeWhenEmpty: false }),
      ping: false,
    });
    const room = fakeRoom();
    const connection = await connect(room, `ws://127.0.0.1:${quiet.port}/?roomId=quiet`, {
      WebSocket: WebSocket as never,
    });
    await room.join('carol');
    await new Promise((r) => setTimeout(r, 800));
    expect(connection.rtt).toBeUndefined();
    expect(connection.state).toBe('open');
    room.leave();
    await quiet.close();
  });

  it('refuses ping settings that cannot work, naming them', async () => {
    await expect(
      WebSocketEndpoint.listen({
        server,
        auth: 'none',
        selectRoom: roomFromUrl(server),
        ping: { intervalMs: 2000, timeoutMs: 1000 },
      }),
    ).rejects.toThrow(/ping\.timeoutMs/);
  });

  it('asks the app’s reconnect policy when to try, with the attempt, the time since the loss and why; null gives up', async () => {
    const own = await WebSocketEndpoint.listen({
      server,
      auth: 'none',
      host: '127.0.0.1',
      selectRoom: roomFromUrl(server, { closeWhenEmpty: false }),
    });
    const asked: ReconnectContext[] = [];
    const policy: ReconnectPolicy = {
      nextRetryDelayInMs(context) {
        asked.push(context);
        return context.retryCount < 2 ? 100 : null;
      },
    };
    const room = fakeRoom();
    const connection = await connect(room, `ws://127.0.0.1:${own.port}/?roomId=policy`, {
      WebSocket: WebSocket as never,
      reconnectPolicy: policy,
    });
    await room.join('dave');
    const failed = next<[Error]>(connection, 'failed', 10_000);
    // The endpoint goes away (1001, not final): every attempt is refused.
    await own.close();
    const [error] = await failed;
    expect(error.message).toMatch(/after 2 attempts/);
    expect(asked.map((c) => c.retryCount)).toEqual([0, 1, 2]);
    expect(asked.every((c) => c.reason === 'closed')).toBe(true);
    expect(asked[2]!.elapsedMs).toBeGreaterThanOrEqual(200);
    expect(room.closed).toBe(true);
  });

  it('DefaultReconnectPolicy keeps each wait within its jitter and gives up after the last', () => {
    const policy = new DefaultReconnectPolicy([1000, 2000], 0.5);
    const at = (retryCount: number) =>
      policy.nextRetryDelayInMs({ retryCount, elapsedMs: 0, reason: 'closed' });
    for (let i = 0; i < 50; i++) {
      expect(at(0)).toBeGreaterThanOrEqual(500);
      expect(at(0)).toBeLessThanOrEqual(1500);
      expect(at(1)).toBeGreaterThanOrEqual(1000);
      expect(at(1)).toBeLessThanOrEqual(3000);
    }
    expect(at(2)).toBeNull();
    expect(() => new DefaultReconnectPolicy([-1])).toThrow(TypeError);
  });
});
