// The join path's round trips: a consumer's enableConsumer goes out right
// behind its transport's createTransport (not after its answer), and
// consumers received together are enabled together (ConsumeBatch's own
// test: they then consume together). Against a real @x/server (real
// mediasoup worker) reached in memory, on FakeHandler.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioTrack, fakeRoom, link, startWorld, videoTrack, type World } from './helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

describe('receiving the consumers of a join', () => {
  it('sends createTransport, then every enableConsumer before any answer; all consumers received', async () => {
    const id = 'pipelining';
    await world.room(id);
    const pub = fakeRoom();
    link(world, pub, id);
    await pub.join('pub');
    const send = pub.createTransport('send');
    await pub.createProducer(audioTrack()).send(send);
    await pub.createProducer(videoTrack()).send(send);

    const sub = fakeRoom();
    const events: string[] = [];
    // Between the room and the server: log each request and each answer.
    const serverLink = link(world, sub, id);
    sub.removeAllListeners('request');
    sub.on('request', (request, callback) => {
      const name =
        Object.keys(request).find(
          (k) => k !== 'id' && (request as unknown as Record<string, unknown>)[k] != null,
        ) ?? '?';
      events.push(`send ${name}`);
      serverLink.request(request, (response) => {
        events.push(`answer ${name}`);
        callback(response);
      });
    });
    const peers = await sub.join('sub');
    const consumers = peers[0]!.consumers;
    expect(consumers.map((c) => c.kind).sort()).toEqual(['audio', 'video']);
    events.length = 0;
    const recv = sub.createTransport('recv');
    const tracks = await Promise.all(consumers.map((c) => c.receive(recv)));
    expect(tracks.every((t) => t !== null)).toBe(true);
    expect(consumers.every((c) => c.engine !== undefined && !c.paused)).toBe(true);

    const firstAnswer = events.findIndex((e) => e.startsWith('answer'));
    expect(events.slice(0, 3)).toEqual([
      'send createTransport',
      'send enableConsumer',
      'send enableConsumer',
    ]);
    expect(firstAnswer).toBe(3);
    // One connectTransport (its answer no longer holds the local description back).
    expect(events.filter((e) => e === 'send connectTransport')).toHaveLength(1);
    expect(events.filter((e) => e === 'send startConsumer')).toHaveLength(2);
    sub.leave();
    pub.leave();
  });
});
