// Which nodes may join a cluster: a node refuses to join one whose nodes
// speak a protocol it cannot share, or that already has its id; one that
// cannot reach Redis fails to start with a message that says so.
import { Server } from '@x/server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RedisProcess, startRedis } from '../src/harness.js';

let redis: RedisProcess;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

/** Writes a live node record as another node would (same keys as @x/server's registry). */
async function fakeNode(id: string, protocol: { min: number; max: number }): Promise<void> {
  const info = {
    id,
    signalingUrl: 'ws://127.0.0.9:1/',
    pipeIp: '127.0.0.9',
    format: 3, // records.ts CLUSTER_FORMAT: the records this node's code writes
    protocol,
    draining: false,
    load: { peers: 0, rooms: 0, consumers: 0 },
    startedAt: Date.now(),
  };
  await client.set(`x:node:${id}`, JSON.stringify(info), 'PX', 60_000);
  await client.zadd('x:nodes', Date.now() + 60_000, id);
}

function start(nodeId: string, redisUrl = redis.url) {
  return Server.create({
    numWorkers: 1,
    logLevel: 'none',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: 44000,
    rtcMaxPort: 44999,
    cluster: {
      redis: redisUrl,
      nodeId,
      signalingUrl: 'ws://127.0.0.1:1/',
      pipeListenIp: '127.0.0.1',
    },
  });
}

describe('joining a cluster', () => {
  it('a node whose protocol versions the others cannot speak is refused', async () => {
    await fakeNode('future', { min: 99, max: 100 });
    await expect(start('today')).rejects.toThrow(
      /node future speaks protocol 99-100, this one \d+-\d+: they cannot share a room/,
    );
    await client.del('x:node:future');
    await client.zrem('x:nodes', 'future');
  });

  it('a node with the id of a live node is refused', async () => {
    const first = await start('twin');
    try {
      await expect(start('twin')).rejects.toThrow(/a live node already has the id "twin"/);
      expect(first.cluster!.nodes.map((n) => n.id)).toEqual(['twin']);
    } finally {
      first.close();
    }
  });

  it('a node that cannot reach Redis does not start, and says where it looked', async () => {
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    await expect(start('lonely', nowhere)).rejects.toThrow(
      new RegExp(`cluster: Redis at ${nowhere} cannot be reached`),
    );
  });

  it('bad cluster options are refused with what to fix', async () => {
    await expect(
      Server.create({
        numWorkers: 1,
        cluster: { redis: 'localhost:6379', signalingUrl: 'ws://x/', pipeListenIp: '127.0.0.1' },
      }),
    ).rejects.toThrow(/cluster.redis must be a redis:\/\/ URL/);
    await expect(
      Server.create({
        numWorkers: 1,
        cluster: { redis: redis.url, signalingUrl: 'ws://x/', pipeListenIp: 'eth0' },
      }),
    ).rejects.toThrow(/cluster.pipeListenIp must be an IP address/);
  });
});
