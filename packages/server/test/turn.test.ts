// TURN credentials minted by the server (the TURN REST scheme coturn's
// use-auth-secret checks): every join and resume carries fresh ones, valid
// for the configured time, signed with the shared secret; a server without
// TURN sends none. openssl checks the signature independently.
import { execFileSync } from 'node:child_process';
import { PROTOCOL_VERSION, pb, rtpCapabilitiesToMessage } from '@x/protocol';
import { ProtocolClient } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Room, Server } from '../src/index.js';
import { startServer, type TestServer } from './helpers/fixtures.js';

const SECRET = 'turn-shared-secret-of-the-tests';
const URLS = ['turn:198.18.0.1:3478?transport=tcp', 'turns:198.18.0.1:5349'];

/** base64(HMAC-SHA1(secret, username)), computed by openssl. */
function opensslCredential(username: string): string {
  const mac = execFileSync('openssl', ['dgst', '-sha1', '-hmac', SECRET, '-binary'], {
    input: username,
  });
  return mac.toString('base64');
}

describe('a server with a TURN server', () => {
  let t: TestServer;
  let room: Room;
  beforeAll(async () => {
    t = await startServer(
      { rtcMinPort: 47600, rtcMaxPort: 47699, turn: { urls: URLS, secret: SECRET, ttl: 3600 } },
      { sessionGraceMs: 5000 },
    );
    room = await t.server.createRoom({ id: 'turn' });
  });
  afterAll(() => t.close());

  it('every join gets credentials of its own, valid for ttl, signed with the secret', async () => {
    const before = Math.floor(Date.now() / 1000);
    const a = await ProtocolClient.connect(t.url('turn'));
    const b = await ProtocolClient.connect(t.url('turn'));
    const joinedA = await a.join('a', room.rtpCapabilities);
    const joinedB = await b.join('b', room.rtpCapabilities);
    for (const joined of [joinedA, joinedB]) {
      expect(joined.iceServers).toHaveLength(1);
      const [server] = joined.iceServers;
      expect(server!.urls).toEqual(URLS);
      const [expiry, id] = server!.username.split(':');
      expect(Number(expiry) - before).toBeGreaterThanOrEqual(3600);
      expect(Number(expiry) - before).toBeLessThanOrEqual(3602);
      expect(id).toMatch(/^[0-9a-f]{12}$/);
      expect(server!.credential).toBe(opensslCredential(server!.username));
    }
    expect(joinedA.iceServers[0]!.username).not.toBe(joinedB.iceServers[0]!.username);
    a.close();
    b.close();
  });

  it('a resumed session gets fresh credentials', async () => {
    const c = await ProtocolClient.connect(t.url('turn'));
    const joined = await c.join('c', room.rtpCapabilities);
    c.close();
    await new Promise((r) => setTimeout(r, 1100));
    const again = await ProtocolClient.connect(t.url('turn'));
    const resumed = await again.ok(
      { resumeSession: { protocolVersion: PROTOCOL_VERSION, sessionId: joined.sessionId } },
      'resumeSession',
    );
    expect(resumed.iceServers).toHaveLength(1);
    const username = resumed.iceServers[0]!.username;
    expect(username).not.toBe(joined.iceServers[0]!.username);
    expect(Number(username.split(':')[0])).toBeGreaterThan(
      Number(joined.iceServers[0]!.username.split(':')[0]),
    );
    expect(resumed.iceServers[0]!.credential).toBe(opensslCredential(username));
    again.close();
  });

  it('the v2 entry point (room.receiveRequest) answers a join with credentials too', async () => {
    const response = await room.receiveRequest(
      pb.Request.create({
        id: 1,
        join: {
          protocolVersion: PROTOCOL_VERSION,
          peerName: 'v2',
          rtpCapabilities: rtpCapabilitiesToMessage(room.rtpCapabilities),
        },
      }),
    );
    expect(response.join?.iceServers[0]?.credential).toBe(
      opensslCredential(response.join!.iceServers[0]!.username),
    );
  });
});

describe('TURN settings', () => {
  it('a server without TURN sends none', async () => {
    const t = await startServer({ rtcMinPort: 47700, rtcMaxPort: 47749 });
    try {
      const room = await t.server.createRoom({ id: 'none' });
      const c = await ProtocolClient.connect(t.url('none'));
      expect((await c.join('x', room.rtpCapabilities)).iceServers).toEqual([]);
      c.close();
    } finally {
      await t.close();
    }
  });

  it('bad TURN settings stop Server.create with what is wrong', async () => {
    await expect(Server.create({ turn: { urls: [], secret: SECRET } })).rejects.toThrow(
      /turn.urls/,
    );
    await expect(Server.create({ turn: { urls: ['http://x'], secret: SECRET } })).rejects.toThrow(
      /turn.urls/,
    );
    await expect(Server.create({ turn: { urls: URLS, secret: 'short' } })).rejects.toThrow(
      /turn.secret/,
    );
    await expect(Server.create({ turn: { urls: URLS, secret: SECRET, ttl: 10 } })).rejects.toThrow(
      /turn.ttl/,
    );
  });
});
