// When a media worker dies or stalls: what was on it closes and says so, the
// next request works on a new worker, and nothing is left behind.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Room, Server } from '../../src/index.js';
import { domainServer, joinPeer, publisher } from '../helpers/domain.js';

let server: Server;
let room: Room;

beforeAll(async () => {
  server = await domainServer({ rtcMinPort: 46700, rtcMaxPort: 46799 });
  room = await server.createRoom({ closeWhenEmpty: false });
});
afterAll(() => server.close());

/** The pids of this process's mediasoup workers. */
function workerPids(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'mediasoup-worker'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

describe('a streamer with a localIP, when its worker dies', () => {
  it('closes (event close) and leaves the room; the next one works on a new worker', async () => {
    const pub = await publisher(room, 'source');
    const before = new Set(workerPids());
    const streamer = await room.createRtpStreamer(pub.video, {
      remoteIP: '127.0.0.1',
      remotePort: 9,
      localIP: '127.0.0.1',
    });
    const outside = workerPids().filter((pid) => !before.has(pid));
    expect(outside).toHaveLength(1);
    const closed = new Promise<void>((resolve) => streamer.once('close', () => resolve()));
    process.kill(outside[0]!, 'SIGKILL');
    await closed;
    expect(streamer.closed).toBe(true);
    expect(room.rtpStreamers).not.toContain(streamer);
    // The room itself lives on its own worker: untouched.
    expect(room.closed).toBe(false);

    const next = await room.createRtpStreamer(pub.video, {
      remoteIP: '127.0.0.1',
      remotePort: 9,
      localIP: '127.0.0.1',
    });
    expect(next.closed).toBe(false);
    const port = next.transport.localPort;
    expect(port < 46700 || port > 46799).toBe(true);
    next.close();
  });
});

describe('a request that times out on a stalled worker', () => {
  it('whatever the worker creates for it later is closed', { timeout: 90_000 }, async () => {
    const peer = await joinPeer(room, 'stalled');
    const known = () => room.router.transportsForTesting;
    const [worker] = server.workers;
    process.kill(worker!.pid, 'SIGSTOP');
    let error: unknown;
    try {
      await peer.createWebRtcTransport({ id: 1, direction: 'send' });
    } catch (e) {
      error = e;
    } finally {
      process.kill(worker!.pid, 'SIGCONT');
    }
    expect(String(error)).toMatch(/request timeout/i);
    expect(peer.getTransportById(1)).toBeUndefined();
    // The worker caught up and created the transport: it is closed as it arrives.
    await expect
      .poll(async () => {
        const dumped = (await room.router.dump()) as { transportIds: string[] };
        return dumped.transportIds.sort();
      })
      .toEqual([...known().keys()].sort());
    // And the worker works.
    const transport = await peer.createWebRtcTransport({ id: 2, direction: 'send' });
    expect(transport.closed).toBe(false);
  });
});
