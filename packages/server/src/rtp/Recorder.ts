import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { Emitter, logger } from '@x/shared';
import type { Producer } from '../media/Producer.js';
import type { Room } from '../media/Room.js';
import { SfuError } from '../util/errors.js';
import type { RtpStreamer } from './RtpStreamer.js';
import { rtpStreamerSdp } from './sdp.js';

const log = logger('x:server:Recorder');

/** Options of {@link Recorder.start}. */
export interface RecorderOptions {
  /** The room of the producers. */
  room: Room;
  /** What to record: one audio and/or one video producer. */
  producers: Producer[];
  /** Output file. Its extension picks the container: .webm (VP8/VP9/opus), .mkv (anything), .mp4. */
  file: string;
  /** The ffmpeg binary. Default 'ffmpeg' (Debian package ffmpeg). */
  ffmpegPath?: string;
  /** IP ffmpeg listens on. Default 127.0.0.1. */
  listenIP?: string;
}

/** What a finished recording is. */
export interface RecordingResult {
  /** The file written. */
  file: string;
  /** Wall-clock duration of the recording, in ms. */
  durationMs: number;
  /** ffmpeg's exit code (0: the file is complete). */
  exitCode: number | null;
}

/** Events of a {@link Recorder}. */
export type RecorderEvents = {
  /** The recording ended: by `stop()`, or because a producer, the room or ffmpeg ended. */
  close: [result: RecordingResult];
};

const WEBM_CODECS = /^(video\/(VP8|VP9|AV1)|audio\/opus)$/i;

/** A free pair of UDP ports (port, port + 1) on `ip`, RTP and RTCP as ffmpeg expects them. */
async function freePortPair(ip: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const probe = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
    const port = await new Promise<number>((resolve, reject) => {
      probe.once('error', reject);
      probe.bind(0, ip, () => resolve(probe.address().port));
    });
    probe.close();
    if (port % 2 !== 0 || port >= 65535) continue;
    if (!(await isBound(ip, port)) && !(await isBound(ip, port + 1))) return port;
  }
  throw new Error(`no free UDP port pair on ${ip}`);
}

/** Whether something already listens on a UDP port (a bind attempt fails with EADDRINUSE). */
function isBound(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(true);
    });
    socket.bind(port, ip, () => {
      socket.close();
      resolve(false);
    });
  });
}

/**
 * Records producers to a file with ffmpeg, through RtpStreamers and their
 * SDP: the recording path mediasoup v2 users had to build by hand. The
 * streamers start paused and resume only once ffmpeg listens (so the first
 * key frame is not lost), RTCP goes to ffmpeg for audio/video sync, and key
 * frames are asked for regularly (ffmpeg sends no PLI).
 *
 * @example
 * ```ts
 * const recorder = await Recorder.start({ room, producers: peer.producers, file: '/tmp/alice.webm' });
 * // ...
 * const { file, durationMs } = await recorder.stop();
 * ```
 */
export class Recorder extends Emitter<RecorderEvents> {
  /** The output file. */
  readonly file: string;
  /** The streamers feeding ffmpeg. */
  readonly streamers: RtpStreamer[];

  readonly #ffmpeg: ChildProcess;
  readonly #dir: string;
  readonly #started = Date.now();
  readonly #exit: Promise<number | null>;
  #result: RecordingResult | undefined;
  #stopping: Promise<RecordingResult> | undefined;

  private constructor(
    file: string,
    streamers: RtpStreamer[],
    ffmpeg: ChildProcess,
    dir: string,
    exit: Promise<number | null>,
  ) {
    super();
    this.file = file;
    this.streamers = streamers;
    this.#ffmpeg = ffmpeg;
    this.#dir = dir;
    this.#exit = exit;
    for (const streamer of streamers) streamer.once('close', () => void this.stop());
    exit.then(() => void this.stop()).catch(() => undefined);
  }

  /** Starts recording; resolves once media flows to ffmpeg. */
  static async start(options: RecorderOptions): Promise<Recorder> {
    const { room, producers, file } = options;
    const ip = options.listenIP ?? '127.0.0.1';
    const kinds = producers.map((p) => p.kind);
    if (producers.length === 0 || producers.length > 2 || new Set(kinds).size !== kinds.length) {
      throw new TypeError('Recorder needs one audio and/or one video producer');
    }
    const ext = extname(file).toLowerCase();
    if (!['.webm', '.mkv', '.mp4'].includes(ext))
      throw new TypeError('Recorder writes .webm, .mkv or .mp4 files');
    if (ext === '.webm') {
      const bad = producers
        .map((p) => p.rtpParameters.codecs[0]?.mimeType ?? '')
        .filter((m) => !WEBM_CODECS.test(m));
      if (bad.length > 0)
        throw new SfuError(
          'UNSUPPORTED',
          `WebM cannot hold ${bad.join(', ')}: record to .mkv instead`,
        );
    }

    const streamers: RtpStreamer[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'x-recorder-'));
    try {
      for (const producer of producers) {
        const port = await freePortPair(ip);
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
      const sdpFile = join(dir, 'input.sdp');
      await writeFile(
        sdpFile,
        rtpStreamerSdp(streamers, { sessionName: `x-sfu recording of ${room.id}` }),
      );
      const ffmpeg = spawn(
        options.ffmpegPath ?? 'ffmpeg',
        [
          '-hide_banner',
          '-loglevel',
          'error',
          '-protocol_whitelist',
          'file,udp,rtp',
          '-fflags',
          '+genpts',
          '-i',
          sdpFile,
          '-map',
          '0',
          '-c',
          'copy',
          '-y',
          file,
        ],
        // stdin: 'q' asks ffmpeg to finish the file and exit 0.
        { stdio: ['pipe', 'ignore', 'pipe'] },
      );
      let stderr = '';
      ffmpeg.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
      });
      const exit = new Promise<number | null>((resolve, reject) => {
        ffmpeg.once('error', (error: NodeJS.ErrnoException) =>
          reject(
            error.code === 'ENOENT'
              ? new Error('ffmpeg not found: install the Debian package ffmpeg (or set ffmpegPath)')
              : error,
          ),
        );
        ffmpeg.once('exit', (code) => {
          if (code) log.warn('ffmpeg exited with %d: %s', code, stderr);
          resolve(code);
        });
      });
      // ffmpeg opens its sockets when it reads the SDP: wait until it does.
      const ports = streamers.map((s) => s.remotePort);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const ready = await Promise.race([
          Promise.all(ports.map((p) => isBound(ip, p))).then((bound) => bound.every(Boolean)),
          exit.then(() => {
            throw new Error(`ffmpeg exited before recording: ${stderr.trim()}`);
          }),
        ]);
        if (ready) break;
        if (Date.now() > deadline) throw new Error('ffmpeg did not open its RTP ports within 10 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const streamer of streamers) streamer.consumer.resume();
      log.debug('recording %s to %s', producers.map((p) => p.id).join(','), file);
      return new Recorder(file, streamers, ffmpeg, dir, exit);
    } catch (error) {
      for (const streamer of streamers) streamer.close();
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Whether the recording has ended. */
  get closed(): boolean {
    return this.#result !== undefined;
  }

  /** Stops recording: ffmpeg finishes the file, the streamers close. */
  stop(): Promise<RecordingResult> {
    if (!this.#stopping) {
      this.#stopping = (async () => {
        const running = () => this.#ffmpeg.exitCode === null && this.#ffmpeg.signalCode === null;
        if (running()) this.#ffmpeg.stdin?.end('q');
        const interrupt = setTimeout(() => running() && this.#ffmpeg.kill('SIGINT'), 3000);
        const kill = setTimeout(() => running() && this.#ffmpeg.kill('SIGKILL'), 6000);
        const exitCode = await this.#exit.catch(() => null);
        clearTimeout(interrupt);
        clearTimeout(kill);
        for (const streamer of this.streamers) streamer.close();
        await rm(this.#dir, { recursive: true, force: true });
        this.#result = { file: this.file, durationMs: Date.now() - this.#started, exitCode };
        this.safeEmit('close', this.#result);
        return this.#result;
      })();
    }
    return this.#stopping;
  }
}
