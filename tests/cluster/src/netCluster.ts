// A test cluster whose every part is a host of its own: Redis and each node
// in a network namespace, joined by a router namespace (hub) that carries the
// cluster's traffic (Redis, pipes); each node also has a link to the
// machine's own namespace, where the test, its sockets and its browsers are.
//
//   root (test) ── node x ──┐
//               └─ node y ──┼── hub ── redis
import type { SpawnOptions } from 'node:child_process';
import {
  createNetwork,
  findSystemBinary,
  type Host,
  type Link,
  type Network,
  type RedisProcess,
  type SentinelSet,
  startRedis,
  startSentinels,
} from '@x/testkit';
import { type NodeProcess, startNode } from './harness.js';

/** One node's host and its two links. */
export interface NetNode {
  host: Host;
  /** To the root namespace: `b.address` is the node's (clients, RTC), `a.address` the root's. */
  root: Link;
  /** To the hub: `b.address` is the node's pipe address. */
  pipe: Link;
  process: NodeProcess;
}

export interface NetCluster {
  net: Network;
  hub: Host;
  /** Redis (with `sentinel`: undefined). */
  redis: RedisProcess | undefined;
  /** The primary, replica and sentinels (with `sentinel`). */
  sentinels: SentinelSet | undefined;
  /** Redis's link to the hub (`b.address`: where it listens). */
  redisLink: Link;
  /** Starts node `name` on a host of its own (`id`: its cluster id). */
  start(
    name: string,
    options: { id: string; rtcMinPort: number; demo?: boolean },
  ): Promise<NetNode>;
  /**
   * Drops, in the hub, what addresses `x` and `y` send each other over
   * `proto` (an nftables table named `name`), until {@link heal}.
   */
  cut(name: string, x: string, y: string, proto: 'udp' | 'tcp'): void;
  /** Lifts the cut `name`. */
  heal(name: string): void;
  /** Kills every node, Redis, and removes the namespaces. */
  dispose(): Promise<void>;
}

/** The signaling port of every node (each has its own address). */
export const NODE_PORT = 8000;

/**
 * Makes the hub and Redis (with `sentinel`: a primary, a replica and three
 * sentinels, all on the Redis host); nodes come with `start`.
 */
export async function netCluster(options: { sentinel?: boolean } = {}): Promise<NetCluster> {
  const net = createNetwork();
  const hub = net.host('hub', { router: true });
  const redisHost = net.host('redis');
  const redisLink = net.link(hub, redisHost);
  net.defaultRoute(redisHost, redisLink.a.address);
  const there = {
    bind: redisLink.b.address,
    spawn: (command: string, args: string[], spawnOptions: SpawnOptions) =>
      net.spawn(redisHost, command, args, spawnOptions),
  };
  const sentinels = options.sentinel
    ? await startSentinels({
        ...there,
        run: (command, args) => net.exec(redisHost, command, args),
      })
    : undefined;
  const redis = sentinels ? undefined : await startRedis({ ...there, port: 6379 });
  const where = sentinels ? { sentinels: sentinels.sentinels, name: sentinels.name } : redis!.url;
  const nodes: NetNode[] = [];
  return {
    net,
    hub,
    redis,
    sentinels,
    redisLink,
    async start(name, options) {
      const host = net.host(name);
      const root = net.link(net.root, host);
      const pipe = net.link(hub, host);
      net.defaultRoute(host, pipe.a.address);
      const process = await startNode({
        ...options,
        ip: root.b.address,
        pipeIp: pipe.b.address,
        port: NODE_PORT,
        redis: where,
        spawn: (command, args, spawnOptions) => net.spawn(host, command, args, spawnOptions),
      });
      const node = { host, root, pipe, process };
      nodes.push(node);
      return node;
    },
    cut(name, x, y, proto) {
      net.nft(
        hub,
        `table ip ${name} {
  chain forward {
    type filter hook forward priority filter; policy accept;
    ip saddr ${x} ip daddr ${y} meta l4proto ${proto} drop
    ip saddr ${y} ip daddr ${x} meta l4proto ${proto} drop
  }
}
`,
      );
    },
    heal(name) {
      net.exec(hub, findSystemBinary('nft', 'nftables'), ['delete', 'table', 'ip', name]);
    },
    async dispose() {
      await Promise.all(nodes.map((n) => n.process.kill('SIGKILL')));
      await redis?.kill().catch(() => undefined);
      await sentinels?.stop().catch(() => undefined);
      net.dispose();
    },
  };
}
