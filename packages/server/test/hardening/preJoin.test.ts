// A connection that has not joined: a deadline, a narrow door (queryRoom,
// join, resume) and small frames, fragmented ones included.
import { encodeClientMessage, pb, rtpCapabilitiesToMessage } from '@x/protocol';
import { ProtocolClient } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_CODES, createAccessToken } from '../../src/index.js';
import { startServer, type TestServer } from '../helpers/fixtures.js';

const secret = 'pre-join-test-secret-of-32-bytes!!!';
let t: TestServer;

beforeAll(async () => {
  t = await startServer(
    {
      rtcMinPort: 46100,
      rtcMaxPort: 46199,
      limits: { joinTimeoutMs: 400, preJoinMaxFrameSize: 8 * 1024, maxFrameSize: 64 * 1024 },
    },
    { auth: { secret } },
  );
  await t.server.createRoom({ id: 'door', closeWhenEmpty: false });
});
afterAll(() => t.close());

const token = (peer: string, room = 'door') => createAccessToken({ secret, room, peer });

function raw(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

describe('a connection that does not join', () => {
  it('is closed at the deadline with a reason', async () => {
    const socket = await raw(t.url('door'));
    const started = Date.now();
    const closed = await closeOf(socket);
    expect(closed.code).toBe(CLOSE_CODES.joinTimeout);
    expect(closed.reason).toMatch(/no join or resume within 400 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
    await expect.poll(() => t.endpoint.connectionCount).toBe(0);
  });

  it('a connection that joins in time is not cut', async () => {
    const c = await ProtocolClient.connect(t.url('door'));
    await c.join('in-time', t.server.getRoom('door')!.rtpCapabilities, {
      token: await token('in-time'),
    });
    await new Promise((r) => setTimeout(r, 700));
    expect(c.socket.readyState).toBe(WebSocket.OPEN);
    c.leave();
  });
});

describe('before join', () => {
  it('only queryRoom, join and resumeSession are taken: anything else is NOT_JOINED', async () => {
    const c = await ProtocolClient.connect(t.url('door'));
    expect((await c.error({ createTransport: { id: 1 } })).code).toBe('NOT_JOINED');
    c.notify({ leave: {} });
    expect((await c.waitFor('notificationRejected')).error?.code).toBe(
      pb.ErrorCode.ERROR_CODE_NOT_JOINED,
    );
    c.close();
  });

  it('a stranger who keeps knocking on the wrong door is cut after a few tries', async () => {
    const c = await ProtocolClient.connect(t.url('door'));
    for (let i = 0; i < 5; i++) c.notify({ pauseProducer: { id: i } });
    expect((await c.closed).code).toBe(CLOSE_CODES.protocolViolation);
  });

  it('queryRoom needs a token when the server requires one, for the right room', async () => {
    const c = await ProtocolClient.connect(t.url('door'));
    expect(await c.error({ queryRoom: {} })).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await c.error({ queryRoom: { token: await token('x', 'elsewhere') } })).code).toBe(
      'FORBIDDEN',
    );
    const ok = await c.ok({ queryRoom: { token: await token('x') } }, 'queryRoom');
    expect(ok.rtpCapabilities?.codecs.length).toBeGreaterThan(0);
    c.close();
  });

  it('a frame above the pre-join limit closes the connection (1009); the same size is fine once joined', async () => {
    const stranger = await raw(t.url('door'));
    const closed = closeOf(stranger);
    stranger.send(Buffer.alloc(9 * 1024, 1));
    expect((await closed).code).toBe(1009);

    const joined = await ProtocolClient.connect(t.url('door'));
    await joined.join('big-later', t.server.getRoom('door')!.rtpCapabilities, {
      token: await token('big-later'),
    });
    // 20 KiB of appData: a LIMIT_EXCEEDED answer (appData cap), not a cut connection.
    const answer = await joined.request({
      createTransport: {
        id: 1,
        direction: pb.TransportDirection.TRANSPORT_DIRECTION_SEND,
        appData: { stringValue: 'x'.repeat(20 * 1024) },
      },
    });
    expect(answer.error?.code).toBe(pb.ErrorCode.ERROR_CODE_LIMIT_EXCEEDED);
    expect(answer.error?.field).toBe('appData');
    expect(joined.socket.readyState).toBe(WebSocket.OPEN);
    joined.leave();
  });

  it('an unfinished fragmented message counts against the limit before it is complete', async () => {
    const socket = await raw(t.url('door'));
    const closed = closeOf(socket);
    // Fragments of 4 KiB, never finished: the third crosses 8 KiB.
    for (let i = 0; i < 3; i++)
      socket.send(Buffer.alloc(4 * 1024, 2), { binary: true, fin: false });
    expect((await closed).code).toBe(1009);
  });

  it('a real join (capabilities, appData, token) fits the pre-join limit', async () => {
    const c = await ProtocolClient.connect(t.url('door'));
    const frame = encodeClientMessage({
      request: {
        id: 1,
        join: {
          protocolVersion: 1,
          peerName: 'sizer',
          rtpCapabilities: rtpCapabilitiesToMessage(t.server.getRoom('door')!.rtpCapabilities),
          appData: { stringValue: 'y'.repeat(4000) },
          token: await token('sizer'),
        },
      },
    });
    expect(frame.byteLength).toBeLessThan(8 * 1024);
    c.close();
  });
});
