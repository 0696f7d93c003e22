// A redis-server of a test's own, on a free port (Debian's `redis-server`),
// that the test can kill and start again.
import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { requireBinary } from './media.js';
import { ownTempDir } from './tempDirs.js';

/** A free TCP port on `ip`. */
export async function freePort(ip = '127.0.0.1'): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, ip, r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

export interface RedisProcess {
  url: string;
  port: number;
  /** The redis-server's process id (a new one after `restart()`). */
  readonly pid: number;
  /** Kills it (SIGKILL: no save, as a crash). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** How a test's redis-server is reached: a password, TLS. */
export interface RedisOptions {
  /** `requirepass`: clients must authenticate (the URL carries it). */
  password?: string;
  /** TLS only (no plain port): the server's certificate and key, PEM files. The URL is `rediss://`. */
  tls?: { certFile: string; keyFile: string };
  /** The address to listen on. Default 127.0.0.1. */
  bind?: string;
  /** The port. Default: a free one of 127.0.0.1. */
  port?: number;
  /** Starts redis-server somewhere else (in a network namespace: `Network.spawn`). Default: here. */
  spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
}

async function spawnRedis(
  port: number,
  options: RedisOptions = {},
  extra: string[] = [],
): Promise<ChildProcess> {
  // A dir of its own: a replica's full sync writes dump.rdb there, and a
  // redis-server loads the dump.rdb of its dir at start (an "empty" Redis
  // that is not).
  const dir = ownTempDir('x-redis-');
  const args = [
    ...['--bind', options.bind ?? '127.0.0.1', '--save', '', '--appendonly', 'no'],
    ...['--dir', dir, ...extra],
    // On another address than the loopback (a test network's), Redis without a
    // password accepts, says DENIED and closes, unless protected mode is off.
    ...(options.bind && !options.password ? ['--protected-mode', 'no'] : []),
  ];
  if (options.tls)
    args.push(
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--tls-cert-file',
      options.tls.certFile,
      '--tls-key-file',
      options.tls.keyFile,
      '--tls-auth-clients',
      'no',
    );
  else args.push('--port', String(port));
  if (options.password) args.push('--requirepass', options.password);
  const child = (options.spawn ?? spawn)('redis-server', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 10_000;
  while (!/Ready to accept connections/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`redis-server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

/** Signals a child process and resolves once it exited. */
export async function killed(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exit;
}

/** Starts a redis-server of its own (Debian's `redis-server` package), with a password or TLS if asked. */
export async function startRedis(options: RedisOptions = {}): Promise<RedisProcess> {
  requireBinary('redis-server', 'redis-server');
  const port = options.port ?? (await freePort());
  let child = await spawnRedis(port, options);
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://${auth}${options.bind ?? '127.0.0.1'}:${port}`,
    port,
    get pid() {
      return child.pid!;
    },
    kill: () => killed(child, 'SIGKILL'),
    async restart() {
      child = await spawnRedis(port, options);
    },
    stop: () => killed(child, 'SIGTERM'),
  };
}

/** A primary, its replica and three sentinels (quorum 2) watching them: see {@link startSentinels}. */
export interface SentinelSet {
  /** The name the sentinels monitor the primary under. */
  name: string;
  /** The sentinels' addresses. */
  sentinels: { host: string; port: number }[];
  /** The port of the primary as the sentinels say now (after a failover: the replica's). */
  primaryPort(): number | undefined;
  /** The first primary (kill it for a failover). */
  primary: { port: number; kill(): Promise<void> };
  /** The replica (the primary after a failover). */
  replica: { port: number };
  /** Stops every process. */
  stop(): Promise<void>;
}

/** Where a Sentinel set runs (default: this namespace, on 127.0.0.1 and free ports). */
export interface SentinelOptions {
  /** The name the sentinels monitor the primary under. Default `x-primary`. */
  name?: string;
  /**
   * The address every process listens on (a host of a test network's; its
   * namespace is new, so the ports are 6379, 6380 and 26379–26381).
   */
  bind?: string;
  /** Starts each process there (`Network.spawn`). */
  spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
  /** Runs `redis-cli` there and returns its output (`Network.exec`). */
  run?: (command: string, args: string[]) => string;
}

/**
 * A Redis with Redis Sentinel (Debian's redis-server runs as a sentinel with
 * `--sentinel`): a primary, one replica, three sentinels that fail over a
 * primary silent for 1 s.
 */
export async function startSentinels(options: SentinelOptions = {}): Promise<SentinelSet> {
  requireBinary('redis-server', 'redis-server');
  requireBinary('redis-cli', 'redis-tools');
  const name = options.name ?? 'x-primary';
  const host = options.bind ?? '127.0.0.1';
  const elsewhere = options.bind !== undefined;
  const primaryPort = elsewhere ? 6379 : await freePort();
  const replicaPort = elsewhere ? 6380 : await freePort();
  const where = { bind: options.bind, spawn: options.spawn };
  const primary = await spawnRedis(primaryPort, where);
  const replica = await spawnRedis(replicaPort, where, ['--replicaof', host, String(primaryPort)]);
  const dir = ownTempDir('x-sentinel-');
  const sentinels: { host: string; port: number; child: ChildProcess }[] = [];
  for (let i = 0; i < 3; i++) {
    const port = elsewhere ? 26379 + i : await freePort();
    const conf = join(dir, `sentinel-${i}.conf`);
    // Sentinels rewrite their config file: each has its own, in a dir of the test's.
    writeFileSync(
      conf,
      [
        `port ${port}`,
        `bind ${host}`,
        `dir ${dir}`,
        ...(elsewhere ? ['protected-mode no'] : []),
        `sentinel monitor ${name} ${host} ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    const child = (options.spawn ?? spawn)('redis-server', [conf, '--sentinel'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const deadline = Date.now() + 10_000;
    while (!/Sentinel ID is|monitor master/.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`redis sentinel did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    sentinels.push({ host, port, child });
  }
  const run =
    options.run ??
    ((command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' }).stdout);
  const ask = (port: number): number | undefined => {
    let answer = '';
    try {
      answer = run('redis-cli', [
        ...['-h', host, '-p', String(port)],
        ...['SENTINEL', 'get-master-addr-by-name', name],
      ]);
    } catch {
      // A sentinel that cannot answer now: no primary known.
    }
    const [, p] = answer.trim().split('\n');
    return p ? Number(p) : undefined;
  };
  return {
    name,
    sentinels: sentinels.map(({ host, port }) => ({ host, port })),
    primaryPort: () => ask(sentinels[0]!.port),
    primary: { port: primaryPort, kill: () => killed(primary, 'SIGKILL') },
    replica: { port: replicaPort },
    async stop() {
      await Promise.all([
        ...sentinels.map((s) => killed(s.child, 'SIGTERM')),
        killed(primary, 'SIGKILL'),
        killed(replica, 'SIGTERM'),
      ]);
    },
  };
}
