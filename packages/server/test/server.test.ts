import { afterEach, describe, expect, it } from 'vitest';
import { Server, SfuError } from '../src/index.js';

const base = {
  logLevel: 'none' as const,
  rtcIPv4: '127.0.0.1',
  rtcIPv6: false as const,
  rtcMinPort: 43000,
  rtcMaxPort: 43999,
};
let server: Server | undefined;
afterEach(() => server?.close());

describe('Server', () => {
  it('applies the settings: workers, split port range, resolved addresses', async () => {
    server = await Server.create({ ...base, numWorkers: 2 });
    expect(server.numWorkers).toBe(2);
    expect(server.workers.length).toBe(2);
    expect(server.settings).toMatchObject({
      rtcIPv4: '127.0.0.1',
      rtcIPv6: undefined,
      rtcMinPort: 43000,
      rtcMaxPort: 43999,
      logLevel: 'none',
    });
    // Each worker has its own half of the range: transports of rooms on different workers fall in different halves.
    const ports: number[] = [];
    for (let i = 0; i < 2; i++) {
      const room = await server.createRoom();
      const t = await room.router.createPlainTransport({ listenIp: '127.0.0.1' });
      ports.push(t.tuple.localPort);
      await new Promise((r) => setImmediate(r));
    }
    ports.sort((a, b) => a - b);
    expect(ports[0]).toBeLessThanOrEqual(43499);
    expect(ports[1]).toBeGreaterThanOrEqual(43500);
  });

  it('places rooms on the least-loaded worker', async () => {
    server = await Server.create({ ...base, numWorkers: 2 });
    const busy = await server.createRoom({ id: 'busy' });
    // Load busy's worker with producers.
    const transport = await busy.router.createPlainTransport({ listenIp: '127.0.0.1' });
    for (let i = 0; i < 5; i++) {
      await transport.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
          encodings: [{ ssrc: 1000 + i }],
        },
      });
    }
    await new Promise((r) => setImmediate(r));
    const rooms = [];
    for (let i = 0; i < 3; i++) {
      rooms.push(await server.createRoom());
      await new Promise((r) => setImmediate(r));
    }
    // All three new rooms avoided the loaded worker: they share the other one.
    const dumps = await Promise.all(server.workers.map((w) => w.dump()));
    const routersPerWorker = dumps
      .map((d) => (d as { routerIds: string[] }).routerIds.length)
      .sort();
    expect(routersPerWorker).toEqual([1, 3]);
  });

  it('emits newroom and close, refuses a duplicate room id, and closes its rooms', async () => {
    server = await Server.create({ ...base, numWorkers: 1 });
    const created: string[] = [];
    server.on('newroom', (room) => created.push(room.id));
    const room = await server.createRoom({
      id: 'one',
      mediaCodecs: [{ kind: 'audio', name: 'opus', clockRate: 48000, channels: 2 }],
    });
    expect(created).toEqual(['one']);
    expect(room.rtpCapabilities.codecs?.map((c) => c.mimeType)).toEqual(['audio/opus']);
    await expect(server.createRoom({ id: 'one' })).rejects.toThrow(SfuError);
    let roomClosed = false;
    room.on('close', () => {
      roomClosed = true;
    });
    const closed = new Promise<void>((r) => server!.once('close', () => r()));
    server.close();
    await closed;
    expect(roomClosed).toBe(true);
    expect(server.closed).toBe(true);
    await expect(server.createRoom()).rejects.toThrow(/closed/);
  });

  it('updateSettings reaches the workers; bad settings are refused with clear messages', async () => {
    server = await Server.create({ ...base, numWorkers: 1 });
    await server.updateSettings({ logLevel: 'debug', logTags: ['ice'] });
    const dump = (await server.workers[0]!.dump()) as { pid: number };
    expect(dump.pid).toBe(server.workers[0]!.pid);
    expect(server.settings.logLevel).toBe('debug');
    await expect(Server.create({ ...base, rtcMinPort: 50, rtcMaxPort: 60 })).rejects.toThrow(
      /rtcMinPort must be an integer from 1024/,
    );
    await expect(Server.create({ ...base, numWorkers: 0 })).rejects.toThrow(
      /numWorkers must be a positive integer/,
    );
    await expect(Server.create({ ...base, rtcIPv4: false })).rejects.toThrow(
      /cannot both be disabled/,
    );
  });
});
