// The built demo as a separate process (so that its memory and descriptors
// are its own), with what the hostile tests measure of it.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProtocolClient } from '@x/testkit';

const here = dirname(fileURLToPath(import.meta.url));
const main = resolve(here, '../../dist/server/main.js');

/** What the demo holds (its IPC `inspect`). */
export interface DemoState {
  rooms: number;
  peers: number;
  connections: number;
  sessions: number;
  recordings: number;
}

export interface DemoProcess {
  process: ChildProcess;
  port: number;
  /** What the server logged on stderr (its warnings and errors). */
  log(): string;
  inspect(): Promise<DemoState>;
  /** Resident memory of the demo's Node process, in MiB. */
  rssMiB(): number;
  /** Its open file descriptors. */
  fds(): number;
  /** Its mediasoup workers. */
  workers(): number[];
  /** Its child processes (workers, ffmpeg). */
  children(): { pid: number; name: string }[];
  stop(): Promise<void>;
}

export async function startDemoProcess(env: Record<string, string>): Promise<DemoProcess> {
  if (!existsSync(main))
    throw new Error(`the demo server is not built (${main}): run pnpm --filter @x/demo build`);
  const child = fork(main, [], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-200_000);
  });
  const deadline = Date.now() + 30_000;
  const printed = /https?:\/\/[\w.-]+:(\d+)\/\?room=/;
  while (!printed.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`the demo did not start: ${out}\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const port = Number(printed.exec(out)![1]);
  const pid = child.pid!;
  return {
    process: child,
    port,
    log: () => err,
    inspect: () =>
      new Promise((resolveState, reject) => {
        const timer = setTimeout(() => reject(new Error('the demo did not answer inspect')), 5000);
        const onMessage = (m: unknown) => {
          const state = (m as { inspect?: DemoState }).inspect;
          if (!state) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolveState(state);
        };
        child.on('message', onMessage);
        child.send('inspect');
      }),
    rssMiB: () => {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return Number(kb) / 1024;
    },
    fds: () => readdirSync(`/proc/${pid}/fd`).length,
    workers: () =>
      children(pid)
        .filter((c) => c.name.startsWith('mediasoup-work'))
        .map((c) => c.pid),
    children: () => children(pid),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** GET a JSON document from the demo, from a given local address. */
export function getJson(
  port: number,
  path: string,
  localAddress = '127.0.0.1',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolveGet, reject) => {
    get({ host: '127.0.0.1', port, path, localAddress, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = { text };
        }
        resolveGet({ status: res.statusCode ?? 0, body });
      });
    }).on('error', reject);
  });
}

/** A token from the demo's dev endpoint, asked from `localAddress`. */
export async function demoToken(
  port: number,
  room: string,
  peer: string,
  localAddress = '127.0.0.1',
): Promise<string> {
  const { status, body } = await getJson(
    port,
    `/api/token?room=${encodeURIComponent(room)}&peer=${encodeURIComponent(peer)}`,
    localAddress,
  );
  if (status !== 200) throw new Error(`no token: ${status} ${JSON.stringify(body)}`);
  return body.token as string;
}

let legit = 0;
/**
 * A legitimate user, from an address of its own (127.0.0.2): asks a token,
 * connects, queries and joins a room, leaves. True when all of it worked.
 */
export async function legitimateJoin(port: number): Promise<boolean> {
  const name = `legit-${++legit}`;
  try {
    const token = await demoToken(port, 'legit', name, '127.0.0.2');
    const client = await ProtocolClient.connect(`ws://127.0.0.1:${port}/ws?room=legit`, {
      localAddress: '127.0.0.2',
    });
    const capabilities = await (async () => {
      const r = await client.ok({ queryRoom: { token } }, 'queryRoom');
      return (await import('@x/protocol')).rtpCapabilitiesFromMessage(r.rtpCapabilities!);
    })();
    await client.join(name, capabilities, { token });
    client.leave();
    return true;
  } catch {
    return false;
  }
}

/** The child processes of a process, with their names (from /proc). */
function children(parent: number): { pid: number; name: string }[] {
  const found: { pid: number; name: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === String(parent))
        found.push({ pid: Number(d), name });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
