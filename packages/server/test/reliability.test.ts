// Faults and hostile clients: a worker killed mid-call, access tokens, limits,
// rate limits, an incompatible protocol version. Real workers, real sockets.
import { createSocket } from 'node:dgram';
import { PROTOCOL_VERSION, pb, rtpCapabilitiesToMessage } from '@x/protocol';
import { ProtocolClient } from '@x/testkit';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAccessToken, type Room } from '../src/index.js';
import {
  audioParameters,
  message,
  startServer,
  type TestServer,
  videoParameters,
} from './helpers/fixtures.js';

const SEND = pb.TransportDirection.TRANSPORT_DIRECTION_SEND;
const RECV = pb.TransportDirection.TRANSPORT_DIRECTION_RECV;
const AUDIO = pb.MediaKind.MEDIA_KIND_AUDIO;

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => {
      socket.close();
      resolve(true);
    });
  });
}

describe('worker death', () => {
  let t: TestServer;
  afterEach(() => t?.close());

  it('closes the peers that lived on it, with a reason; the room goes on, on a replacement worker', async () => {
    t = await startServer({ rtcMinPort: 45100, rtcMaxPort: 45399 });
    const room = await t.server.createRoom({ id: 'doomed' });
    const a = await ProtocolClient.connect(t.url('doomed'));
    await a.join('a', room.rtpCapabilities);
    const created = await a.ok({ createTransport: { id: 1, direction: SEND } }, 'createTransport');
    await a.ok(
      {
        createProducer: {
          id: 1,
          kind: AUDIO,
          transportId: 1,
          rtpParameters: message(audioParameters()),
        },
      },
      'createProducer',
    );
    const b = await ProtocolClient.connect(t.url('doomed'));
    await b.join('b', room.rtpCapabilities);
    const port = created.iceCandidates[0]!.port;
    expect(await portIsFree(port)).toBe(false);

    const [worker] = t.server.workers;
    const died = new Promise<[Error, Room[]]>((resolve) =>
      t.server.once('workerdied', (error, rooms) => resolve([error, rooms])),
    );
    process.kill(worker!.pid, 'SIGKILL');
    const [error, rooms] = await died;
    expect(error.message).toContain('SIGKILL');
    expect(rooms.map((r) => r.id)).toEqual(['doomed']);

    for (const client of [a, b]) {
      const closed = await client.waitFor('closed');
      expect(closed.reason).toBe(pb.CloseReason.CLOSE_REASON_WORKER_DIED);
      expect(closed.message).toContain('join again');
      expect((await client.closed).code).toBe(4000);
    }
    // The room itself goes on (it lost its only router with the worker).
    expect(room.closed).toBe(false);
    expect(room.peers).toEqual([]);
    expect(room.routers).toEqual([]);
    expect(t.server.getRoom('doomed')).toBe(room);
    expect(t.endpoint.signaling.sessions).toEqual([]);
    // The port the dead worker held is free again.
    expect(await portIsFree(port)).toBe(true);

    // A replacement worker takes the slot; the room gets a router on it for its next peer.
    await expect.poll(() => t.server.workers[0]?.pid ?? 0).not.toBe(0);
    expect(t.server.workers[0]!.pid).not.toBe(worker!.pid);
    const c = await ProtocolClient.connect(t.url('doomed'));
    await c.join('c', room.rtpCapabilities);
    await c.ok({ createTransport: { id: 1, direction: SEND } }, 'createTransport');
    expect(room.routers).toHaveLength(1);
    expect(room.router.closed).toBe(false);
    c.close();
    expect(unhandled).toEqual([]);
  });
});

describe('access tokens', () => {
  const secret = 'a-test-secret-that-is-long-enough-for-hs256';
  let t: TestServer;
  let room: Room;
  beforeAll(async () => {
    t = await startServer({ rtcMinPort: 45400, rtcMaxPort: 45599 }, { auth: { secret } });
    room = await t.server.createRoom({ id: 'auth' });
  });
  afterAll(() => t.close());

  async function joinWith(token: string, peerName = 'p') {
    const client = await ProtocolClient.connect(t.url('auth'));
    const response = await client.request({
      join: {
        protocolVersion: PROTOCOL_VERSION,
        peerName,
        rtpCapabilities: rtpCapabilitiesToMessage(room.rtpCapabilities),
        token,
      },
    });
    return { client, response };
  }
  const code = (r: pb.Response) =>
    r.error ? pb.ErrorCode[r.error.code].replace('ERROR_CODE_', '') : 'OK';

  it('refuses a join without a token, with an expired one, for another room, another peer, or a bad signature', async () => {
    const cases: [string, string, string, RegExp][] = [
      ['', 'p', 'UNAUTHENTICATED', /requires an access token/],
      [
        await new SignJWT({ room: 'auth', peer: 'p' })
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
          .sign(new TextEncoder().encode(secret)),
        'p',
        'UNAUTHENTICATED',
        /expired/,
      ],
      [
        await createAccessToken({ secret, room: 'other', peer: 'p' }),
        'p',
        'FORBIDDEN',
        /for room "other"/,
      ],
      [
        await createAccessToken({ secret, room: 'auth', peer: 'q' }),
        'p',
        'FORBIDDEN',
        /for peer "q"/,
      ],
      [
        await createAccessToken({ secret: `${secret}-not`, room: 'auth', peer: 'p' }),
        'p',
        'UNAUTHENTICATED',
        /signature/,
      ],
      ['not.a.jwt', 'p', 'UNAUTHENTICATED', /invalid/],
    ];
    for (const [token, peer, expected, text] of cases) {
      const { client, response } = await joinWith(token, peer);
      expect(code(response), `${expected} for ${token.slice(0, 12)}`).toBe(expected);
      expect(response.error?.message).toMatch(text);
      client.close();
    }
    expect(room.peers).toEqual([]);
  });

  it('a subscribe-only token joins and receives but cannot produce; a publish-only one gets no consumers', async () => {
    const { client: viewer, response } = await joinWith(
      await createAccessToken({ secret, room: 'auth', peer: 'viewer', canPublish: false }),
      'viewer',
    );
    expect(code(response)).toBe('OK');
    expect((await viewer.error({ createTransport: { id: 1, direction: SEND } })).code).toBe(
      'FORBIDDEN',
    );
    expect(
      (
        await viewer.error({
          createProducer: {
            id: 1,
            kind: AUDIO,
            transportId: 1,
            rtpParameters: message(audioParameters()),
          },
        })
      ).code,
    ).toBe('FORBIDDEN');
    await viewer.ok({ createTransport: { id: 2, direction: RECV } }, 'createTransport');

    const { client: speaker } = await joinWith(
      await createAccessToken({ secret, room: 'auth', peer: 'speaker', canSubscribe: false }),
      'speaker',
    );
    await speaker.ok({ createTransport: { id: 1, direction: SEND } }, 'createTransport');
    await speaker.ok(
      {
        createProducer: {
          id: 1,
          kind: AUDIO,
          transportId: 1,
          rtpParameters: message(audioParameters()),
        },
      },
      'createProducer',
    );
    expect((await speaker.error({ createTransport: { id: 2, direction: RECV } })).code).toBe(
      'FORBIDDEN',
    );
    // The viewer receives the speaker; the speaker receives nothing.
    expect((await viewer.waitFor('newConsumer')).consumer?.peerName).toBe('speaker');
    expect(room.getPeerByName('speaker')!.consumers).toEqual([]);
    viewer.close();
    speaker.close();
  });
});

describe('limits and rate limits', () => {
  let t: TestServer;
  let room: Room;
  beforeAll(async () => {
    t = await startServer(
      {
        rtcMinPort: 45600,
        rtcMaxPort: 45799,
        limits: {
          peersPerRoom: 2,
          transportsPerPeer: 2,
          producersPerPeer: 2,
          maxFrameSize: 4096,
          messagesPerSecond: 20,
          // The rate is under test here, not the queue: 100 requests arrive at once.
          maxPendingMessages: 200,
        },
      },
      {},
    );
    room = await t.server.createRoom({ id: 'limits' });
  });
  afterAll(() => t.close());

  it('peers per room, transports and producers per peer: LIMIT_EXCEEDED, and the peer goes on', async () => {
    const a = await ProtocolClient.connect(t.url('limits'));
    await a.join('a', room.rtpCapabilities);
    const b = await ProtocolClient.connect(t.url('limits'));
    await b.join('b', room.rtpCapabilities);
    const c = await ProtocolClient.connect(t.url('limits'));
    const full = await c.error({
      join: {
        protocolVersion: PROTOCOL_VERSION,
        peerName: 'c',
        rtpCapabilities: rtpCapabilitiesToMessage(room.rtpCapabilities),
      },
    });
    expect(full.code).toBe('LIMIT_EXCEEDED');
    expect(full.message).toContain('peersPerRoom');

    await a.ok({ createTransport: { id: 1, direction: SEND } }, 'createTransport');
    await a.ok({ createTransport: { id: 2, direction: RECV } }, 'createTransport');
    expect((await a.error({ createTransport: { id: 3, direction: RECV } })).message).toContain(
      'transportsPerPeer',
    );
    await a.ok(
      {
        createProducer: {
          id: 1,
          kind: AUDIO,
          transportId: 1,
          rtpParameters: message(audioParameters(1)),
        },
      },
      'createProducer',
    );
    await a.ok(
      {
        createProducer: {
          id: 2,
          kind: pb.MediaKind.MEDIA_KIND_VIDEO,
          transportId: 1,
          rtpParameters: message(videoParameters(false, 100)),
        },
      },
      'createProducer',
    );
    const third = await a.error({
      createProducer: {
        id: 3,
        kind: AUDIO,
        transportId: 1,
        rtpParameters: message(audioParameters(5)),
      },
    });
    expect(third.code).toBe('LIMIT_EXCEEDED');
    // Still a working peer: b got its consumers.
    await expect.poll(() => b.received('newConsumer').length).toBe(2);
    for (const client of [a, b, c]) client.leave();
  });

  it('a joined client: a frame above maxFrameSize is answered LIMIT_EXCEEDED; one above twice that closes the socket (1009)', async () => {
    const client = await ProtocolClient.connect(t.url('limits'));
    await client.join('framer', room.rtpCapabilities);
    client.sendRaw(new Uint8Array(5000));
    const rejected = await client.waitFor('notificationRejected');
    expect(rejected.error?.code).toBe(pb.ErrorCode.ERROR_CODE_LIMIT_EXCEEDED);
    expect(rejected.error?.message).toContain('FRAME_TOO_LARGE');
    client.sendRaw(new Uint8Array(4096 * 2 + 1));
    expect((await client.closed).code).toBe(1009);
  });

  it('more than messagesPerSecond (burst 2x) gets RATE_LIMITED answers; the pace recovers', async () => {
    const client = await ProtocolClient.connect(t.url('limits'));
    await client.join('rater', room.rtpCapabilities);
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => client.request({ queryRoom: {} })),
    );
    const limited = responses.filter(
      (r) => r.error?.code === pb.ErrorCode.ERROR_CODE_RATE_LIMITED,
    ).length;
    const ok = responses.filter((r) => r.queryRoom).length;
    expect(ok + limited).toBe(100);
    // A burst of 40 (twice the rate), less the join's token, plus what refills meanwhile.
    expect(ok).toBeGreaterThanOrEqual(39);
    expect(ok).toBeLessThan(60);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await client.request({ queryRoom: {} })).queryRoom).toBeTruthy();
    client.leave();
  });

  it('more than maxPendingMessages waiting for the worker: RATE_LIMITED, the rest answered', async () => {
    const t2 = await startServer({
      rtcMinPort: 45900,
      rtcMaxPort: 45999,
      limits: { maxPendingMessages: 4, messagesPerSecond: 1000 },
    });
    try {
      const r2 = await t2.server.createRoom({ id: 'pending' });
      const client = await ProtocolClient.connect(t2.url('pending'));
      await client.join('queuer', r2.rtpCapabilities);
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          client.request({ createTransport: { id: i + 1, direction: SEND } }),
        ),
      );
      const refused = answers.filter((a) => a.error?.code === pb.ErrorCode.ERROR_CODE_RATE_LIMITED);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]!.error!.message).toMatch(/4 messages are still being handled/);
      expect(answers.filter((a) => a.createTransport).length).toBeGreaterThanOrEqual(4);
      client.leave();
    } finally {
      await t2.close();
    }
  });
});

describe('protocol version', () => {
  it('an incompatible client is refused at join and at resume with a clear error', async () => {
    const t = await startServer({ rtcMinPort: 45800, rtcMaxPort: 45899 });
    try {
      const room = await t.server.createRoom({ id: 'v' });
      const client = await ProtocolClient.connect(t.url('v'));
      const old = await client.error({
        join: {
          protocolVersion: 0,
          peerName: 'old',
          rtpCapabilities: rtpCapabilitiesToMessage(room.rtpCapabilities),
        },
      });
      expect(old).toMatchObject({
        code: 'INCOMPATIBLE_PROTOCOL_VERSION',
        field: 'protocolVersion',
      });
      expect(old.message).toContain('update the client');
      const future = await client.error({
        resumeSession: { protocolVersion: PROTOCOL_VERSION + 1, sessionId: 'x' },
      });
      expect(future.code).toBe('INCOMPATIBLE_PROTOCOL_VERSION');
      expect(room.peers).toEqual([]);
      client.close();
    } finally {
      await t.close();
    }
  });
});
