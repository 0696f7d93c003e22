// Where rooms and peers land when they come together: a wave of joins, or
// rooms created at the same moment, spread over the workers rather than all
// reading the same idle counts (a peer's consumers reach its worker only once
// its client enables them, a round trip or more after its join).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Room, Server } from '../src/index.js';

let server: Server;

beforeAll(async () => {
  server = await Server.create({
    numWorkers: 2,
    logLevel: 'none',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: 48000,
    rtcMaxPort: 48199,
    // A peer of a room with two producers fills a worker.
    maxConsumersPerWorker: 2,
  });
});

afterAll(() => server?.close());

/** A room with a peer of two producers (an audio and a video RTP ingest; nothing is sent). */
async function roomOfTwoProducers(id: string): Promise<Room> {
  const room = await server.createRoom({ id });
  for (const [kind, mimeType, payloadType, clockRate, ssrc] of [
    ['audio', 'audio/opus', 100, 48000, 1111],
    ['video', 'video/VP8', 101, 90000, 2222],
  ] as const) {
    await room.createRtpIngest({
      peerName: 'speaker',
      kind,
      ssrc,
      codec: { mimeType, payloadType, clockRate, ...(kind === 'audio' ? { channels: 2 } : {}) },
    });
  }
  return room;
}

const routersOf = (room: Room, names: string[]) =>
  names.map((name) => room.getPeerByName(name)!.router.id);

describe('placement under a wave of arrivals', () => {
  it('rooms created at the same moment go to different workers', async () => {
    const rooms = await Promise.all([
      server.createRoom({ id: 'together-1' }),
      server.createRoom({ id: 'together-2' }),
    ]);
    expect(server.workerLoads.map((l) => l.routers)).toEqual([1, 1]);
    for (const room of rooms) room.close();
  });

  it('peers that join in the same tick, none consuming yet, are spread over both workers', async () => {
    const room = await roomOfTwoProducers('wave');
    const names = ['v1', 'v2', 'v3', 'v4'];
    await Promise.all(
      names.map((name) => room.join({ name, rtpCapabilities: room.rtpCapabilities })),
    );
    // Each viewer has two consumers, none enabled: the workers count none of them.
    expect(server.workerLoads.map((l) => l.consumers)).toEqual([0, 0]);
    const homes = routersOf(room, names);
    expect(room.routers).toHaveLength(2);
    // The first fills its worker; the others go to the second router, made
    // for the second joiner (those that came while it was being made wait for it).
    expect(homes[0]).toBe(room.routers[0]!.id);
    expect(homes.slice(1)).toEqual(names.slice(1).map(() => room.routers[1]!.id));
    room.close();
  });

  it('peers that join one after the other, none consuming yet, are spread too', async () => {
    const room = await roomOfTwoProducers('one-by-one');
    const names = ['w1', 'w2'];
    for (const name of names) await room.join({ name, rtpCapabilities: room.rtpCapabilities });
    const homes = routersOf(room, names);
    expect(homes[1]).not.toBe(homes[0]);
    room.close();
  });

  it('a closed viewer’s waiting consumers no longer count: the next joiner takes its place', async () => {
    const room = await roomOfTwoProducers('replaced');
    const first = await room.join({ name: 'x1', rtpCapabilities: room.rtpCapabilities });
    const home = first.router.id;
    first.close();
    const next = await room.join({ name: 'x2', rtpCapabilities: room.rtpCapabilities });
    expect(next.router.id).toBe(home);
    room.close();
  });
});
