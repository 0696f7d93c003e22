import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';

/** Options of cluster mode (`ServerOptions.cluster`): nodes of one cluster share a Redis. */
export interface ClusterOptions {
  /**
   * The Redis that coordinates the cluster: `redis://[:password@]host:port[/db]`,
   * or `rediss://…` for TLS (the server's certificate is checked against
   * Node's CAs: add a private CA with `NODE_EXTRA_CA_CERTS`). The pipes' SRTP
   * keys travel through it: give it a password, and TLS across hosts.
   * With Redis Sentinel (no single point of failure): a {@link RedisSentinels}.
   */
  redis: string | RedisSentinels;
  /** This node's id, unique in the cluster. Default: a random one. */
  nodeId?: string;
  /**
   * The URL clients reach this node's signaling at (`wss://b.example.com/ws`):
   * where other nodes send clients they cannot take.
   */
  signalingUrl: string;
  /** The IP this node's pipes to other nodes listen on: an address the other nodes reach. */
  pipeListenIp: string;
  /** The IP other nodes send pipe media to, when it is not `pipeListenIp` (NAT). */
  pipeAnnouncedIp?: string;
  /**
   * Encrypt the media between nodes (SRTP on the pipe transports, keys
   * exchanged through Redis). Default true. `false` sends plain RTP, readable
   * and injectable by anyone on the path: only for a private network you
   * trust, and every node of the cluster must say the same.
   */
  pipeSrtp?: boolean;
  /** How often this node tells it lives, in ms. Default 1000. */
  heartbeatMs?: number;
  /** A node silent for this long is dead: its peers leave every room, in ms. Default 3000 (a dead node is noticed within 4 s). */
  nodeTtlMs?: number;
  /** Peers this node takes at most; past it, joins are refused NODE_UNAVAILABLE. Default: no limit. */
  maxPeers?: number;
  /** Prefix of the cluster's Redis keys and channels (several clusters on one Redis). Default 'x:'. */
  keyPrefix?: string;
}

/**
 * A Redis watched by Redis Sentinel: the nodes ask the sentinels where the
 * primary is, and follow it when they fail it over to a replica.
 */
export interface RedisSentinels {
  /** Some of the sentinels (one that answers is enough). */
  sentinels: {
    /** A sentinel's host. */
    host: string;
    /** Its port (Sentinel's default is 26379). */
    port: number;
  }[];
  /** The name the sentinels monitor the primary under (`sentinel monitor <name> …`). */
  name: string;
  /** The primary's and replicas' password (`requirepass`), if any. */
  password?: string;
  /** The sentinels' own password (`requirepass` in their config), if any. */
  sentinelPassword?: string;
  /** TLS to the primary and the sentinels (the CA through `NODE_EXTRA_CA_CERTS`). Default false. */
  tls?: boolean;
}

/** Cluster options with their defaults. */
export type ResolvedClusterOptions = Required<Omit<ClusterOptions, 'pipeAnnouncedIp'>> & {
  /** The IP other nodes send pipe media to, when it is not `pipeListenIp` (NAT). */
  pipeAnnouncedIp: string | undefined;
};

/** Applies the defaults and checks the values. */
export function resolveClusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  if (typeof options.redis === 'string') {
    if (!/^rediss?:\/\//.test(options.redis))
      throw new TypeError(
        'cluster.redis must be a redis:// URL (rediss:// for TLS), or { sentinels, name } for Redis Sentinel',
      );
  } else checkSentinels(options.redis);
  try {
    new URL(options.signalingUrl);
  } catch {
    throw new TypeError(
      'cluster.signalingUrl must be the URL clients reach this node at (ws:// or wss://)',
    );
  }
  if (!isIP(options.pipeListenIp))
    throw new TypeError('cluster.pipeListenIp must be an IP address');
  if (options.pipeAnnouncedIp !== undefined && !isIP(options.pipeAnnouncedIp))
    throw new TypeError('cluster.pipeAnnouncedIp must be an IP address');
  if (options.pipeSrtp !== undefined && typeof options.pipeSrtp !== 'boolean')
    throw new TypeError('cluster.pipeSrtp must be true or false');
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const nodeTtlMs = options.nodeTtlMs ?? 3000;
  if (nodeTtlMs < heartbeatMs * 2)
    throw new TypeError('cluster.nodeTtlMs must be at least twice cluster.heartbeatMs');
  return {
    redis: options.redis,
    nodeId: options.nodeId ?? randomUUID().slice(0, 8),
    signalingUrl: options.signalingUrl,
    pipeListenIp: options.pipeListenIp,
    pipeAnnouncedIp: options.pipeAnnouncedIp,
    pipeSrtp: options.pipeSrtp ?? true,
    heartbeatMs,
    nodeTtlMs,
    maxPeers: options.maxPeers ?? Number.POSITIVE_INFINITY,
    keyPrefix: options.keyPrefix ?? 'x:',
  };
}

function checkSentinels(redis: RedisSentinels): void {
  const bad = (why: string) => new TypeError(`cluster.redis: ${why}`);
  if (typeof redis !== 'object' || redis === null)
    throw bad('must be a redis:// URL, or { sentinels, name }');
  if (!Array.isArray(redis.sentinels) || redis.sentinels.length === 0)
    throw bad('sentinels must list at least one { host, port }');
  for (const s of redis.sentinels)
    if (typeof s?.host !== 'string' || !Number.isInteger(s.port) || s.port < 1 || s.port > 65535)
      throw bad(`sentinel ${JSON.stringify(s)} is not a { host, port }`);
  if (typeof redis.name !== 'string' || redis.name === '')
    throw bad('name must be the name the sentinels monitor the primary under');
}

/** Where the cluster's Redis is, fit for logs and errors: a URL's password replaced by `***`. */
export function redactRedisUrl(url: string | RedisSentinels): string {
  if (typeof url !== 'string')
    return `the primary "${url.name}" of sentinels ${url.sentinels.map((s) => `${s.host}:${s.port}`).join(', ')}`;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured Redis URL';
  }
}
