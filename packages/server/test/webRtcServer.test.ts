// One UDP and one TCP port per worker (mediasoup's WebRtcServer): every
// WebRTC transport of a worker listens on the worker's two ports, which an
// operator opens and nothing else; worker i listens on port + i. And a
// worker that cannot start says why, in the error of Server.create.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Room, Server, WorkerStartError } from '../src/index.js';
import { joinPeer } from './helpers/domain.js';

// Below Linux's ephemeral range (32768-60999) and outside every range the
// other test files of this package give their servers: they run alongside
// this one, and a port of theirs (multiWorker's 47000-47999 took 47310 once)
// made the WebRtcServer fail with "address already in use".
const PORT = 29310;
const TRANSPORTS = 200;

/** The UDP sockets and listening TCP sockets of a process, by local port. */
function socketsOf(pid: number): { udp: number[]; tcpListening: number[] } {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m) inodes.add(m[1]!);
    } catch {
      // The fd closed meanwhile.
    }
  }
  const ports = (table: string, listeningOnly: boolean) =>
    readFileSync(`/proc/${pid}/net/${table}`, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // local_address is "IP:PORT" in hex, st 0A is LISTEN, inode is column 9.
      .filter((cols) => cols.length > 9 && inodes.has(cols[9]!))
      .filter((cols) => !listeningOnly || cols[3] === '0A')
      .map((cols) => Number.parseInt(cols[1]!.split(':')[1]!, 16));
  return { udp: ports('udp', false), tcpListening: ports('tcp', true) };
}

/** 200 WebRTC transports on the room's worker: 25 peers of 8 (the per-peer limit). */
async function openTransports(room: Room, prefix: string) {
  const transports = [];
  for (let p = 0; p < TRANSPORTS / 8; p++) {
    const peer = await joinPeer(room, `${prefix}${p}`);
    for (let t = 1; t <= 8; t++)
      transports.push(await peer.createWebRtcTransport({ id: t, direction: 'recv' }));
  }
  return transports;
}

describe('with webRtcServer: one UDP and one TCP port per worker', () => {
  let server: Server;
  beforeAll(async () => {
    server = await Server.create({
      numWorkers: 2,
      logLevel: 'none',
      rtcIPv4: '127.0.0.1',
      rtcIPv6: false,
      rtcMinPort: 47400,
      rtcMaxPort: 47999,
      webRtcServer: { port: PORT },
      limits: { peersPerRoom: 100 },
    });
  });
  afterAll(() => server?.close());

  it(`${TRANSPORTS} transports on one worker share its one UDP port and its one TCP port`, async () => {
    const room = await server.createRoom();
    const transports = await openTransports(room, 'p');
    const worker = room.routerSet.workerOf(room.router)!;
    const index = server.workers.indexOf(worker);
    const port = PORT + index;
    for (const transport of transports) {
      const candidates = transport.iceLocalCandidates;
      expect(candidates.map((c) => `${c.protocol}:${c.port}`).sort()).toEqual([
        `tcp:${port}`,
        `udp:${port}`,
      ]);
      // ICE-TCP: the browser connects to the server's passive TCP candidate.
      expect(candidates.find((c) => c.protocol === 'tcp')?.tcpType).toBe('passive');
    }
    const sockets = socketsOf(worker.pid);
    expect(sockets.udp).toEqual([port]);
    expect(sockets.tcpListening).toEqual([port]);
    room.close();
  });

  it('worker i listens on port + i', async () => {
    const ports = new Set<number>();
    for (const pid of server.workers.map((w) => w.pid)) {
      for (const port of socketsOf(pid).udp) ports.add(port);
    }
    expect([...ports].sort()).toEqual([PORT, PORT + 1]);
  });
});

describe('without webRtcServer: ports of their own from the range', () => {
  it(`${TRANSPORTS} transports take ${TRANSPORTS} UDP ports`, async () => {
    const server = await Server.create({
      numWorkers: 1,
      logLevel: 'none',
      rtcIPv4: '127.0.0.1',
      rtcIPv6: false,
      rtcMinPort: 47400,
      rtcMaxPort: 47999,
      limits: { peersPerRoom: 100 },
    });
    try {
      const room = await server.createRoom();
      await openTransports(room, 'q');
      const { udp } = socketsOf(server.workers[0]!.pid);
      expect(udp.length).toBe(TRANSPORTS);
      expect(udp.every((p) => p >= 47400 && p <= 47999)).toBe(true);
    } finally {
      server.close();
    }
  });
});

describe('a worker that cannot start says why', () => {
  it("a DTLS certificate with a 1024-bit RSA key: the worker's reason and what to do", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-weak-cert-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:1024',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=weak',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const error = await Server.create({
        numWorkers: 1,
        logLevel: 'none',
        rtcIPv4: '127.0.0.1',
        rtcIPv6: false,
        dtlsCertificateFile: join(dir, 'cert.pem'),
        dtlsPrivateKeyFile: join(dir, 'key.pem'),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerStartError);
      expect((error as WorkerStartError).code).toBe('ERR_WORKER_START');
      expect((error as Error).message).toMatch(/ee key too small/);
      expect((error as Error).message).toMatch(/RSA of 2048 bits or more/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a WebRtcServer port another process holds: the port in the error', async () => {
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(PORT + 10, '127.0.0.1', () => resolve()));
    try {
      const error = await Server.create({
        numWorkers: 1,
        logLevel: 'none',
        rtcIPv4: '127.0.0.1',
        rtcIPv6: false,
        webRtcServer: { port: PORT + 10 },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerStartError);
      expect((error as Error).message).toMatch(/WebRtcServer of media worker 0 could not start/);
      expect((error as Error).message).toMatch(
        new RegExp(`${PORT + 10}|address already in use`, 'i'),
      );
    } finally {
      holder.close();
    }
  });

  it('settings that cannot work are refused before anything starts', async () => {
    await expect(Server.create({ webRtcServer: { port: 80 } })).rejects.toThrow(
      /webRtcServer.port/,
    );
    await expect(Server.create({ numWorkers: 4, webRtcServer: { port: 65534 } })).rejects.toThrow(
      /past 65535/,
    );
    await expect(
      Server.create({ webRtcServer: { port: 47350, udp: false, tcp: false } }),
    ).rejects.toThrow(/cannot both be false/);
  });
});
