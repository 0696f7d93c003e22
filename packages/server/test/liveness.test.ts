// The clients' liveness pings: the join response announces the interval and
// the timeout (SignalingOptions.ping), and a joined client's ping is answered
// at once with its seq; a stranger's is refused like any notification
// before a join.
import { ProtocolClient } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Room } from '../src/index.js';
import { startServer, type TestServer } from './helpers/fixtures.js';

describe('liveness pings', () => {
  let t: TestServer;
  let quiet: TestServer;
  let room: Room;
  beforeAll(async () => {
    t = await startServer({ rtcMinPort: 47700, rtcMaxPort: 47749 });
    quiet = await startServer({ rtcMinPort: 47750, rtcMaxPort: 47799 }, { ping: false });
    room = await t.server.createRoom({ id: 'ping' });
  });
  afterAll(async () => {
    await t.close();
    await quiet.close();
  });

  it('the join response announces the defaults: a ping every 2000 ms, 5000 ms of silence is a dead connection', async () => {
    const a = await ProtocolClient.connect(t.url('ping'));
    const joined = await a.join('a', room.rtpCapabilities);
    expect(joined.pingIntervalMs).toBe(2000);
    expect(joined.pingTimeoutMs).toBe(5000);
    a.close();
  });

  it('a joined client’s ping is answered with its seq', async () => {
    const b = await ProtocolClient.connect(t.url('ping'));
    await b.join('b', room.rtpCapabilities);
    b.notify({ ping: { seq: 7 } });
    b.notify({ ping: { seq: 4_000_000_000 } });
    expect((await b.waitFor('pong', (p) => p.seq === 7)).seq).toBe(7);
    expect((await b.waitFor('pong', (p) => p.seq === 4_000_000_000)).seq).toBe(4_000_000_000);
    b.close();
  });

  it('a ping before the join is refused NOT_JOINED, and answered with no pong', async () => {
    const c = await ProtocolClient.connect(t.url('ping'));
    c.notify({ ping: { seq: 1 } });
    const rejected = await c.waitFor('notificationRejected');
    expect(rejected.notification).toBe('ping');
    expect(rejected.error?.message).toMatch(/join the room/);
    expect(c.received('pong')).toEqual([]);
    c.close();
  });

  it('ping: false announces none (0)', async () => {
    const r = await quiet.server.createRoom({ id: 'quiet' });
    const d = await ProtocolClient.connect(quiet.url('quiet'));
    const joined = await d.join('d', r.rtpCapabilities);
    expect(joined.pingIntervalMs).toBe(0);
    expect(joined.pingTimeoutMs).toBe(0);
    d.close();
  });

  it('a client that pings and then goes silent is dropped after timeout + interval (its peer kept for the grace period); one that never pings is not', async () => {
    const fast = await startServer(
      { rtcMinPort: 47800, rtcMaxPort: 47849 },
      { ping: { intervalMs: 200, timeoutMs: 500 }, sessionGraceMs: 10_000 },
    );
    try {
      const r = await fast.server.createRoom({ id: 'silent' });
      const pinger = await ProtocolClient.connect(fast.url('silent'));
      await pinger.join('pinger', r.rtpCapabilities);
      const quiet = await ProtocolClient.connect(fast.url('silent'));
      await quiet.join('quiet', r.rtpCapabilities);
      pinger.notify({ ping: { seq: 1 } });
      await pinger.waitFor('pong');
      const session = (name: string) =>
        fast.endpoint.signaling.sessions.find((s) => s.peer.name === name);
      const silentAt = Date.now();
      // The pinger now sends nothing: its connection is dropped, its peer kept.
      await expect
        .poll(() => session('pinger')?.connection, { timeout: 3000, interval: 50 })
        .toBeUndefined();
      expect(Date.now() - silentAt).toBeGreaterThanOrEqual(600);
      expect(r.getPeerByName('pinger')?.closed).toBe(false);
      // The client that never pinged is still connected.
      expect(session('quiet')?.connection?.closed).toBe(false);
      quiet.close();
      pinger.close();
    } finally {
      await fast.close();
    }
  });
});
