// The join alone, across cluster nodes vs on one node, with the bare
// protocol client (many more samples than Chromium gives): WebSocket open,
// queryRoom and join, with a token, through node B (first peer of B in the
// room: B reads the room from Redis and pipes its producer from A before it
// answers; then a second peer of B: pipes there) or through node A, where
// the room's producer is. The producer: an RtpIngest on A (no media needs to
// flow for a join). One fresh room per round.
import { createAccessToken } from '@x/server';
import { ProtocolClient } from '@x/testkit';
import { nowMs, sleep } from '../lib/stats.js';
import { type BenchCluster, type BenchNode, TOKEN_SECRET } from './cluster.js';

export type JoinVariant = 'local' | 'cold' | 'warm';

async function join(node: BenchNode, room: string, peer: string): Promise<number> {
  const token = await createAccessToken({ secret: TOKEN_SECRET, room, peer });
  const t0 = nowMs();
  const client = await ProtocolClient.connect(
    `ws://${node.ip}:${node.port}/ws?room=${encodeURIComponent(room)}`,
    { record: false, timeoutMs: 30_000 },
  );
  const caps = await client.queryRoom(token);
  const joined = await client.join(peer, caps, { token });
  const ms = nowMs() - t0;
  if (!joined.peers.some((p) => p.name === 'camera'))
    throw new Error(`${peer} joined through ${node.id} without the producer's peer`);
  client.leave();
  client.close();
  return ms;
}

/** `rounds` fresh rooms; in each, a cold and a warm join through B and one through A. */
export async function protocolJoins(
  cluster: BenchCluster,
  rounds: number,
): Promise<Record<JoinVariant, number[]>> {
  const samples: Record<JoinVariant, number[]> = { local: [], cold: [], warm: [] };
  for (let round = -1; round < rounds; round++) {
    const room = `protocol-join-${round + 1}`;
    await cluster.a.child.call('ingest', { room, peer: 'camera' });
    const order: JoinVariant[] =
      round % 2 === 0 ? ['local', 'cold', 'warm'] : ['cold', 'warm', 'local'];
    for (const variant of order) {
      const ms = await join(variant === 'local' ? cluster.a : cluster.b, room, `p-${variant}`);
      if (round >= 0) samples[variant].push(ms);
      await sleep(50);
    }
  }
  return samples;
}
