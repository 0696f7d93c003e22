// SignalClient against a real @x/server (real mediasoup worker), reached in
// memory through the protobuf encoding: request ids, timeouts, server errors
// as RequestError, resume, and the server's notifications routed to the
// listener in domain types. The listener and the carrier are the test's
// observation points (they record what crosses them), not stand-ins for
// anything the client has.
import {
  type ClientNotification,
  type ClientRequest,
  jsonFromMessage,
  type pb,
  profile,
  type ServerNotification,
  type ServerResponse,
} from '@x/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidStateError, RequestError, TimeoutError } from '../src/index.js';
import type { SignalCarrier, SignalListener } from '../src/room/Signal.js';
import { RESUME_REQUEST_ID, SignalClient } from '../src/signaling/SignalClient.js';
import { fakeRoom, openLink, type ServerLink, startWorld, type World } from './helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

type Call = [name: keyof SignalListener, ...args: unknown[]];

/** A listener that records every call, and resolves `next(name)` with the next call of that name. */
function recordingListener() {
  const calls: Call[] = [];
  const waiting: { name: string; resolve: (args: unknown[]) => void }[] = [];
  const listener = new Proxy({} as SignalListener, {
    get:
      (_, name: string) =>
      (...args: unknown[]) => {
        calls.push([name as keyof SignalListener, ...args]);
        const i = waiting.findIndex((w) => w.name === name);
        if (i >= 0) waiting.splice(i, 1)[0]!.resolve(args);
      },
  });
  const next = (name: keyof SignalListener, timeoutMs = 5000) =>
    new Promise<unknown[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${name} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiting.push({
        name,
        resolve: (args) => {
          clearTimeout(timer);
          resolve(args);
        },
      });
    });
  return { listener, calls, next };
}

interface Client {
  signal: SignalClient;
  link: ServerLink;
  calls: Call[];
  next: (name: keyof SignalListener, timeoutMs?: number) => Promise<unknown[]>;
  requests: ClientRequest[];
  notifications: ClientNotification[];
  gate: { requests: boolean; notifications: boolean };
}

/** A SignalClient on its own connection to room `roomId`, with everything it sends recorded. */
function client(roomId: string, requestTimeout = 5000): Client {
  const { listener, calls, next } = recordingListener();
  const requests: ClientRequest[] = [];
  const notifications: ClientNotification[] = [];
  const gate = { requests: true, notifications: true };
  let signal: SignalClient | undefined;
  const link = openLink(world, roomId, (n) => signal!.receive(n));
  const carrier: SignalCarrier = {
    canRequest: () => gate.requests,
    canNotify: () => gate.notifications,
    request(request, callback) {
      requests.push(request);
      link.request(request, callback);
      return true;
    },
    notify(notification) {
      notifications.push(notification);
      link.notify(notification);
    },
  };
  signal = new SignalClient({ requestTimeout, carrier, listener });
  return { signal, link, calls, next, requests, notifications, gate };
}

async function joined(roomId: string, peerName: string, appData?: { [k: string]: string }) {
  const c = client(roomId);
  const rtpCapabilities = await c.signal.queryRoom();
  const result = await c.signal.join({ peerName, rtpCapabilities, spy: false, appData, token: '' });
  return { ...c, joined: result, rtpCapabilities };
}

describe('requests', () => {
  it('carry ids counting from 1, one per request, and resolve in domain types', async () => {
    const c = client('sc-ids');
    const caps = await c.signal.queryRoom();
    expect(caps.codecs?.map((codec) => codec.mimeType)).toContain('audio/opus');
    const result = await c.signal.join({
      peerName: 'alice',
      rtpCapabilities: caps,
      spy: false,
      appData: { role: 'host' },
      token: '',
    });
    expect(result.peers).toEqual([]);
    expect(result.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.sessionGraceMs).toBe(3000);
    // Two at once: each answer reaches its own request (the server names the id it could not find).
    const [one, two] = await Promise.allSettled([
      c.signal.startConsumer(101),
      c.signal.startConsumer(202),
    ]);
    expect(one.status === 'rejected' && (one.reason as Error).message).toContain('101');
    expect(two.status === 'rejected' && (two.reason as Error).message).toContain('202');
    expect(c.requests.map((r) => [r.id, r.body])).toEqual([
      [1, 'queryRoom'],
      [2, 'join'],
      [3, 'startConsumer'],
      [4, 'startConsumer'],
    ]);
    // The conversion went into the message: the server saw the peer's appData.
    expect((await world.room('sc-ids')).getPeerByName('alice')?.appData).toEqual({ role: 'host' });
  });

  it('a refusal rejects with RequestError carrying the server code, message and field', async () => {
    await joined('sc-errors', 'taken');
    const c = client('sc-errors');
    const rtpCapabilities = await c.signal.queryRoom();
    const error = await c.signal
      .join({ peerName: 'taken', rtpCapabilities, spy: false, appData: undefined, token: '' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect((error as RequestError).code).toBe('PEER_NAME_TAKEN');
    expect((error as RequestError).message).toContain('"taken" is taken');
    // Before joining, a transport cannot be made: NOT_JOINED.
    const notJoined = await c.signal
      .createTransport({ id: 7, direction: 'send', options: {}, appData: undefined })
      .catch((e: unknown) => e);
    expect(notJoined).toBeInstanceOf(RequestError);
    expect((notJoined as RequestError).code).toBe('NOT_JOINED');
  });

  it('a request nobody answers rejects with TimeoutError after requestTimeout; a late answer is ignored', async () => {
    const { listener } = recordingListener();
    let late: ((r: ServerResponse) => void) | undefined;
    const signal = new SignalClient({
      requestTimeout: 150,
      listener,
      carrier: {
        canRequest: () => true,
        canNotify: () => true,
        request: (_request, callback) => {
          late = callback;
          return true;
        },
        notify: () => undefined,
      },
    });
    const started = Date.now();
    const error = await signal.queryRoom().catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe('no response to queryRoom within 150 ms');
    expect(() => late!({ id: 1, queryRoom: {} } as unknown as ServerResponse)).not.toThrow();
  });

  it('an error the carrier reports rejects the request with it', async () => {
    const { listener } = recordingListener();
    const failure = new Error('socket gone');
    const signal = new SignalClient({
      requestTimeout: 5000,
      listener,
      carrier: {
        canRequest: () => true,
        canNotify: () => true,
        request: (_request, _callback, errback) => {
          errback(failure);
          return true;
        },
        notify: () => undefined,
      },
    });
    await expect(signal.restartIce(1)).rejects.toBe(failure);
  });

  it('once the room is closed, requests reject at once with InvalidStateError and nothing is sent', async () => {
    const c = client('sc-closed');
    c.gate.requests = false;
    const error = await c.signal.queryRoom().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidStateError);
    expect((error as Error).message).toBe('queryRoom: the room is closed');
    expect(c.requests).toEqual([]);
  });
});

describe('notifications', () => {
  it('go out as the protocol messages, and only while the carrier allows', async () => {
    const c = await joined('sc-notify', 'alice');
    c.signal.enableStats('producer', 11, 2000);
    c.signal.disableStats('consumer', 12);
    c.signal.setConsumerPreferredProfile(13, 'low');
    c.signal.pauseConsumer(14, { why: 'hidden' });
    c.gate.notifications = false;
    c.signal.resumeConsumer(14, undefined);
    expect(c.notifications.map((n) => n.body)).toEqual([
      'enableProducerStats',
      'disableConsumerStats',
      'setConsumerPreferredProfile',
      'pauseConsumer',
    ]);
    const [enable, disable, preferred, pause] = c.notifications;
    expect(enable!.enableProducerStats).toMatchObject({ id: 11, intervalMs: 2000 });
    expect(disable!.disableConsumerStats).toMatchObject({ id: 12 });
    expect(preferred!.setConsumerPreferredProfile).toMatchObject({
      id: 13,
      profile: profile.toMessage('low', 'profile'),
    });
    expect(pause!.pauseConsumer?.id).toBe(14);
    expect(jsonFromMessage(pause!.pauseConsumer?.appData)).toEqual({ why: 'hidden' });
  });

  it('the server refusing one reaches the listener as a RequestError with its code', async () => {
    const c = await joined('sc-rejected', 'alice');
    const rejected = c.next('notificationRejected');
    c.signal.pauseProducer(4242, undefined);
    const [error, notification] = await rejected;
    expect(error).toBeInstanceOf(RequestError);
    expect((error as RequestError).code).toBe('NOT_FOUND');
    expect(notification).toBe('pause_producer');
  });
});

describe('server notifications reach the listener in domain types', () => {
  it('newPeer and peerClosed with their appData', async () => {
    const alice = await joined('sc-peers', 'alice');
    const newPeer = alice.next('newPeer');
    const bob = await joined('sc-peers', 'bob', { display: 'Bob' });
    expect(await newPeer).toEqual([
      { name: 'bob', appData: { display: 'Bob' }, consumers: [], dataConsumers: [] },
    ]);
    const peerClosed = alice.next('peerClosed');
    bob.signal.leave({ bye: 'now' });
    expect(await peerClosed).toEqual(['bob', { bye: 'now' }]);
  });

  it('closed, with the reason', async () => {
    const alice = await joined('sc-closed-by-server', 'alice');
    const closed = alice.next('closed');
    (await world.room('sc-closed-by-server')).getPeerByName('alice')!.close({ kicked: true });
    expect(await closed).toEqual([{ kicked: true }, 'peer_closed']);
  });

  it('newConsumer, consumerPaused/Resumed, consumerClosed of a server-side producer', async () => {
    const alice = await joined('sc-consumers', 'alice');
    const serverRoom = await world.room('sc-consumers');
    const newConsumer = alice.next('newConsumer');
    const ingest = await serverRoom.createRtpIngest({
      peerName: 'cam',
      kind: 'video',
      codec: { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 },
      ssrc: 1111,
      appData: { source: 'lobby' },
    });
    const [consumer] = (await newConsumer) as [Record<string, unknown>];
    expect(consumer).toEqual({
      id: expect.any(Number),
      peerName: 'cam',
      kind: 'video',
      paused: false,
      preferredProfile: 'default',
      effectiveProfile: 'none',
      appData: { source: 'lobby' },
      supported: true,
      simulcast: false,
    });
    const paused = alice.next('consumerPaused');
    ingest.producer.pause({ by: 'server' });
    expect(await paused).toEqual([consumer.id, 'cam', { by: 'server' }]);
    const resumed = alice.next('consumerResumed');
    ingest.producer.resume();
    expect(await resumed).toEqual([consumer.id, 'cam', undefined]);
    const closed = alice.next('consumerClosed');
    ingest.close();
    expect(await closed).toEqual([consumer.id, 'cam']);
  });

  it('one it cannot convert, or does not know, is dropped without throwing', () => {
    const c = client('sc-bad');
    const bad = {
      body: 'consumerEffectiveProfileChanged',
      consumerEffectiveProfileChanged: { id: 1, peerName: 'x', profile: 99 },
    } as unknown as ServerNotification;
    expect(() => c.signal.receive(bad)).not.toThrow();
    expect(() => c.signal.receive({} as ServerNotification)).not.toThrow();
    expect(c.calls).toEqual([]);
    // A known one goes through the same path.
    c.signal.receive({
      body: 'producerPaused',
      producerPaused: { id: 5, appData: null },
    } as unknown as ServerNotification);
    expect(c.calls).toEqual([['producerPaused', 5, undefined]]);
  });
});

describe('resume', () => {
  it('on a new connection gives the room as the server has it, with the request id 0', async () => {
    const alice = await joined('sc-resume', 'alice');
    await joined('sc-resume', 'bob');
    alice.link.drop();
    const fresh = openLink(world, 'sc-resume');
    const sent: pb.Request[] = [];
    const state = await alice.signal.resume(alice.joined.sessionId, (request, callback) => {
      sent.push(request);
      fresh.request(request, callback);
    });
    expect(sent.map((r) => [r.id, r.body])).toEqual([[RESUME_REQUEST_ID, 'resumeSession']]);
    expect(state).toEqual({
      peers: [{ name: 'bob', appData: undefined, consumers: [], dataConsumers: [] }],
      producers: [],
      transportIds: [],
      dataProducerIds: [],
      // Fresh TURN credentials: the old ones may be near their end.
      iceServers: [
        {
          urls: ['turn:127.0.0.1:3478'],
          username: expect.stringMatching(/^\d+:/),
          credential: expect.any(String),
        },
      ],
    });
  });

  it('of a session the server does not know rejects with RequestError SESSION_EXPIRED', async () => {
    const c = client('sc-expired');
    const fresh = openLink(world, 'sc-expired');
    const error = await c.signal
      .resume('00000000-0000-0000-0000-000000000000', (r, cb) => fresh.request(r, cb))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect((error as RequestError).code).toBe('SESSION_EXPIRED');
  });

  it('without an answer rejects with TimeoutError', async () => {
    const c = client('sc-resume-timeout');
    const error = await c.signal.resume('whatever', () => undefined, 100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe('no answer to resumeSession within 100 ms');
  });
});

describe('a room and its signal', () => {
  it('each room has its own signal, which it hands to connect() itself (no lookup)', () => {
    const a = fakeRoom();
    const b = fakeRoom();
    expect(a.signal).toBeInstanceOf(SignalClient);
    expect(a.signal).not.toBe(b.signal);
    expect(a.signal).toBe(a.signal);
  });
});
