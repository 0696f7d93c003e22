// A redis-server of a test's own, on a free port (Debian's `redis-server`),
// that the test can kill and start again.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { requireBinary } from './media.js';

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
}

async function spawnRedis(port: number, options: RedisOptions = {}): Promise<ChildProcess> {
  const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
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
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
  const port = await freePort();
  let child = await spawnRedis(port, options);
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
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
