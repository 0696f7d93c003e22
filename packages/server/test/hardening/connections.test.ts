// Connection caps (per address and global, refused at the upgrade), the
// Origin allow-list, and a client that stops reading what it is sent.
import { request } from 'node:http';
import { audioParameters, ProtocolClient } from '@x/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES, roomFromUrl, Server, WebSocketEndpoint } from '../../src/index.js';

let server: Server | undefined;
let endpoint: WebSocketEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  server?.close();
});

async function start(
  limits: Record<string, number>,
  extra: Partial<Parameters<typeof WebSocketEndpoint.listen>[0]> = {},
) {
  server = await Server.create({
    numWorkers: 1,
    logLevel: 'none',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: 46300,
    rtcMaxPort: 46399,
    limits,
  });
  endpoint = await WebSocketEndpoint.listen({
    server,
    host: '0.0.0.0',
    selectRoom: roomFromUrl(server, { closeWhenEmpty: false }),
    auth: 'none',
    ...extra,
  });
  return `/?roomId=r`;
}

/** The HTTP status of a WebSocket upgrade from `localAddress` (101 when it is accepted). */
function upgradeStatus(
  port: number,
  path: string,
  localAddress = '127.0.0.1',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; socket?: import('node:net').Socket }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      localAddress,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => resolve({ status: res.statusCode ?? 0, body: '', socket }));
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('connection caps', () => {
  it('past the per-address cap an address gets 429; other addresses still connect and join', async () => {
    const path = await start({ maxConnectionsPerIp: 5 });
    const port = endpoint!.port;
    const held = [];
    for (let i = 0; i < 5; i++) held.push(await upgradeStatus(port, path));
    expect(held.map((h) => h.status)).toEqual([101, 101, 101, 101, 101]);
    const refused = await upgradeStatus(port, path);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatch(/127\.0\.0\.1 has its maximum of 5/);
    // A legitimate user from another address joins during the flood.
    const legit = await ProtocolClient.connect(`ws://127.0.0.1:${port}${path}`, {
      localAddress: '127.0.0.2',
    });
    await legit.join('legit', await legit.queryRoom());
    expect(server!.getRoom('r')?.getPeerByName('legit')).toBeDefined();
    // Slots come back when the connections close.
    for (const h of held) h.socket?.destroy();
    await expect.poll(() => endpoint!.connectionCount).toBe(1);
    expect((await upgradeStatus(port, path)).status).toBe(101);
    legit.leave();
  });

  it('past the global cap everyone gets 503', async () => {
    const path = await start({ maxConnections: 3 });
    const port = endpoint!.port;
    for (let i = 0; i < 3; i++)
      expect((await upgradeStatus(port, path, `127.0.0.${i + 1}`)).status).toBe(101);
    const refused = await upgradeStatus(port, path, '127.0.0.9');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatch(/maximum of 3 connections/);
  });

  it('with an Origin allow-list, other origins get 403; clients without an Origin are not concerned', async () => {
    const path = await start({}, { allowedOrigins: ['https://app.example.com'] });
    const port = endpoint!.port;
    expect(
      (await upgradeStatus(port, path, '127.0.0.1', { Origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect(
      (await upgradeStatus(port, path, '127.0.0.1', { Origin: 'https://app.example.com' })).status,
    ).toBe(101);
    expect((await upgradeStatus(port, path)).status).toBe(101);
  });
});

describe('a client that does not read', () => {
  it('is cut with 4009 once its queue passes maxOutboundBytes; its peer keeps the grace period and resumes', {
    timeout: 60_000,
  }, async () => {
    const path = await start({ maxOutboundBytes: 64 * 1024, messagesPerSecond: 100_000 });
    const url = `ws://127.0.0.1:${endpoint!.port}${path}`;
    const room = await server!.createRoom({ id: 'r', closeWhenEmpty: false });
    const lazy = await ProtocolClient.connect(url);
    const joined = await lazy.join('lazy', room.rtpCapabilities);
    const lazyClosed = lazy.closed;
    // Stop reading: the kernel buffers fill, then the server's queue grows.
    (lazy.socket as unknown as { _socket: import('node:net').Socket })._socket.pause();

    let cut = false;
    void lazyClosed.then(() => {
      cut = true;
    });
    const busy = await ProtocolClient.connect(url, { record: false });
    await busy.join('busy', room.rtpCapabilities);
    await busy.createTransport(1, 'send');
    // Each producer is a ~4 KiB newConsumer for lazy (its appData): the kernel's
    // socket buffers (a few MiB on loopback) fill first, then the server's queue.
    const appData = { stringValue: 'a'.repeat(4000) };
    for (let id = 1; id <= 5000 && !cut; id++) {
      await busy.produce(id, 1, 'audio', audioParameters(1000 + id), { appData });
      busy.notify({ closeProducer: { id } });
    }
    (lazy.socket as unknown as { _socket: import('node:net').Socket })._socket.resume();
    const closed = await lazyClosed;
    // The close frame (4009) waits behind what the client never read: it sees the cut (1006).
    expect([CLOSE_CODES.slowConsumer, 1006]).toContain(closed.code);
    // The server dropped the connection, not the peer: it waits for its client to resume.
    const session = endpoint!.signaling.sessions.find((s) => s.peer.name === 'lazy')!;
    expect(session.connection).toBeUndefined();
    expect(room.getPeerByName('lazy')?.closed).toBe(false);
    const back = await ProtocolClient.connect(url);
    const resumed = await back.ok(
      { resumeSession: { protocolVersion: 1, sessionId: joined.sessionId } },
      'resumeSession',
    );
    expect(resumed.peers.map((p) => p.name)).toEqual(['busy']);
    back.leave();
    busy.leave();
  });
});
