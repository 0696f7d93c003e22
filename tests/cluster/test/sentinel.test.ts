// Redis is no single point of failure: the nodes find the primary through
// Redis Sentinel (a primary, a replica, three sentinels), and when the
// primary is killed while a room spans two nodes, the sentinels promote the
// replica, media between the nodes never stops, and a join after the
// failover reaches the peers of both nodes. Nodes A and B, and the Redis
// processes, each on a host of their own (network namespaces, a hub between
// them); the test's clients and socket are in the machine's namespace.
import { ProtocolClient, type RtpSink, rtpPacer, rtpSink, sleep } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, streamOnceKnown, tokenFor } from '../src/harness.js';
import { type NetCluster, type NetNode, netCluster } from '../src/netCluster.js';

const ROOM = 'failover';
let cluster: NetCluster;
let nodeB: NetNode;
let a: NodeProcess;
let b: NodeProcess;
const clients: ProtocolClient[] = [];
let sink: RtpSink | undefined;

beforeAll(async () => {
  cluster = await netCluster({ sentinel: true });
  a = (await cluster.start('nodea', { id: 'fa', rtcMinPort: 40000 })).process;
  nodeB = await cluster.start('nodeb', { id: 'fb', rtcMinPort: 41000 });
  b = nodeB.process;
});

afterAll(async () => {
  if (process.env.CLUSTER_LOGS) for (const n of [a, b]) console.log(`--- ${n?.id}\n${n?.log()}`);
  for (const client of clients) client.close();
  sink?.close();
  await cluster?.dispose();
});

async function join(node: NodeProcess, name: string) {
  const client = await ProtocolClient.connect(node.url(ROOM));
  clients.push(client);
  const token = await tokenFor(ROOM, name);
  const joined = await client.join(name, await client.queryRoom(token), { token });
  return { client, joined };
}

describe('a cluster on Redis Sentinel', () => {
  it('the primary killed while a room spans two nodes: media goes on, and a join after the failover sees both nodes', async () => {
    const ingest = await a.call<{ producerId: number; url: string }>('ingest', {
      room: ROOM,
      peer: 'mic',
      kind: 'audio',
      payloadType: 100,
      ssrc: 4444,
    });
    const pacer = rtpPacer(ingest.url, { payloadType: 100, ssrc: 4444 });
    try {
      const bob = await join(b, 'bob');
      if (!bob.joined.peers.some((p) => p.name === 'mic'))
        await bob.client.waitFor('newPeer', (n) => n.peer?.name === 'mic', 10_000);
      // A consumer on B (a streamer to the test's socket) has A pipe the producer there.
      sink = await rtpSink(nodeB.root.a.address);
      await streamOnceKnown(b, {
        room: ROOM,
        peer: 'mic',
        producer: ingest.producerId,
        ip: nodeB.root.a.address,
        port: sink.port,
      });
      const received = () =>
        b.call<number>('received', { room: ROOM, peer: 'mic', producer: ingest.producerId });
      await expect.poll(received, { timeout: 10_000 }).toBeGreaterThan(20);

      const redis = cluster.sentinels!;
      expect(redis.primaryPort()).toBe(redis.primary.port);
      await redis.primary.kill();
      // The sentinels promote the replica.
      await expect
        .poll(() => redis.primaryPort(), { timeout: 30_000, interval: 250 })
        .toBe(redis.replica.port);
      // Media between the nodes never needed Redis.
      const before = await received();
      await sleep(1000);
      expect((await received()) - before).toBeGreaterThan(20);

      // A join after the failover, through A, sees bob of node B, and bob
      // hears of the new peer: both nodes read and publish on the new primary.
      await expect
        .poll(
          async () => {
            try {
              const carol = await join(a, `carol-${clients.length}`);
              return carol.joined.peers
                .map((p) => p.name)
                .filter((n) => !n.startsWith('carol'))
                .sort();
            } catch (error) {
              return String(error);
            }
          },
          { timeout: 30_000, interval: 500 },
        )
        .toEqual(['bob', 'mic']);
      await bob.client.waitFor(
        'newPeer',
        (n) => n.peer?.name?.startsWith('carol') === true,
        10_000,
      );
      // Both nodes still list each other.
      for (const node of [a, b])
        expect((await node.call<{ id: string }[]>('nodes')).map((n) => n.id).sort()).toEqual([
          'fa',
          'fb',
        ]);
    } finally {
      pacer.stop();
    }
  });
});
