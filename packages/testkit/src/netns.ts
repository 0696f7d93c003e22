// Hosts of their own on one machine, for the network tests: Linux network
// namespaces joined by veth pairs, with addresses in 198.18.0.0/15 (the range
// RFC 2544 reserves for network tests: nothing outside the machine answers
// to it), default routes, forwarding in router namespaces, and nftables
// rulesets inside a namespace (see nftables.ts). Needs root, iproute2 and
// nftables; `tc netem` does not work on these kernels (no netem qdisc).
//
// Everything a network creates is named after a tag unique to the process
// and the network (`xn<pid>-<n>`), and removed by `dispose()`, by a process
// exit hook, and at the next start when the process that made it is gone.
import {
  type ChildProcess,
  type ExecFileSyncOptions,
  execFileSync,
  type SpawnOptions,
  spawn,
} from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { processAlive } from './tempDirs.js';

/** A host of a {@link Network}: a namespace it made, or the machine's own (root) namespace. */
export interface Host {
  /** The short name given to {@link Network.host} ('root' for the root namespace). */
  readonly name: string;
  /** The namespace's name for `ip netns`; undefined for the root namespace. */
  readonly netns: string | undefined;
}

/** One end of a {@link Link}. */
export interface LinkEnd {
  host: Host;
  /** The veth interface's name (at most 15 characters). */
  ifname: string;
  /** Its IPv4 address (in a /30 of 198.18.0.0/15). */
  address: string;
}

/** A veth pair between two hosts, with a /30 of its own. */
export interface Link {
  a: LinkEnd;
  b: LinkEnd;
  /** The /30, e.g. 198.18.7.4/30. */
  subnet: string;
}

/** Options of {@link Network.host}. */
export interface HostOptions {
  /** Forward IPv4 between its interfaces (`net.ipv4.ip_forward=1` in it): a router. Default false. */
  router?: boolean;
}

const TAG_PREFIX = 'xn';
/** `xn<pid base 36>-<n base 36>`, then `-…` for each name made under it. */
const TAG = /^xn([0-9a-z]+)-([0-9a-z]+)-/;
const MAX_LINKS = 64;
const MAX_NETWORKS = 36 * 36;

let ipPath: string | undefined;
const live = new Set<Network>();
let networksMade = 0;
let hooked = false;

/**
 * Finds a binary on PATH or in the sbin folders (a non-root PATH may leave
 * them out); fails naming the Debian package that brings it.
 */
export function findSystemBinary(name: string, debianPackage: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new Error(
    `${name} is not installed: install the Debian package ${debianPackage} (pnpm system-deps does)`,
  );
}

/** Fails unless this process is root and has `ip` (iproute2) and `nft` (nftables). */
export function requireNetworkTools(): { ip: string; nft: string } {
  const ip = findSystemBinary('ip', 'iproute2');
  const nft = findSystemBinary('nft', 'nftables');
  if (process.getuid?.() !== 0)
    throw new Error(
      'the network tests need root: they create network namespaces, veth pairs and nftables rules ' +
        '(ip netns, nft). Run them as root, as CI does; they never skip',
    );
  return { ip, nft };
}

/** Runs a command, returning its stdout; on failure throws with the command and its stderr. */
export function run(command: string, args: string[], options: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      ...options,
    }) as string;
  } catch (error) {
    const e = error as { stderr?: Buffer | string; message: string };
    const stderr = String(e.stderr ?? '').trim();
    throw new Error(`${[command, ...args].join(' ')} failed: ${stderr || e.message}`);
  }
}

function ip(args: string[], options?: ExecFileSyncOptions): string {
  ipPath ??= findSystemBinary('ip', 'iproute2');
  return run(ipPath, args, options);
}

/** Runs `ip …`, ignoring failure (for cleanup of what may be gone already). */
function ipQuiet(args: string[]): string {
  try {
    return ip(args);
  } catch {
    return '';
  }
}

/** Kills every process inside a namespace (a browser, a TURN server), then deletes it. */
function deleteNamespace(netns: string): void {
  for (const pid of ipQuiet(['netns', 'pids', netns]).split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already
    }
  }
  ipQuiet(['netns', 'del', netns]);
}

/** Names of the namespaces on this machine (`ip netns list`). */
function namespaces(): string[] {
  return ipQuiet(['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** Names of the root namespace's interfaces. */
function rootInterfaces(): string[] {
  return ipQuiet(['-o', 'link', 'show'])
    .split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
    .filter(Boolean);
}

/**
 * Removes what networks of a process that is gone (a run that crashed or was
 * killed), or of this very process id (a reused pid), left behind:
 * namespaces, with whatever still runs inside them, and root-side veth ends.
 * Networks of processes still alive (a parallel run) are left alone.
 * Returns what it removed.
 */
export function cleanLeftovers(): string[] {
  const removed: string[] = [];
  const ours = new Set([...live].map((n) => n.tag));
  const stale = (name: string) => {
    const m = TAG.exec(name);
    if (!m) return false;
    const tag = `${TAG_PREFIX}${m[1]}-${m[2]}`;
    if (ours.has(tag)) return false;
    const pid = Number.parseInt(m[1]!, 36);
    return pid === process.pid || !processAlive(pid);
  };
  for (const netns of namespaces().filter(stale)) {
    deleteNamespace(netns);
    removed.push(`netns ${netns}`);
  }
  for (const ifname of rootInterfaces().filter(stale)) {
    ipQuiet(['link', 'del', ifname]);
    removed.push(`link ${ifname}`);
  }
  return removed;
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const network of live) network.dispose();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      for (const network of live) network.dispose();
      // Then die of the signal as the process would have.
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** The /24s of 198.18.0.0/15 that an address or route of the root namespace touches. */
function usedBlocks(): Set<number> {
  const used = new Set<number>();
  const text = `${ipQuiet(['-4', '-o', 'addr', 'show'])}\n${ipQuiet(['-4', 'route', 'show', 'table', 'all'])}`;
  for (const m of text.matchAll(/\b198\.(18|19)\.(\d+)\.\d+/g))
    used.add((Number(m[1]) - 18) * 256 + Number(m[2]));
  return used;
}

/**
 * A small network of hosts. Make one with {@link createNetwork}; call
 * {@link Network.dispose} when done (an `afterAll`): it also runs at process
 * exit, and at the next start if this process dies first.
 */
export class Network {
  /** This network's unique prefix: every namespace and interface it makes starts with it. */
  readonly tag: string;
  /** The machine's own namespace (where a test's server listens). */
  readonly root: Host = { name: 'root', netns: undefined };
  /** The /24 of 198.18.0.0/15 its links take their /30s from. */
  readonly block: string;
  readonly #hosts: Host[] = [];
  readonly #rootIfs: string[] = [];
  #links = 0;
  #disposed = false;

  /** @internal Use {@link createNetwork}. */
  constructor(tag: string, block: number) {
    this.tag = tag;
    this.block = `198.${18 + (block >> 8)}.${block & 255}`;
  }

  /** The hosts made so far (not the root). */
  get hosts(): readonly Host[] {
    return this.#hosts;
  }

  /**
   * Makes a host: a namespace `<tag>-<name>` with its loopback up, and
   * forwarding on when it is a router. `name`: lowercase letters and digits.
   */
  host(name: string, options: HostOptions = {}): Host {
    this.#check();
    if (!/^[a-z0-9]{1,20}$/.test(name))
      throw new Error(`host name ${JSON.stringify(name)}: 1-20 lowercase letters or digits`);
    if (this.#hosts.some((h) => h.name === name)) throw new Error(`host ${name} exists already`);
    const host: Host = { name, netns: `${this.tag}-${name}` };
    ip(['netns', 'add', host.netns!]);
    this.#hosts.push(host);
    ip(['-n', host.netns!, 'link', 'set', 'lo', 'up']);
    this.sysctl(host, 'net.ipv4.ip_forward', options.router ? '1' : '0');
    return host;
  }

  /**
   * Joins two hosts with a veth pair, each end up with an address of a /30
   * of its own (`a` gets the first). A root-side end is removed with its
   * peer when the other host's namespace goes.
   */
  link(a: Host, b: Host): Link {
    this.#check();
    if (a === b) throw new Error('a link joins two different hosts');
    if (this.#links >= MAX_LINKS) throw new Error(`a network has at most ${MAX_LINKS} links`);
    const i = this.#links++;
    const base = i * 4;
    const ends: [LinkEnd, LinkEnd] = [
      { host: a, ifname: `${this.tag}-${i}a`, address: `${this.block}.${base + 1}` },
      { host: b, ifname: `${this.tag}-${i}b`, address: `${this.block}.${base + 2}` },
    ];
    // Both ends are born in the root namespace, then each moves to its host.
    ip(['link', 'add', ends[0].ifname, 'type', 'veth', 'peer', 'name', ends[1].ifname]);
    for (const end of ends) {
      if (end.host.netns) ip(['link', 'set', end.ifname, 'netns', end.host.netns]);
      else this.#rootIfs.push(end.ifname);
    }
    for (const end of ends) {
      const n = end.host.netns ? ['-n', end.host.netns] : [];
      ip([...n, 'addr', 'add', `${end.address}/30`, 'dev', end.ifname]);
      ip([...n, 'link', 'set', end.ifname, 'up']);
    }
    // The root namespace sends what it has for the rest of this network's
    // /24 (an address behind a router, say) into its first link, never out
    // of the machine by its default route. The route goes with that link.
    const rootEnd = ends.find((e) => !e.host.netns);
    if (rootEnd && this.#rootIfs.length === 1)
      ip(['route', 'add', `${this.block}.0/24`, 'dev', rootEnd.ifname]);
    return { a: ends[0], b: ends[1], subnet: `${this.block}.${base}/30` };
  }

  /** Sets `host`'s default route via `gateway` (an address on one of its links). */
  defaultRoute(host: Host, gateway: string): void {
    this.route(host, 'default', gateway);
  }

  /** Adds a route to `destination` (CIDR or 'default') via `gateway` in a namespace of this network. */
  route(host: Host, destination: string, gateway: string): void {
    ip(['-n', this.#own(host), 'route', 'replace', destination, 'via', gateway]);
  }

  /** Sets a sysctl inside a namespace of this network (its own copy of net.*). */
  sysctl(host: Host, key: string, value: string): void {
    this.exec(host, 'sysctl', ['-q', '-w', `${key}=${value}`]);
  }

  /** Runs a command inside `host` and returns its stdout; throws with its stderr on failure. */
  exec(
    host: Host,
    command: string,
    args: string[] = [],
    options: ExecFileSyncOptions = {},
  ): string {
    if (!host.netns) return run(command, args, options);
    return ip(['netns', 'exec', this.#own(host), command, ...args], options);
  }

  /** Starts a command inside `host` (a server, a browser); it is killed at dispose at the latest. */
  spawn(
    host: Host,
    command: string,
    args: string[] = [],
    options: SpawnOptions = {},
  ): ChildProcess {
    if (!host.netns) return spawn(command, args, options);
    ipPath ??= findSystemBinary('ip', 'iproute2');
    return spawn(ipPath, ['netns', 'exec', this.#own(host), command, ...args], options);
  }

  /**
   * Loads an nftables ruleset (`nft -f`) inside a namespace of this network;
   * see nftables.ts for the ones the tests use. Refuses the root namespace:
   * a test never changes the machine's own firewall.
   */
  nft(host: Host, ruleset: string): void {
    const nft = findSystemBinary('nft', 'nftables');
    if (!host.netns)
      throw new Error('nft rules go into a namespace of the network, never the root');
    this.exec(host, nft, ['-f', '-'], { input: ruleset });
  }

  /** The ruleset loaded in a namespace (`nft list ruleset`), for a failing test's message. */
  ruleset(host: Host): string {
    return this.exec(host, findSystemBinary('nft', 'nftables'), ['list', 'ruleset']);
  }

  /**
   * Removes everything this network made: kills what still runs inside its
   * namespaces, deletes them (and so their veth pairs) and any root-side
   * veth end left. Idempotent; never throws.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    live.delete(this);
    for (const host of this.#hosts) deleteNamespace(host.netns!);
    const left = new Set(rootInterfaces());
    for (const ifname of this.#rootIfs) if (left.has(ifname)) ipQuiet(['link', 'del', ifname]);
  }

  #own(host: Host): string {
    if (!host.netns || !this.#hosts.includes(host))
      throw new Error(`${host.name} is not a namespace of network ${this.tag}`);
    return host.netns;
  }

  #check(): void {
    if (this.#disposed) throw new Error(`network ${this.tag} is disposed`);
  }
}

/**
 * Creates an empty network (add hosts and links to it): checks root and the
 * tools first, and removes the leftovers of crashed runs (see
 * {@link cleanLeftovers}). Its addresses are a /24 of 198.18.0.0/15 that no
 * address or route of the machine uses yet, so parallel runs don't collide.
 */
export function createNetwork(): Network {
  requireNetworkTools();
  cleanLeftovers();
  if (networksMade >= MAX_NETWORKS)
    throw new Error(`one process makes at most ${MAX_NETWORKS} networks`);
  const tag = `${TAG_PREFIX}${process.pid.toString(36)}-${(networksMade++).toString(36)}`;
  const used = usedBlocks();
  for (const n of live) used.add(blockNumber(n.block));
  // Start at a place of its own (per pid and network), skipping the first /24.
  const start = (process.pid * 7 + networksMade * 31) % 511;
  let block = -1;
  for (let i = 0; i < 511; i++) {
    const candidate = 1 + ((start + i) % 511);
    if (!used.has(candidate)) {
      block = candidate;
      break;
    }
  }
  if (block < 0) throw new Error('every /24 of 198.18.0.0/15 is in use on this machine');
  const network = new Network(tag, block);
  live.add(network);
  hookExit();
  return network;
}

function blockNumber(block: string): number {
  const [, second, third] = block.split('.').map(Number);
  return (second! - 18) * 256 + third!;
}
