// Secure by default: an endpoint does not start without access control
// unless the app says 'none' out loud.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomFromUrl, Server, SignalingServer, WebSocketEndpoint } from '../../src/index.js';

let server: Server;
beforeAll(async () => {
  server = await Server.create({
    numWorkers: 1,
    logLevel: 'none',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: 46600,
    rtcMaxPort: 46699,
  });
});
afterAll(() => server.close());

describe('access control is a decision, not a default', () => {
  it('WebSocketEndpoint refuses to start without auth, saying what to pass', async () => {
    await expect(
      WebSocketEndpoint.listen({
        server,
        selectRoom: roomFromUrl(server),
      } as unknown as Parameters<typeof WebSocketEndpoint.listen>[0]),
    ).rejects.toThrow(/auth.*secret.*'none'/);
  });

  it('SignalingServer too', () => {
    expect(
      () =>
        new SignalingServer({
          server,
          selectRoom: roomFromUrl(server),
        } as unknown as ConstructorParameters<typeof SignalingServer>[0]),
    ).toThrow(TypeError);
  });

  it("'none' starts (and warns); { secret } requires tokens", async () => {
    const open = await WebSocketEndpoint.listen({
      server,
      selectRoom: roomFromUrl(server),
      auth: 'none',
    });
    expect(open.signaling.requiresToken).toBe(false);
    await open.close();
    const closed = await WebSocketEndpoint.listen({
      server,
      selectRoom: roomFromUrl(server),
      auth: { secret: 's'.repeat(32) },
    });
    expect(closed.signaling.requiresToken).toBe(true);
    await closed.close();
  });

  it('a secret shorter than 32 bytes is refused at start', async () => {
    expect(
      () =>
        new SignalingServer({ server, selectRoom: roomFromUrl(server), auth: { secret: 'short' } }),
    ).toThrow(/at least 32 bytes/);
  });
});
