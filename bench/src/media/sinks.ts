// Helper process: UDP sinks, one socket per consumer, that count the RTP
// packets they receive whose counter (the sender's, in the last 4 bytes)
// lies in the measurement window [lo, hi). RTCP is ignored. The handler does
// as little as possible so that counting does not become the bottleneck.
import { createSocket, type Socket } from 'node:dgram';
import { serve } from '../lib/child.js';

const sockets: Socket[] = [];
let counts = new Uint32Array(0);
let lo = 0xffffffff;
let hi = 0;

function open(index: number): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('message', (m: Buffer) => {
    const pt = m[1]! & 0x7f;
    if (pt >= 72 && pt <= 79) return; // RTCP (mediasoup's sender reports)
    const c = m.readUInt32BE(m.length - 4);
    if (c >= lo && c < hi) counts[index]!++;
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    // Port 0: the system picks a free one (fixed ports collide with its ephemeral ones).
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

serve({
  /** Opens sockets up to `count` in all; returns every socket's port. */
  open: async (params) => {
    const { count } = params as { count: number };
    const grown = new Uint32Array(count);
    grown.set(counts.subarray(0, Math.min(count, counts.length)));
    counts = grown;
    for (let i = sockets.length; i < count; i++) {
      sockets.push(await open(i));
    }
    return sockets.map((socket) => socket.address().port);
  },
  /** Starts a new window: counts are reset. */
  window: (params) => {
    ({ lo, hi } = params as { lo: number; hi: number });
    counts.fill(0);
    return null;
  },
  /** Per-sink counts of the first `sinks` sockets (for debugging a lossy run). */
  counts: (params) => Array.from(counts.subarray(0, (params as { sinks: number }).sinks)),
  /** Packets counted so far: in all, and how many of the first `sinks` sockets got none. */
  read: (params) => {
    const { sinks } = params as { sinks: number };
    let received = 0;
    let starved = 0;
    for (let i = 0; i < sinks; i++) {
      received += counts[i]!;
      if (counts[i] === 0) starved++;
    }
    const u = process.cpuUsage();
    return { received, starved, cpuMs: (u.user + u.system) / 1000 };
  },
});
