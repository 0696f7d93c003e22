import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { logger } from '@x/shared';
import type { Producer } from '../../media/Producer.js';
import type { Room } from '../../media/Room.js';
import type { RtpStreamer } from '../../media/RtpStreamer.js';
import { rtpStreamerSdp } from '../../media/sdp.js';
import { captureArgs, FfmpegCapture } from './FfmpegCapture.js';
import { sendsMedia, streams } from './sendsMedia.js';
import { freePortPair, isPortInUse } from './udpPorts.js';

const log = logger('x:server:Recorder');

/** How long to watch a camera for media before leaving it out. */
const LIVE_CHECK_MS = 1000;
/** How long to wait for the camera's first frame (a key frame is asked for) before leaving it out. */
const FIRST_FRAME_MS = 3000;
/** Tries with new ports when another process took one between its choice and ffmpeg's bind. */
const PORT_ATTEMPTS = 3;

/** A running capture: ffmpeg listening, the streamers resumed towards it. */
export interface OpenCapture {
  capture: FfmpegCapture;
  streamers: RtpStreamer[];
  /** Producers left out, and why. */
  skipped: Map<Producer, string>;
  /** The file ffmpeg writes (next to the recording, hidden). */
  capturePath: string;
  /** A folder of the recording's own (its SDP), to remove at the end. */
  dir: string;
}

/**
 * Starts what records `producers`: a paused RtpStreamer each, ffmpeg on
 * their SDP, then the streamers resumed once it listens (so the first key
 * frame is not lost).
 *
 * ffmpeg takes a stream's codec parameters from its first packets. A video
 * stream with none has no frame size, and ffmpeg then writes no file at all
 * (measured: "dimensions not set", 0 bytes), so a camera that sends nothing
 * when the recording starts is left out, unless it is all there is to
 * record; and the video is resumed first, so that ffmpeg has a frame before
 * it has probed a second of audio. A silent microphone is kept: its track
 * fills once the peer unmutes.
 */
export async function openCapture(options: {
  room: Room;
  producers: Producer[];
  file: string;
  format: 'webm' | 'matroska';
  ip: string;
  ffmpegPath: string;
}): Promise<OpenCapture> {
  const { producers } = options;
  const skipped = new Map<Producer, string>();
  const video = producers.find((p) => p.kind === 'video');
  if (video && producers.length > 1 && !(await sendsMedia(video, LIVE_CHECK_MS))) {
    skipped.set(
      video,
      video.paused
        ? 'the video producer was paused when the recording started'
        : 'the camera sent nothing when the recording started',
    );
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCapture(options, skipped);
    } catch (error) {
      if (attempt >= PORT_ATTEMPTS || !isPortInUse(error)) throw error;
      log.warn('ffmpeg found a port taken (attempt %d): trying with new ports', attempt);
    }
  }
}

/** One try of {@link openCapture} once the producers are chosen: all undone if it fails. */
async function startCapture(
  options: Parameters<typeof openCapture>[0],
  skipped: Map<Producer, string>,
): Promise<OpenCapture> {
  const { room, producers, ip } = options;
  const capturePath = join(dirname(options.file), `.${basename(options.file)}.capture`);
  const dir = await mkdtemp(join(tmpdir(), 'x-recorder-'));
  let streamers: RtpStreamer[] = [];
  let capture: FfmpegCapture | undefined;
  const spawnFfmpeg = async () => {
    const sdpFile = join(dir, 'input.sdp');
    await writeFile(
      sdpFile,
      rtpStreamerSdp(streamers, { sessionName: `x-sfu recording of ${room.id}` }),
    );
    capture = new FfmpegCapture({
      ffmpegPath: options.ffmpegPath,
      args: captureArgs({ sdpFile, output: capturePath, format: options.format }),
      ip,
      streams: streamers.map((s) => ({
        port: s.remotePort,
        ssrc: s.consumer.rtpParameters?.encodings?.[0]?.ssrc ?? 0,
      })),
    });
    await capture.listening();
    return capture;
  };
  try {
    const ports = new Set<number>();
    for (const producer of producers.filter((p) => !skipped.has(p))) {
      const port = await freePortPair(ip, ports);
      ports.add(port);
      streamers.push(
        await room.createRtpStreamer(producer, {
          remoteIP: ip,
          remotePort: port,
          rtcpMux: false,
          paused: true,
          keyFrameRequestInterval: producer.kind === 'video' ? 2000 : undefined,
        }),
      );
    }
    capture = await spawnFfmpeg();
    const videoStreamer = streamers.find((s) => s.consumer.kind === 'video');
    if (videoStreamer && streamers.length > 1) {
      videoStreamer.consumer.resume();
      if (!(await streams(videoStreamer, FIRST_FRAME_MS))) {
        // The camera stopped meanwhile: this ffmpeg would write nothing.
        await capture.stop();
        await rm(capturePath, { force: true });
        videoStreamer.close();
        streamers = streamers.filter((s) => s !== videoStreamer);
        skipped.set(
          videoStreamer.consumer.source,
          `the camera sent no frame within ${FIRST_FRAME_MS / 1000} s of the start`,
        );
        capture = await spawnFfmpeg();
      }
    }
    for (const streamer of streamers) streamer.consumer.resume();
    capture.keepAlive();
    return { capture, streamers, skipped, capturePath, dir };
  } catch (error) {
    for (const streamer of streamers) streamer.close();
    await capture?.stop();
    await rm(capturePath, { force: true });
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
