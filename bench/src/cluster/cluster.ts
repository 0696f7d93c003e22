// A benchmark cluster, all real: Debian's redis-server on a free port, and
// two node processes (node.ts) on 127.0.0.2 and 127.0.0.3, each a Server in
// cluster mode with one mediasoup worker; the nodes pipe media to each other
// over their own addresses, as two hosts would.
import { freePort, type RedisProcess, startRedis } from '@x/testkit';
import { Child } from '../lib/child.js';
import { processCpuMs } from '../lib/cpu.js';
import type { NodeOptions } from './node.js';

export interface BenchNode {
  id: string;
  ip: string;
  /** HTTP/WebSocket port (demo mode). */
  port: number;
  child: Child;
  /** The node's Node process and its worker. */
  pid: number;
  workerPid: number;
}

export interface BenchCluster {
  redis: RedisProcess;
  a: BenchNode;
  b: BenchNode;
  /** CPU time so far of the nodes' Node processes and of redis-server, ms. */
  helperCpuMs(): number;
  stop(): Promise<void>;
}

/** A secret both nodes sign and check access tokens with (a page of one node joins through the other). */
export const TOKEN_SECRET = 'bench-cluster-secret-of-at-least-32-bytes';

async function startNode(
  id: string,
  ip: string,
  redis: string,
  rtcPorts: [number, number],
  mode: NodeOptions['mode'],
): Promise<BenchNode> {
  const port = await freePort(ip);
  const options: NodeOptions = { id, ip, port, redis, rtcPorts, mode, tokenSecret: TOKEN_SECRET };
  const child = Child.start('./node.ts', import.meta.url, [JSON.stringify(options)]);
  await child.ready();
  const info = await child.call<{ pid: number; workerPids: number[] }>('info');
  return { id, ip, port, child, pid: info.pid, workerPid: info.workerPids[0]! };
}

/** Starts Redis and nodes A (127.0.0.2) and B (127.0.0.3). */
export async function startCluster(
  mode: NodeOptions['mode'],
  ports: { a: [number, number]; b: [number, number] },
): Promise<BenchCluster> {
  const redis = await startRedis();
  const started: BenchNode[] = [];
  try {
    started.push(await startNode('a', '127.0.0.2', redis.url, ports.a, mode));
    started.push(await startNode('b', '127.0.0.3', redis.url, ports.b, mode));
  } catch (error) {
    await Promise.all(started.map((n) => n.child.stop()));
    await redis.stop();
    throw error;
  }
  const [a, b] = started as [BenchNode, BenchNode];
  return {
    redis,
    a,
    b,
    helperCpuMs: () => [a.pid, b.pid, redis.pid].reduce((s, pid) => s + processCpuMs(pid), 0),
    async stop() {
      await Promise.all([a.child.stop(), b.child.stop()]);
      await redis.stop();
    },
  };
}
