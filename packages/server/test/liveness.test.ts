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
});
