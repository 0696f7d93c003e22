// An audio-like RTP stream of the test's own, paced at 50 packets per second
// (one opus frame of 20 ms each): enough for an ingest to count, with a
// payload the test chooses (a marker to look for on the wire).
import { createSocket } from 'node:dgram';

/** A running {@link rtpPacer}. */
export interface RtpPacer {
  /** Packets sent so far. */
  readonly sent: number;
  /** The packet `seq` as it is sent (for a test's expectations). */
  packet(seq: number): Buffer;
  stop(): void;
}

/**
 * Sends RTP to an `rtp://host:port` URL (an RtpIngest's) every 20 ms:
 * payload type `payloadType`, SSRC `ssrc`, and `payload` (default 48 bytes
 * of the sequence number's low byte) after the 12-byte header.
 */
export function rtpPacer(
  url: string,
  options: { payloadType: number; ssrc: number; payload?: Buffer },
): RtpPacer {
  const target = new URL(url);
  const socket = createSocket('udp4');
  let seq = 0;
  const packet = (n: number): Buffer => {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = options.payloadType & 0x7f;
    header.writeUInt16BE(n & 0xffff, 2);
    header.writeUInt32BE((n * 960) >>> 0, 4);
    header.writeUInt32BE(options.ssrc >>> 0, 8);
    return Buffer.concat([header, options.payload ?? Buffer.alloc(48, n & 0xff)]);
  };
  const timer = setInterval(() => {
    seq++;
    socket.send(packet(seq), Number(target.port), target.hostname);
  }, 20);
  let stopped = false;
  return {
    get sent() {
      return seq;
    },
    packet,
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      socket.close();
    },
  };
}
