// The parts of a test cluster, all real: redis-server on a free port, and
// node processes (src/node.ts) each on its own loopback address.
import { type ChildProcess, fork, type SpawnOptions } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAccessToken } from '@x/server';
import { freePort, killed } from '@x/testkit';
import { expect } from 'vitest';

export { freePort, type RedisProcess, startRedis } from '@x/testkit';

const here = dirname(fileURLToPath(import.meta.url));

/** The secret every node of the test cluster verifies tokens with (tokens work on any node). */
export const AUTH_SECRET = 'cluster-test-secret-of-at-least-32-bytes!';

export interface NodeProcess {
  id: string;
  ip: string;
  port: number;
  process: ChildProcess;
  /** The node's signaling URL for a room. */
  url(room: string): string;
  /** `http://ip:port`: where a demo node serves its page. */
  origin: string;
  /** Runs one of node.ts's IPC operations. */
  call<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>;
  /** What the node logged on stderr. */
  log(): string;
  /** Resolves with the exit code (or signal). */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a cluster node on `ip` (a loopback address of its own). */
export async function startNode(options: {
  id: string;
  ip: string;
  /** A Redis URL, or sentinels that watch the primary `name`. */
  redis: string | { sentinels: { host: string; port: number }[]; name: string };
  rtcMinPort: number;
  /** Peers the node takes at most. */
  maxPeers?: number;
  /** cluster.nodeTtlMs: how long this node waits before it takes a silent one for dead (default 3000). */
  nodeTtlMs?: number;
  /** cluster.pipeSrtp (default true). */
  pipeSrtp?: boolean;
  /** More environment for the node's process (NODE_EXTRA_CA_CERTS, say). */
  env?: Record<string, string>;
  /** The address of its pipes, when not `ip` (a host with two interfaces). */
  pipeIp?: string;
  /** Its signaling port. Default: a free one of `ip` (in this namespace). */
  port?: number;
  /** Runs the built demo (its page on `http://ip:port/`, signaling on /ws) instead of a bare endpoint. */
  demo?: boolean;
  /** Starts the node's process somewhere else (a network namespace: `Network.spawn`). */
  spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
}): Promise<NodeProcess> {
  const port = options.port ?? (await freePort(options.ip));
  const script = resolve(here, 'node.ts');
  const spawnOptions: SpawnOptions = {
    env: {
      ...process.env,
      NODE_ID: options.id,
      NODE_IP: options.ip,
      NODE_PORT: String(port),
      ...(typeof options.redis === 'string'
        ? { REDIS_URL: options.redis }
        : { REDIS_SENTINELS: JSON.stringify(options.redis) }),
      RTC_MIN_PORT: String(options.rtcMinPort),
      AUTH_SECRET,
      ...(options.maxPeers === undefined ? {} : { MAX_PEERS: String(options.maxPeers) }),
      ...(options.pipeSrtp === false ? { PIPE_SRTP: 'false' } : {}),
      ...(options.nodeTtlMs === undefined ? {} : { NODE_TTL_MS: String(options.nodeTtlMs) }),
      ...(options.pipeIp ? { PIPE_IP: options.pipeIp } : {}),
      ...(options.demo ? { NODE_DEMO: '1' } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  };
  const child = options.spawn
    ? options.spawn(process.execPath, ['--import', 'tsx', script], spawnOptions)
    : fork(script, [], { ...spawnOptions, execArgv: ['--import', 'tsx'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-100_000);
  });
  child.stdout!.resume();
  const exited = new Promise<number | string>((r) =>
    child.once('exit', (code, signal) => r(code ?? signal ?? -1)),
  );
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`node ${options.id} did not start: ${err}`)),
      30_000,
    );
    child.on('message', (m: { ready?: boolean; id?: number; ok?: unknown; error?: string }) => {
      if (m.ready) {
        clearTimeout(timer);
        ready();
        return;
      }
      const p = pending.get(m.id!);
      pending.delete(m.id!);
      if (m.error !== undefined) p?.reject(new Error(`${options.id}: ${m.error}`));
      else p?.resolve(m.ok);
    });
    void exited.then((code) => fail(new Error(`node ${options.id} exited (${code}): ${err}`)));
  });
  return {
    id: options.id,
    ip: options.ip,
    port,
    process: child,
    url: (room) =>
      options.demo
        ? `ws://${options.ip}:${port}/ws?roomId=${encodeURIComponent(room)}`
        : `ws://${options.ip}:${port}/?roomId=${encodeURIComponent(room)}`,
    origin: `http://${options.ip}:${port}`,
    call<T>(op: string, args: Record<string, unknown> = {}) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, op, args });
      });
    },
    log: () => err,
    exited,
    kill: (signal = 'SIGKILL') => killed(child, signal),
  };
}

/** An access token for `peer` in `room` (plain RTP allowed: the tests receive media on UDP sockets). */
export function tokenFor(room: string, peer: string): Promise<string> {
  return createAccessToken({ secret: AUTH_SECRET, room, peer, canUsePlainRtp: true });
}

/**
 * Starts an RtpStreamer on `node` of a producer of another node as soon as
 * `node` knows of it (a moment after a join or a heal): that consumer is what
 * has the producer piped there. Fails with the node's last answer after 10 s.
 */
export async function streamOnceKnown(
  node: NodeProcess,
  stream: { room: string; peer: string; producer: number; ip: string; port: number },
): Promise<void> {
  await expect
    .poll(
      () =>
        node.call('stream', stream).then(
          () => true,
          (error: Error) => error.message,
        ),
      { timeout: 10_000, interval: 250 },
    )
    .toBe(true);
}
