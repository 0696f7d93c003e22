// What the Recorder tests need: a peer that sends real media (ffmpeg into RTP
// ingests, one sender per kind so that each can stop on its own), and checks
// of a finished file (EBML layout, seeking, the processes left behind).
import { type ChildProcess, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { ffmpegSender, type RtpSink, rtpSink, sleep } from '@x/testkit';
import type { Room, RtpIngest } from '../../src/index.js';

/** A server-side peer with an audio and a video producer; `send` says which of them get RTP. */
export interface MediaSource {
  audio: RtpIngest;
  video: RtpIngest;
  senders: { audio?: ChildProcess; video?: ChildProcess };
  /**
   * Seconds of media the room got between two instants, by the RTP
   * timestamps a witness streamer of each producer delivered meanwhile (the
   * longer of the two, or of one kind): what a recording of that time
   * holds, however late a loaded machine makes the senders.
   */
  mediaBetween(from: number, to: number, kind?: 'audio' | 'video'): number;
  /** Stops the ffmpeg that sends one kind (its producer stays, and gets nothing). */
  silence(kind: 'audio' | 'video'): void;
  close(): void;
}

/** Seconds spanned by the RTP timestamps of the packets a sink got within [from, to]. */
function span(sink: RtpSink, clockRate: number, from: number, to: number): number {
  const within = sink.packets.filter((p) => p.at >= from && p.at <= to);
  if (within.length < 2) return 0;
  return ((within.at(-1)!.timestamp - within[0]!.timestamp) >>> 0) / clockRate;
}

export async function mediaSource(
  room: Room,
  name: string,
  send: { audio: boolean; video: boolean },
): Promise<MediaSource> {
  const audio = await room.createRtpIngest({
    peerName: name,
    kind: 'audio',
    codec: { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 },
    ssrc: 2222,
  });
  const video = await room.createRtpIngest({
    peerName: name,
    kind: 'video',
    codec: { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 },
    ssrc: 1111,
  });
  const witnesses = { audio: await rtpSink(), video: await rtpSink() };
  for (const ingest of [audio, video]) {
    await room.createRtpStreamer(ingest.producer, {
      remoteIP: '127.0.0.1',
      remotePort: witnesses[ingest.producer.kind].port,
    });
  }
  const senders: MediaSource['senders'] = {};
  if (send.audio)
    senders.audio = ffmpegSender({ audio: { url: audio.url, payloadType: 100, ssrc: 2222 } });
  if (send.video)
    senders.video = ffmpegSender({ video: { url: video.url, payloadType: 101, ssrc: 1111 } });
  const source: MediaSource = {
    audio,
    video,
    senders,
    mediaBetween(from, to, kind) {
      const audio = kind === 'video' ? 0 : span(witnesses.audio, 48000, from, to);
      const video = kind === 'audio' ? 0 : span(witnesses.video, 90000, from, to);
      return Math.max(audio, video);
    },
    silence(kind) {
      senders[kind]?.kill('SIGKILL');
    },
    close() {
      senders.audio?.kill('SIGKILL');
      senders.video?.kill('SIGKILL');
      witnesses.audio.close();
      witnesses.video.close();
    },
  };
  // Wait until each sending producer gets RTP (ffmpeg takes a moment to start).
  for (const ingest of [send.audio && audio, send.video && video]) {
    if (!ingest) continue;
    for (let i = 0; ; i++) {
      if (Number((await ingest.producer.getStats())[0]?.packetCount ?? 0) > 20) break;
      if (i === 100) {
        source.close();
        throw new Error(`the ${ingest.producer.kind} ingest got no RTP from ffmpeg within 10 s`);
      }
      await sleep(100);
    }
  }
  return source;
}

function vint(buf: Buffer, pos: number, keepMarker: boolean) {
  const first = buf[pos];
  if (first === undefined || first === 0) return undefined;
  let len = 1;
  while (len <= 8 && !(first & (0x80 >> (len - 1)))) len++;
  if (pos + len > buf.length) return undefined;
  const mask = (0x80 >> (len - 1)) - 1;
  let value = keepMarker ? first : first & mask;
  let unknown = !keepMarker && value === mask;
  for (let i = 1; i < len; i++) {
    value = value * 256 + buf[pos + i]!;
    if (buf[pos + i] !== 0xff) unknown = false;
  }
  return { value, len, unknown };
}

const EBML = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const CUES = 0x1c53bb6b;

/**
 * The top-level elements of a WebM/Matroska file's Segment, walked by their
 * sizes: a finished file has Cues (the seek index ffmpeg writes when it
 * finishes a file) and ends where its last element ends; a cut one does not.
 */
export function matroskaLayout(file: string): {
  cues: boolean;
  complete: boolean;
  elements: string[];
} {
  const buf = readFileSync(file);
  const elements: string[] = [];
  const header = vint(buf, 0, true);
  const headerSize = vint(buf, header?.len ?? 0, false);
  if (header?.value !== EBML || !headerSize) return { cues: false, complete: false, elements };
  let pos = header.len + headerSize.len + headerSize.value;
  const segment = vint(buf, pos, true);
  const segmentSize = segment && vint(buf, pos + segment.len, false);
  if (segment?.value !== SEGMENT || !segmentSize) return { cues: false, complete: false, elements };
  pos += segment.len + segmentSize.len;
  let cues = false;
  while (pos < buf.length) {
    const id = vint(buf, pos, true);
    const size = id && vint(buf, pos + id.len, false);
    if (!id || !size || size.unknown) return { cues, complete: false, elements };
    elements.push(id.value.toString(16));
    if (id.value === CUES) cues = true;
    pos += id.len + size.len + size.value;
  }
  return { cues, complete: pos === buf.length, elements };
}

/** Whether ffmpeg seeks to `at` seconds and decodes a frame of `kind` there. */
export function decodesAt(file: string, at: number, kind: 'audio' | 'video'): boolean {
  try {
    const out = execFileSync(
      'ffmpeg',
      [
        '-v',
        'error',
        '-ss',
        at.toFixed(2),
        '-i',
        file,
        '-map',
        `0:${kind[0]}`,
        '-frames',
        '1',
        '-f',
        'framemd5',
        '-',
      ],
      { encoding: 'utf8' },
    );
    return /^\d+,/m.test(out);
  } catch {
    return false;
  }
}

/** Child processes of this process whose command line contains `text` (Linux /proc). */
export function childProcesses(text: string): { pid: number; args: string }[] {
  const found: { pid: number; args: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (args.includes(text)) found.push({ pid: Number(entry), args });
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}
