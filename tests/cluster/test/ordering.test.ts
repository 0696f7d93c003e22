// What a node hears of a room may come out of order: a node that attaches to
// a room listens to its channel, then reads its hashes, so an event can
// arrive for a peer it has not read yet. A producer heard of before its peer
// is made when the peer comes. Two real nodes and a real redis-server; the
// test writes and publishes, as node A would, the records of a peer whose
// producer event comes first (same keys, channel and records as @x/server).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, type RedisProcess, startNode, startRedis } from '../src/harness.js';

const ROOM = 'order';
let redis: RedisProcess;
let client: Redis;
let a: NodeProcess;
let b: NodeProcess;

interface RoomState {
  peers: { name: string; node: string; producers: { id: number; kind: string }[] }[];
}

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  a = await startNode({ id: 'oa', ip: '127.0.0.20', redis: redis.url, rtcMinPort: 60000 });
  b = await startNode({ id: 'ob', ip: '127.0.0.21', redis: redis.url, rtcMinPort: 61000 });
  for (const node of [a, b]) await node.call('create', { room: ROOM });
});

afterAll(async () => {
  client?.disconnect();
  await Promise.all([a, b].filter(Boolean).map((n) => n.kill('SIGKILL')));
  await redis?.stop();
});

describe('events out of order', () => {
  it('a producer heard of before its peer is made once the peer comes', async () => {
    // A real producer of node A gives a record as A writes them.
    await a.call('ingest', { room: ROOM, peer: 'mic', kind: 'audio', payloadType: 100, ssrc: 1 });
    const producers = await client.hgetall(`x:room:${ROOM}:producers`);
    const real = Object.values(producers)
      .map((text) => JSON.parse(text) as { peer: string; node: string })
      .find((r) => r.peer === 'mic');
    expect(real?.node).toBe('oa');
    // The same, for a peer B has not heard of yet.
    const record = { ...real, peer: 'late', id: 7, engineId: randomUUID() };
    await client.hset(`x:room:${ROOM}:producers`, 'late|7', JSON.stringify(record));
    await client.publish(
      `x:room:${ROOM}`,
      JSON.stringify({ type: 'producer-add', from: 'oa', producer: record }),
    );
    const peer = { node: 'oa', name: 'late', spy: false };
    await client.hset(`x:room:${ROOM}:peers`, 'late', JSON.stringify(peer));
    await client.publish(`x:room:${ROOM}`, JSON.stringify({ type: 'peer-join', from: 'oa', peer }));
    await expect
      .poll(async () => {
        const state = await b.call<RoomState>('room', { room: ROOM });
        return state.peers.find((p) => p.name === 'late');
      })
      .toMatchObject({ node: 'oa', producers: [{ id: 7, kind: 'audio' }] });
  });
});
