// The rig itself (packages/testkit: netns.ts, nftables.ts, coturn.ts), with
// plain sockets and no browser: each ruleset does what it says, a network
// leaves nothing behind, the leftovers of a killed run are removed (and a
// live run's kept), and TURN REST credentials are what coturn expects.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  allowOnlyTcp,
  cleanCoturnLeftovers,
  cleanLeftovers,
  createNetwork,
  dropUdp,
  findSystemBinary,
  freePort,
  masquerade,
  type Network,
  turnCredentials,
} from '@x/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const ip = findSystemBinary('ip', 'iproute2');
const namespaces = () => execFileSync(ip, ['netns', 'list'], { encoding: 'utf8' });
const links = () => execFileSync(ip, ['-o', 'link', 'show'], { encoding: 'utf8' });

/**
 * Runs a small Node script inside a host: it tries a TCP connection and a
 * UDP datagram to `target` and prints what happened ('ok' or the error code).
 */
function probeFrom(
  net: Network,
  host: Parameters<Network['exec']>[0],
  target: string,
  tcpPort: number,
  udpPort: number,
) {
  const script = `
    const net = require('node:net'), dgram = require('node:dgram');
    const result = {};
    const tcp = new Promise((resolve) => {
      const s = net.connect({ host: ${JSON.stringify(target)}, port: ${tcpPort}, timeout: 1500 });
      s.on('connect', () => { result.tcp = 'ok'; s.destroy(); resolve(); });
      s.on('timeout', () => { result.tcp = 'timeout'; s.destroy(); resolve(); });
      s.on('error', (e) => { result.tcp = e.code; resolve(); });
    });
    const udp = new Promise((resolve) => {
      const s = dgram.createSocket('udp4');
      s.send('x', ${udpPort}, ${JSON.stringify(target)}, (e) => { result.udp = e ? e.code : 'ok'; s.close(); resolve(); });
    });
    Promise.all([tcp, udp]).then(() => console.log(JSON.stringify(result)));`;
  return JSON.parse(net.exec(host, process.execPath, ['-e', script])) as {
    tcp: string;
    udp: string;
  };
}

describe('a network', () => {
  let net: Network;
  const servers: Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
    net?.dispose();
  });

  /** A TCP server on `address` that records the remote address of each connection. */
  async function tcpServer(address: string): Promise<{ port: number; peers: string[] }> {
    const peers: string[] = [];
    const server = createServer((socket) => {
      peers.push(socket.remoteAddress ?? '');
      socket.destroy();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, address, r));
    return { port: (server.address() as { port: number }).port, peers };
  }

  it('gives each host its addresses, routes and rules, and dispose removes it all', async () => {
    net = createNetwork();
    const router = net.host('router', { router: true });
    const client = net.host('client');
    const up = net.link(net.root, router);
    const lan = net.link(router, client);
    net.defaultRoute(router, up.a.address);
    net.defaultRoute(client, lan.a.address);
    expect(up.a.address).toMatch(/^198\.1[89]\.\d+\.1$/);
    expect(namespaces()).toContain(`${net.tag}-client`);
    expect(net.exec(router, 'sysctl', ['-n', 'net.ipv4.ip_forward']).trim()).toBe('1');
    expect(net.exec(client, 'sysctl', ['-n', 'net.ipv4.ip_forward']).trim()).toBe('0');
    expect(net.exec(client, ip, ['-o', 'link', 'show', 'lo'])).toContain('UP');

    // NAT: the client reaches a server of the root namespace as the router.
    net.nft(router, masquerade(up.b.ifname));
    const server = await tcpServer(up.a.address);
    expect(probeFrom(net, client, up.a.address, server.port, 9).tcp).toBe('ok');
    // (accepted by the kernel while exec blocked this process: seen on the next turns)
    await expect.poll(() => server.peers).toEqual([up.b.address]);

    net.dispose();
    expect(namespaces()).not.toContain(net.tag);
    expect(links()).not.toContain(net.tag);
    expect(execFileSync(ip, ['-4', 'route', 'show'], { encoding: 'utf8' })).not.toContain(
      `${net.block}.`,
    );
  });

  it('dropUdp: UDP fails at once, TCP goes through', async () => {
    net = createNetwork();
    const host = net.host('noudp');
    const link = net.link(net.root, host);
    net.nft(host, dropUdp());
    const server = await tcpServer(link.a.address);
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, link.a.address, r));
    let datagrams = 0;
    udp.on('message', () => datagrams++);
    const result = probeFrom(net, host, link.a.address, server.port, udp.address().port);
    udp.close();
    expect(result).toEqual({ tcp: 'ok', udp: 'EPERM' });
    expect(datagrams).toBe(0);
  });

  it('allowOnlyTcp: only the given ports, no UDP', async () => {
    net = createNetwork();
    const host = net.host('fenced');
    const link = net.link(net.root, host);
    const allowed = await tcpServer(link.a.address);
    const other = await tcpServer(link.a.address);
    net.nft(host, allowOnlyTcp([{ address: link.a.address, port: allowed.port }]));
    expect(probeFrom(net, host, link.a.address, allowed.port, 9)).toEqual({
      tcp: 'ok',
      udp: 'EPERM',
    });
    expect(probeFrom(net, host, link.a.address, other.port, 9).tcp).not.toBe('ok');
    expect(other.peers).toEqual([]);
    expect(net.ruleset(host)).toContain(`tcp dport ${allowed.port} accept`);
  });

  it('refuses to load rules into the root namespace', () => {
    net = createNetwork();
    expect(() => net.nft(net.root, dropUdp())).toThrow(/never the root/);
  });
});

describe('leftovers of a killed run', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const name of made) spawnSync(ip, ['netns', 'del', name]);
  });

  it('are removed when their process is gone, and kept while it lives', () => {
    // A process that is gone (it ran and exited), and one that lives (ours's parent).
    const dead = spawnSync('true').pid!;
    const deadTag = `xn${dead.toString(36)}-0`;
    const liveTag = `xn${process.ppid.toString(36)}-z`;
    for (const tag of [deadTag, liveTag]) {
      execFileSync(ip, ['netns', 'add', `${tag}-client`]);
      made.push(`${tag}-client`);
      execFileSync(ip, ['link', 'add', `${tag}-0a`, 'type', 'veth', 'peer', 'name', `${tag}-0b`]);
      execFileSync(ip, ['link', 'set', `${tag}-0b`, 'netns', `${tag}-client`]);
    }
    const removed = cleanLeftovers();
    // (its root-side veth end went with the namespace that held its peer)
    expect(removed).toContain(`netns ${deadTag}-client`);
    expect(namespaces()).not.toContain(`${deadTag}-client`);
    expect(links()).not.toContain(`${deadTag}-0a`);
    expect(namespaces()).toContain(`${liveTag}-client`);
    expect(links()).toContain(`${liveTag}-0a`);
  });

  it('a turnserver a killed run left is killed, and its dir removed', async () => {
    const dead = spawnSync('true').pid!;
    const dir = mkdtempSync(join(tmpdir(), `x-coturn-${dead.toString(36)}-`));
    const config = join(dir, 'turnserver.conf');
    const pidfile = join(dir, 'turnserver.pid');
    const port = await freePort();
    writeFileSync(
      config,
      `listening-ip=127.0.0.1\nlistening-port=${port}\nno-tls\nno-dtls\nno-cli\n` +
        `pidfile=${pidfile}\nuserdb=${join(dir, 'turndb')}\nlog-file=stdout\n`,
    );
    const orphan = spawn(findSystemBinary('turnserver', 'coturn'), ['-c', config], {
      stdio: 'ignore',
    });
    const exited = new Promise((r) => orphan.once('exit', (_code, signal) => r(signal)));
    try {
      await expect.poll(() => existsSync(pidfile), { timeout: 10_000 }).toBe(true);
      expect(cleanCoturnLeftovers()).toContain(dir);
      expect(await exited).toBe('SIGKILL');
      expect(existsSync(dir)).toBe(false);
    } finally {
      orphan.kill('SIGKILL');
    }
  });
});

describe('TURN REST credentials', () => {
  it('are expiry:id and base64(HMAC-SHA1(secret, username))', () => {
    const c = turnCredentials('s3cret', 600, 'alice', 1_700_000_000_500);
    expect(c.username).toBe('1700000600:alice');
    expect(c.credential).toBe(createHmac('sha1', 's3cret').update(c.username).digest('base64'));
    // The same through openssl, as an operator would check it.
    const openssl = execFileSync('openssl', ['dgst', '-sha1', '-hmac', 's3cret', '-binary'], {
      input: c.username,
    }).toString('base64');
    expect(c.credential).toBe(openssl);
    expect(turnCredentials('s3cret', -60, 'bob', 1_700_000_000_000).username).toBe(
      '1699999940:bob',
    );
  });
});
