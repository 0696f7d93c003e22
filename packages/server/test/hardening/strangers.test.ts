// Nothing a stranger sends creates state: a query or a refused join creates
// no room; only an authorized join does, and an empty room goes away.
import { PROTOCOL_VERSION, rtpCapabilitiesToMessage } from '@x/protocol';
import { ProtocolClient } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessToken, DEFAULT_MEDIA_CODECS } from '../../src/index.js';
import { startServer, type TestServer } from '../helpers/fixtures.js';

const secret = 'strangers-test-secret-of-32-bytes!!';
let t: TestServer;
let capabilities: Awaited<ReturnType<TestServer['server']['rtpCapabilitiesFor']>>;

beforeAll(async () => {
  t = await startServer(
    { rtcMinPort: 46200, rtcMaxPort: 46299, limits: { emptyRoomTimeoutMs: 300 } },
    { auth: { secret } },
  );
  capabilities = await t.server.rtpCapabilitiesFor(DEFAULT_MEDIA_CODECS);
});
afterAll(() => t.close());

// startServer's selector keeps rooms open; these tests want the default one (rooms close when empty).
async function endpointWithDefaults() {
  const { roomFromUrl, WebSocketEndpoint } = await import('../../src/index.js');
  const endpoint = await WebSocketEndpoint.listen({
    server: t.server,
    host: '127.0.0.1',
    selectRoom: roomFromUrl(t.server),
    auth: { secret },
  });
  return { endpoint, url: (room: string) => `ws://127.0.0.1:${endpoint.port}/?roomId=${room}` };
}

describe('no state for strangers', () => {
  it('queryRoom without a token, for 200 room names, creates nothing', async () => {
    const c = await ProtocolClient.connect(t.url('any'));
    const before = t.server.rooms.length;
    for (let i = 0; i < 200; i++) {
      const socket = await ProtocolClient.connect(t.url(`probe-${i}`));
      expect((await socket.error({ queryRoom: {} })).code).toBe('UNAUTHENTICATED');
      socket.close();
    }
    expect(t.server.rooms.length).toBe(before);
    c.close();
  });

  it('an authorized queryRoom of a room that does not exist yet answers its capabilities and creates nothing', async () => {
    const { endpoint, url } = await endpointWithDefaults();
    const c = await ProtocolClient.connect(url('future'));
    const token = await createAccessToken({ secret, room: 'future', peer: 'q' });
    const answer = await c.ok({ queryRoom: { token } }, 'queryRoom');
    expect(answer.rtpCapabilities?.codecs.length).toBe(capabilities.codecs?.length);
    expect(t.server.getRoom('future')).toBeUndefined();
    c.close();
    await endpoint.close();
  });

  it('refused joins (no token, bad signature, wrong peer, wrong room) create nothing', async () => {
    const { endpoint, url } = await endpointWithDefaults();
    const join = (token: string, peerName = 'alice') => ({
      join: {
        protocolVersion: PROTOCOL_VERSION,
        peerName,
        rtpCapabilities: rtpCapabilitiesToMessage(capabilities),
        token,
      },
    });
    const c = await ProtocolClient.connect(url('guarded'));
    expect((await c.error(join(''))).code).toBe('UNAUTHENTICATED');
    const forged = await createAccessToken({
      secret: 'x'.repeat(40),
      room: 'guarded',
      peer: 'alice',
    });
    expect((await c.error(join(forged))).code).toBe('UNAUTHENTICATED');
    const bob = await createAccessToken({ secret, room: 'guarded', peer: 'bob' });
    expect((await c.error(join(bob))).code).toBe('FORBIDDEN');
    const other = await createAccessToken({ secret, room: 'other', peer: 'alice' });
    expect((await c.error(join(other))).code).toBe('FORBIDDEN');
    expect(t.server.getRoom('guarded')).toBeUndefined();
    expect(t.server.getRoom('other')).toBeUndefined();

    // An authorized join creates the room, and the same name is free again the moment it leaves.
    const good = await createAccessToken({ secret, room: 'guarded', peer: 'alice' });
    await c.ok(join(good), 'join');
    expect(t.server.getRoom('guarded')?.peers.map((p) => p.name)).toEqual(['alice']);
    c.leave();
    const again = await ProtocolClient.connect(url('guarded'));
    await expect.poll(() => t.server.getRoom('guarded')?.getPeerByName('alice')).toBeUndefined();
    await again.ok(join(good), 'join');
    again.leave();
    await endpoint.close();
  });

  it('a join refused for any reason leaves no ghost: the same name joins at once', async () => {
    const { endpoint, url } = await endpointWithDefaults();
    const token = await createAccessToken({ secret, room: 'ghost', peer: 'carol' });
    const c = await ProtocolClient.connect(url('ghost'));
    const bad = await c.error({
      join: {
        protocolVersion: PROTOCOL_VERSION,
        peerName: 'carol',
        rtpCapabilities: { codecs: [{ mimeType: 'audio/x-nothing', kind: 1, clockRate: 8000 }] },
        token,
      },
    });
    expect(bad.code).toBe('UNSUPPORTED');
    const ok = await c.ok(
      {
        join: {
          protocolVersion: PROTOCOL_VERSION,
          peerName: 'carol',
          rtpCapabilities: rtpCapabilitiesToMessage(capabilities),
          token,
        },
      },
      'join',
    );
    expect(ok.peers).toEqual([]);
    c.leave();
    await endpoint.close();
  });
});

describe('empty rooms', () => {
  it('a room closes once empty for emptyRoomTimeoutMs; a peer joining in time keeps it', async () => {
    const room = await t.server.createRoom({ id: 'ephemeral' });
    await new Promise((r) => setTimeout(r, 150));
    (await room.join({ name: 'p', rtpCapabilities: room.rtpCapabilities })).close();
    await new Promise((r) => setTimeout(r, 200));
    expect(room.closed).toBe(false);
    await expect.poll(() => room.closed, { timeout: 2000 }).toBe(true);
    expect(t.server.getRoom('ephemeral')).toBeUndefined();
  });

  it('the app can keep a room open', async () => {
    const room = await t.server.createRoom({ id: 'kept', closeWhenEmpty: false });
    await new Promise((r) => setTimeout(r, 700));
    expect(room.closed).toBe(false);
    room.close();
  });
});
