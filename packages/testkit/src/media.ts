// Real media for the tests: ffmpeg sends, a UDP socket of the test receives, ffprobe checks files.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';

/** Fails with the Debian package to install when a binary is missing (a test never skips). */
export function requireBinary(binary: string, debianPackage: string): void {
  const found = binary.startsWith('/')
    ? existsSync(binary)
    : spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
  if (!found)
    throw new Error(
      `${binary} is not installed: install the Debian package ${debianPackage} (pnpm system-deps does)`,
    );
}

/** ffmpeg sending a VP8 test pattern and/or an opus tone as RTP to the given URLs. */
export function ffmpegSender(targets: {
  video?: { url: string; payloadType: number; ssrc: number };
  audio?: { url: string; payloadType: number; ssrc: number };
}): ChildProcess {
  requireBinary('ffmpeg', 'ffmpeg');
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re'];
  if (targets.video) args.push('-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30');
  if (targets.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  let input = 0;
  if (targets.video) {
    const v = targets.video;
    args.push(
      '-map',
      `${input++}:v`,
      '-c:v',
      'libvpx',
      '-b:v',
      '400k',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-g',
      '30',
      '-payload_type',
      String(v.payloadType),
      '-ssrc',
      String(v.ssrc),
      '-f',
      'rtp',
      '-sdp_file',
      '/dev/null',
      v.url,
    );
  }
  if (targets.audio) {
    const a = targets.audio;
    args.push(
      '-map',
      `${input++}:a`,
      '-c:a',
      'libopus',
      '-ac',
      '2',
      '-b:a',
      '48k',
      '-payload_type',
      String(a.payloadType),
      '-ssrc',
      String(a.ssrc),
      '-f',
      'rtp',
      a.url,
    );
  }
  return spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A UDP socket of the test that keeps what it gets: RTP packets, and RTCP apart. */
export interface RtpSink {
  socket: Socket;
  port: number;
  /** Every RTP packet (any SSRC: a test checks they are the stream it expects), with its RTP timestamp. */
  packets: { ssrc: number; payloadType: number; timestamp: number; at: number }[];
  /** RTCP packets (sender reports and the like). */
  rtcp: number;
  close(): void;
}

/** A UDP socket on `address` (default 127.0.0.1) that keeps the RTP and counts the RTCP it receives. */
export async function rtpSink(address = '127.0.0.1'): Promise<RtpSink> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, () => resolve()));
  const sink: RtpSink = {
    socket,
    port: socket.address().port,
    packets: [],
    rtcp: 0,
    close: () => socket.close(),
  };
  socket.on('message', (m) => {
    if (m.length < 12) return;
    const payloadType = m[1]! & 0x7f;
    // RTCP packet types 200-207 show as 72-79 in the payload type bits (RFC 5761).
    if (payloadType >= 72 && payloadType <= 79) sink.rtcp++;
    else
      sink.packets.push({
        ssrc: m.readUInt32BE(8),
        payloadType,
        timestamp: m.readUInt32BE(4),
        at: Date.now(),
      });
  });
  return sink;
}

/** What ffprobe finds in a media file: each stream with its codec, duration and decoded frames. */
export function probe(file: string): {
  format: { duration: number };
  streams: { codec_type: string; codec_name: string; nb_read_frames: number }[];
} {
  requireBinary('ffprobe', 'ffmpeg');
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-count_frames',
      '-show_entries',
      'format=duration:stream=codec_type,codec_name,nb_read_frames',
      '-of',
      'json',
      file,
    ],
    {
      encoding: 'utf8',
    },
  );
  const json = JSON.parse(out) as {
    format: { duration: string };
    streams: { codec_type: string; codec_name: string; nb_read_frames: string }[];
  };
  return {
    format: { duration: Number(json.format.duration) },
    streams: json.streams.map((s) => ({ ...s, nb_read_frames: Number(s.nb_read_frames) })),
  };
}
