// The server command (packages/server's bin, x-server) as an operator runs
// it: a child process with a YAML configuration file, its output collected.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built command. */
export const CLI = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../packages/server/dist/cli.js',
);

/** A fresh API secret. */
export function secret(): string {
  return randomBytes(32).toString('hex');
}

/** A running x-server. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** `http://127.0.0.1:<port>` */
  http: string;
  /** `ws://127.0.0.1:<port>/ws` */
  ws: string;
  output(): string;
  /** Resolves with the exit code once it exited. */
  exited: Promise<number | null>;
  /** SIGKILL, and its folder removed. */
  kill(): Promise<void>;
}

/** Writes `yaml` to a file of its own and runs `x-server --config` on it; resolves once it listens. */
export async function startServer(
  yaml: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'x-operators-'));
  const file = join(dir, 'server.yaml');
  writeFileSync(file, yaml);
  const child = spawn(process.execPath, [CLI, '--config', file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const port = await new Promise<number>((resolveOk, fail) => {
    const timer = setTimeout(() => fail(new Error(`x-server did not start:\n${output}`)), 30_000);
    const check = () => {
      const m = /listening on wss?:\/\/[^:]+:(\d+)\//.exec(output);
      if (m) {
        clearTimeout(timer);
        resolveOk(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`x-server exited (${code}) before it listened:\n${output}`));
    });
  });
  return {
    child,
    port,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/ws`,
    output: () => output,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the command to its end (for configurations that must not start). */
export function runCommand(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.once('exit', (code) => done({ code, output }));
  });
}

/** A YAML configuration: loopback media on one worker, the given secret, and `extra` lines. */
export function config(apiSecret: string, extra = ''): string {
  return `port: 0
host: 127.0.0.1
workers: 1
auth:
  secret: ${apiSecret}
rtc:
  ipv4: 127.0.0.1
  ipv6: false
${extra}`;
}
