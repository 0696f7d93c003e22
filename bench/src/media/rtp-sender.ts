// Helper process: a paced synthetic VP8 RTP sender (see source.ts for the
// rates): each frame a burst of packets, as an encoder sends them. Packets carry a valid
// VP8 payload descriptor (mediasoup reads it to find key frames: a consumer
// forwards nothing until one) and end with a 32-bit packet counter, which
// mediasoup forwards untouched and the sinks read to count exactly which
// packets of a measurement window arrived.
import { createSocket } from 'node:dgram';
import { serve } from '../lib/child.js';
import { FPS, KEY_FRAME_EVERY, PACKET_SIZE, PACKETS_PER_FRAME } from './source.js';

const socket = createSocket('udp4');
let target: { port: number; ssrc: number; payloadType: number } | undefined;
let counter = 0;
let seq = 0;
let frame = 0;
let pictureId = 0;
const waiters: { counter: number; resolve(at: number): void }[] = [];

function packet(first: boolean, last: boolean, key: boolean): Buffer {
  const b = Buffer.alloc(PACKET_SIZE);
  const t = target!;
  b[0] = 0x80; // V=2
  b[1] = (last ? 0x80 : 0) | t.payloadType;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE((frame * (90000 / FPS)) >>> 0, 4);
  b.writeUInt32BE(t.ssrc, 8);
  // VP8 payload descriptor: X=1, S=1 on a frame's first packet, PID 0; I=1; 15-bit picture id.
  b[12] = first ? 0x90 : 0x80;
  b[13] = 0x80;
  b.writeUInt16BE(0x8000 | pictureId, 14);
  // VP8 payload header: bit 0 is P, 0 for a key frame.
  b[16] = key ? 0x00 : 0x01;
  if (key && first) {
    // Key frame start code and a 320×240 size, as an encoder writes them.
    b.set([0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00], 19);
  }
  b.writeUInt32BE(counter >>> 0, PACKET_SIZE - 4);
  seq = (seq + 1) & 0xffff;
  return b;
}

function sendFrame(): void {
  const key = frame % KEY_FRAME_EVERY === 0;
  for (let i = 0; i < PACKETS_PER_FRAME; i++) {
    const p = packet(i === 0, i === PACKETS_PER_FRAME - 1, key);
    socket.send(p, target!.port, '127.0.0.1');
    counter++;
  }
  frame++;
  pictureId = (pictureId + 1) & 0x7fff;
  for (let i = waiters.length - 1; i >= 0; i--) {
    if (counter >= waiters[i]!.counter) {
      waiters[i]!.resolve(performance.now());
      waiters.splice(i, 1);
    }
  }
}

// Frames are due at fixed times from the start; a late timer sends the frames
// it missed at once, so the average rate holds even when the CPUs are busy.
let running = false;
let start = 0;
let sent = 0;
let timer: NodeJS.Timeout | undefined;
function tick(): void {
  if (!running) return;
  const due = Math.floor(((performance.now() - start) * FPS) / 1000) + 1;
  while (sent < due) {
    sendFrame();
    sent++;
  }
  const next = start + (sent * 1000) / FPS;
  timer = setTimeout(tick, Math.max(0, next - performance.now()));
}

serve({
  /** Starts sending to this port (the counter goes on from where it was). */
  target: (params) => {
    target = params as typeof target;
    if (!running) {
      running = true;
      start = performance.now();
      sent = 0;
      tick();
    }
    return { counter };
  },
  /** Stops sending (while consumers are added: the worker then answers its requests at once). */
  pause: () => {
    running = false;
    clearTimeout(timer);
    return { counter };
  },
  counter: () => ({ counter }),
  /** Resolves once `counter` packets have been sent. */
  waitFor: (params) => {
    const wanted = (params as { counter: number }).counter;
    if (counter >= wanted) return performance.now();
    return new Promise<number>((resolve) => waiters.push({ counter: wanted, resolve }));
  },
  cpu: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
});
