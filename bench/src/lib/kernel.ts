// Where the kernel dropped UDP packets during a measurement window, from its
// machine-wide counters: a datagram that found its socket's receive buffer
// full (/proc/net/snmp, Udp RcvbufErrors), and a packet dropped because a
// CPU's input backlog was full (/proc/net/softnet_stat, 2nd column; on
// loopback every packet sent goes through that backlog, at most
// net.core.netdev_max_backlog packets). With them a lossy window says
// whether a socket (the ingest's, a sink's) or the loopback path lost the
// packets, and not only that some were lost. The counters are the whole
// machine's: another process's traffic counts too (rarely UDP here).
import { readFileSync } from 'node:fs';

/** The kernel's drop counters at one moment (totals since boot). */
export interface KernelDrops {
  /** UDP datagrams dropped because the receiving socket's buffer was full. */
  rcvbufErrors: number;
  /** Packets dropped because a CPU's input backlog was full. */
  backlogDrops: number;
  /** Times the network softirq ran out of budget with work left (it then continues later). */
  squeezed: number;
}

function udpCounter(name: string): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp: '));
  const header = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  const i = header.indexOf(name);
  return i < 0 ? 0 : Number(values[i]);
}

/** The counters now. */
export function kernelDrops(): KernelDrops {
  let backlogDrops = 0;
  let squeezed = 0;
  for (const line of readFileSync('/proc/net/softnet_stat', 'utf8').trim().split('\n')) {
    const cols = line.trim().split(/\s+/);
    backlogDrops += Number.parseInt(cols[1] ?? '0', 16);
    squeezed += Number.parseInt(cols[2] ?? '0', 16);
  }
  return { rcvbufErrors: udpCounter('RcvbufErrors'), backlogDrops, squeezed };
}

/** What was dropped between two readings. */
export function dropsSince(before: KernelDrops, after = kernelDrops()): KernelDrops {
  return {
    rcvbufErrors: after.rcvbufErrors - before.rcvbufErrors,
    backlogDrops: after.backlogDrops - before.backlogDrops,
    squeezed: after.squeezed - before.squeezed,
  };
}
