// What crosses the wire, as an observer on the path sees it: tcpdump (Debian's
// `tcpdump`, root) writes the UDP packets of a filter to a pcap file, read
// back here into the packets' addresses and payloads.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from './media.js';
import { ownTempDir } from './tempDirs.js';

/** One captured UDP datagram (IPv4). */
export interface CapturedDatagram {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payload: Buffer;
}

/** A running capture. */
export interface UdpCapture {
  /** Stops tcpdump and returns what it captured. */
  stop(): Promise<CapturedDatagram[]>;
}

const TCPDUMP = ['/usr/bin/tcpdump', '/usr/sbin/tcpdump', '/sbin/tcpdump'];

/**
 * Captures the UDP datagrams of `filter` (tcpdump syntax, `udp and …`) on
 * `iface`; `spawn` runs tcpdump elsewhere (in a network namespace:
 * `Network.spawn`).
 */
export async function captureUdp(options: {
  iface: string;
  filter: string;
  spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
}): Promise<UdpCapture> {
  const tcpdump = TCPDUMP.find((path) => existsSync(path)) ?? TCPDUMP[0]!;
  requireBinary(tcpdump, 'tcpdump');
  const file = join(ownTempDir('x-capture-'), 'capture.pcap');
  const child: ChildProcess = (options.spawn ?? spawn)(
    tcpdump,
    ['-i', options.iface, '-n', '-U', '-s', '0', '-Z', 'root', '-w', file, options.filter],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const deadline = Date.now() + 10_000;
  while (!/listening on/.test(err)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`tcpdump did not start (it needs root): ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
      return readPcap(readFileSync(file));
    },
  };
}

/** The IPv4 UDP datagrams of a pcap file (Ethernet, as Linux's `lo`, or raw IP links). */
export function readPcap(pcap: Buffer): CapturedDatagram[] {
  if (pcap.length < 24) return [];
  const magic = pcap.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && pcap.readUInt32BE(0) !== 0xa1b2c3d4 && pcap.readUInt32BE(0) !== 0xa1b23c4d)
    throw new Error('not a pcap file');
  const u32 = (o: number) => (le ? pcap.readUInt32LE(o) : pcap.readUInt32BE(o));
  const linkType = u32(20);
  const linkHeader = linkType === 1 ? 14 : linkType === 101 ? 0 : linkType === 113 ? 16 : -1;
  if (linkHeader < 0) throw new Error(`pcap link type ${linkType} is not read here`);
  const out: CapturedDatagram[] = [];
  for (let o = 24; o + 16 <= pcap.length; ) {
    const caplen = u32(o + 8);
    const frame = pcap.subarray(o + 16, o + 16 + caplen);
    o += 16 + caplen;
    const ip = frame.subarray(linkHeader);
    if (ip.length < 28 || ip[0]! >> 4 !== 4 || ip[9] !== 17) continue;
    const ihl = (ip[0]! & 0x0f) * 4;
    const udp = ip.subarray(ihl);
    const addr = (at: number) => [...ip.subarray(at, at + 4)].join('.');
    out.push({
      src: addr(12),
      dst: addr(16),
      srcPort: udp.readUInt16BE(0),
      dstPort: udp.readUInt16BE(2),
      payload: Buffer.from(udp.subarray(8, udp.readUInt16BE(4))),
    });
  }
  return out;
}
