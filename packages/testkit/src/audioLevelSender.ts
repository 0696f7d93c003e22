// A real RTP sender of "audio" whose packets carry the audio level header
// extension (RFC 6464), which mediasoup's audio level and active speaker
// observers read: ffmpeg does not write it, browsers do. The payload is
// filler: the observers never decode it.
import { createSocket } from 'node:dgram';

/** The URI of the audio level header extension. */
export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

export interface AudioLevelSender {
  /** Changes the level sent, in dBov (0 loudest, -127 silence). */
  setLevel(dBov: number): void;
  stop(): void;
}

/** Sends 50 packets a second to `ip`:`port` with `ssrc`, `payloadType` and extension id `extensionId`. */
export function audioLevelSender(options: {
  ip: string;
  port: number;
  ssrc: number;
  payloadType: number;
  extensionId: number;
  dBov?: number;
}): AudioLevelSender {
  const socket = createSocket(options.ip.includes(':') ? 'udp6' : 'udp4');
  let level = Math.min(127, Math.abs(options.dBov ?? -20));
  let sequence = Math.floor(Math.random() * 0xffff);
  let timestamp = Math.floor(Math.random() * 0xffffffff);
  const timer = setInterval(() => {
    const packet = Buffer.alloc(12 + 8 + 20);
    packet[0] = 0x90; // version 2, extension bit
    packet[1] = options.payloadType & 0x7f;
    packet.writeUInt16BE(sequence, 2);
    packet.writeUInt32BE(timestamp >>> 0, 4);
    packet.writeUInt32BE(options.ssrc >>> 0, 8);
    // One-byte header extensions (0xBEDE), one 32-bit word: id | length-1, then the level (voice bit set).
    packet.writeUInt16BE(0xbede, 12);
    packet.writeUInt16BE(1, 14);
    packet[16] = (options.extensionId << 4) | 0;
    packet[17] = 0x80 | level;
    packet.fill(0xf8, 20);
    socket.send(packet, options.port, options.ip);
    sequence = (sequence + 1) & 0xffff;
    timestamp = (timestamp + 960) >>> 0;
  }, 20);
  return {
    setLevel(dBov: number) {
      level = Math.min(127, Math.abs(dBov));
    },
    stop() {
      clearInterval(timer);
      socket.close();
    },
  };
}
