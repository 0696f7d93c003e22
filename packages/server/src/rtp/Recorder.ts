import { rm } from 'node:fs/promises';
import { extname } from 'node:path';
import type { MediaKind } from '@x/protocol';
import { Emitter, logger } from '@x/shared';
import type { Producer } from '../media/Producer.js';
import type { Room } from '../media/Room.js';
import type { RtpStreamer } from '../media/RtpStreamer.js';
import { SfuError } from '../util/errors.js';
import type { FfmpegCapture } from './recorder/FfmpegCapture.js';
import { type Container, type FinishedFile, finishFile } from './recorder/finishFile.js';
import { type OpenCapture, openCapture } from './recorder/openCapture.js';
import { packetsSent } from './recorder/sendsMedia.js';

const log = logger('x:server:Recorder');

/** Options of {@link Recorder.start}. */
export interface RecorderOptions {
  /** The room of the producers. */
  room: Room;
  /** What to record: one audio and/or one video producer. */
  producers: Producer[];
  /**
   * Output file. Its extension picks the container: .webm (VP8/VP9/AV1,
   * opus), .mkv (anything), .mp4 (H264/H265/VP9/AV1, opus). It appears only
   * once the recording is finished.
   */
  file: string;
  /** The ffmpeg binary. Default 'ffmpeg' (Debian package ffmpeg). */
  ffmpegPath?: string;
  /** The ffprobe binary, which checks the finished file. Default 'ffprobe' (Debian package ffmpeg). */
  ffprobePath?: string;
  /** IP ffmpeg listens on. Default 127.0.0.1. */
  listenIP?: string;
}

/** Why a recording ended. */
export type RecordingEndReason =
  /** `stop()` was called. */
  | 'stopped'
  /** Every recorded producer closed (its client closed it), its peer still in the room. */
  | 'producer_closed'
  /** The peer of the recorded producers left the room. */
  | 'peer_left'
  /** The room closed. */
  | 'room_closed'
  /** The media worker of the room and its streamers died. */
  | 'worker_died'
  /** ffmpeg ended by itself (it crashed or was killed). */
  | 'ffmpeg_exited';

/** One producer of a recording, and what of it is in the file. */
export interface RecordedStream {
  /** Media kind. */
  kind: MediaKind;
  /** The producer's id. */
  producerId: number;
  /** Its codec, e.g. 'video/VP8'. */
  mimeType: string;
  /**
   * Its packets in the file. 0: it sent nothing while recorded (a muted
   * microphone, a stopped camera) and the file has no track for it.
   */
  packets: number;
  /**
   * Why it was left out from the start: a camera that sends nothing when the
   * recording starts has no frame size to write (the recording holds the
   * other stream).
   */
  skipped?: string;
}

/** What a finished recording is. */
export interface RecordingResult {
  /** The file. It exists only when `status` is 'done'. */
  file: string;
  /**
   * 'done': `file` is complete and playable (duration and cues written) and
   * holds every stream that sent media. 'failed': there is no file; `error`
   * says why.
   */
  status: 'done' | 'failed';
  /** Why the recording ended. */
  reason: RecordingEndReason;
  /** What went wrong, when `status` is 'failed' (e.g. 'no media was received'). */
  error?: string;
  /** Duration of the media in the file, in ms, as ffprobe reads it (0 when failed). */
  durationMs: number;
  /** Wall-clock time from the start of the recording to its end, in ms. */
  elapsedMs: number;
  /** ffmpeg's exit code (null when it had to be killed, or never started). */
  exitCode: number | null;
  /** The producers asked for, each with what of it is in the file. */
  streams: RecordedStream[];
}

/** Events of a {@link Recorder}. */
export type RecorderEvents = {
  /**
   * The recording ended and its file is finished (or removed): by `stop()`,
   * or because its producers, peer, room, worker or ffmpeg ended.
   */
  close: [result: RecordingResult];
};

const CONTAINERS: Record<string, { container: Container; codecs: RegExp; name: string }> = {
  '.webm': { container: 'webm', codecs: /^(video\/(VP8|VP9|AV1)|audio\/opus)$/i, name: 'WebM' },
  '.mkv': { container: 'matroska', codecs: /./, name: 'Matroska' },
  '.mp4': { container: 'mp4', codecs: /^(video\/(H264|H265|VP9|AV1)|audio\/opus)$/i, name: 'MP4' },
};

const mimeTypeOf = (p: Producer) => p.rtpParameters.codecs[0]?.mimeType ?? '';

/**
 * Records producers to a file with ffmpeg, through RtpStreamers and their
 * SDP: the recording path mediasoup v2 users had to build by hand. The
 * streamers start paused and resume only once ffmpeg listens (so the first
 * key frame is not lost), RTCP goes to ffmpeg for audio/video sync, and key
 * frames are asked for regularly (ffmpeg sends no PLI).
 *
 * Whatever the source does, the recording ends with a finished file or none:
 * a paused or muted source leaves a gap, a stream that never sent anything
 * has no track, and the recording stops by itself, finishing the file, when
 * its producers, peer, room or worker end. ffmpeg is ended with an RTCP BYE
 * per stream (its input ends at once, even when nothing flows), and the file
 * is remuxed when ffmpeg could not finish it.
 *
 * @example
 * ```ts
 * const recorder = await Recorder.start({ room, producers: peer.producers, file: '/tmp/alice.webm' });
 * recorder.on('close', ({ status, reason, error }) => console.log(status, reason, error ?? ''));
 * // ...
 * const { status, file, durationMs } = await recorder.stop();
 * ```
 */
export class Recorder extends Emitter<RecorderEvents> {
  /** The output file. */
  readonly file: string;
  /** The streamers feeding ffmpeg (none for a producer left out at start). */
  readonly streamers: RtpStreamer[];

  readonly #room: Room;
  readonly #producers: Producer[];
  readonly #skipped: Map<Producer, string>;
  readonly #capture: FfmpegCapture;
  readonly #capturePath: string;
  readonly #container: Container;
  readonly #dir: string;
  readonly #binaries: { ffmpegPath: string; ffprobePath: string };
  readonly #started = Date.now();
  readonly #detach: (() => void)[] = [];
  #result: RecordingResult | undefined;
  #ending: Promise<RecordingResult> | undefined;
  /** RTP packets sent to ffmpeg, as last counted (until some are). */
  #sent: number | undefined;
  #sentWatch: NodeJS.Timeout | undefined;

  private constructor(
    options: OpenCapture & {
      room: Room;
      file: string;
      producers: Producer[];
      container: Container;
      binaries: { ffmpegPath: string; ffprobePath: string };
    },
  ) {
    super();
    this.file = options.file;
    this.streamers = options.streamers;
    this.#room = options.room;
    this.#producers = options.producers;
    this.#skipped = options.skipped;
    this.#capture = options.capture;
    this.#capturePath = options.capturePath;
    this.#container = options.container;
    this.#dir = options.dir;
    this.#binaries = options.binaries;

    // The close cascade (peer, room) is synchronous: once it has run, the
    // state of the peer and room says why the streamers closed.
    const onStreamerClose = () => {
      if (this.streamers.every((s) => s.closed)) queueMicrotask(() => void this.#end(this.#why()));
    };
    for (const streamer of this.streamers) streamer.observer.once('close', onStreamerClose);
    // A dead worker closes its routers (before the room hears of it): the streamers go with them.
    const onWorkerClose = () => void this.#end('worker_died');
    const routers = [...new Set(this.streamers.map((s) => s.transport.router))];
    for (const router of routers) router.once('workerclose', onWorkerClose);
    const onRoomClose = () => void this.#end(this.#why());
    this.#room.observer.once('close', onRoomClose);
    this.#detach.push(
      // Every peer of the room is told that it is being recorded, until it ends.
      this.#room.recordingStarted([...new Set(options.producers.map((p) => p.peer.name))]),
      () => {
        for (const router of routers) router.off('workerclose', onWorkerClose);
      },
      () => this.#room.observer.off('close', onRoomClose),
      () => {
        for (const streamer of this.streamers) streamer.observer.off('close', onStreamerClose);
      },
    );
    void this.#capture.exited.then(() => this.#end('ffmpeg_exited'));
    // What ended while it started.
    if (this.#room.closed) void this.#end('room_closed');
    else onStreamerClose();
    // Counted while the streamers live, to tell "nothing was received" once they are gone.
    this.#sentWatch = setInterval(() => {
      void packetsSent(this.streamers).then((sent) => {
        if (sent === undefined) return;
        this.#sent = sent;
        if (sent > 0) clearInterval(this.#sentWatch);
      });
    }, 1000);
    this.#sentWatch.unref();
  }

  /** Starts recording; resolves once ffmpeg listens and the streamers send to it. */
  static async start(options: RecorderOptions): Promise<Recorder> {
    const { room, producers, file } = options;
    const kinds = producers.map((p) => p.kind);
    if (producers.length === 0 || producers.length > 2 || new Set(kinds).size !== kinds.length) {
      throw new TypeError('Recorder needs one audio and/or one video producer');
    }
    const format = CONTAINERS[extname(file).toLowerCase()];
    if (!format) throw new TypeError('Recorder writes .webm, .mkv or .mp4 files');
    const bad = producers.map(mimeTypeOf).filter((m) => !format.codecs.test(m));
    if (bad.length > 0) {
      throw new SfuError(
        'UNSUPPORTED',
        `${format.name} cannot hold ${bad.join(', ')}: record to .mkv instead`,
      );
    }

    const ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
    const opened = await openCapture({
      room,
      producers,
      file,
      format: format.container === 'webm' ? 'webm' : 'matroska',
      ip: options.listenIP ?? '127.0.0.1',
      ffmpegPath,
    });
    log.debug(
      'recording %s to %s',
      opened.streamers.map((s) => s.consumer.source.id).join(','),
      file,
    );
    return new Recorder({
      ...opened,
      room,
      file,
      producers,
      container: format.container,
      binaries: { ffmpegPath, ffprobePath: options.ffprobePath ?? 'ffprobe' },
    });
  }

  /** Whether the recording has ended and its file is finished. */
  get closed(): boolean {
    return this.#result !== undefined;
  }

  /**
   * Stops recording: the streamers close, ffmpeg finishes the file, which is
   * then checked. Resolves with the result (the same one if it had already
   * ended by itself).
   */
  stop(): Promise<RecordingResult> {
    return this.#end('stopped');
  }

  #why(): RecordingEndReason {
    if (this.#room.closed) return 'room_closed';
    if (this.#producers.every((p) => p.peer.closed)) return 'peer_left';
    return 'producer_closed';
  }

  #end(reason: RecordingEndReason): Promise<RecordingResult> {
    this.#ending ??= this.#finish(reason);
    return this.#ending;
  }

  async #finish(reason: RecordingEndReason): Promise<RecordingResult> {
    const elapsedMs = Date.now() - this.#started;
    for (const detach of this.#detach) detach();
    clearInterval(this.#sentWatch);
    let exitCode: number | null = null;
    let finished: FinishedFile;
    try {
      const sent =
        (reason === 'worker_died' ? undefined : await packetsSent(this.streamers)) ?? this.#sent;
      // No more media: what ffmpeg reads after the BYEs is nothing.
      for (const streamer of this.streamers) streamer.close();
      const exit = await this.#capture.stop();
      exitCode = exit.code;
      finished = await finishFile({
        capture: this.#capturePath,
        file: this.file,
        container: this.#container,
        exit,
        received: sent === undefined ? undefined : sent > 0,
        ...this.#binaries,
      });
    } catch (error) {
      // Not expected (each step handles its own failures): still a result, and no file.
      await this.#capture.stop();
      await rm(this.#capturePath, { force: true }).catch(() => undefined);
      await rm(this.file, { force: true }).catch(() => undefined);
      finished = { status: 'failed', error: (error as Error).message, probe: undefined };
    }
    await rm(this.#dir, { recursive: true, force: true }).catch(() => undefined);
    this.#result = {
      file: this.file,
      status: finished.status,
      reason,
      ...(finished.status === 'failed' ? { error: finished.error } : {}),
      durationMs:
        finished.status === 'done' ? Math.round((finished.probe.duration ?? 0) * 1000) : 0,
      elapsedMs,
      exitCode,
      streams: this.#streamsOf(finished),
    };
    if (finished.status === 'failed') {
      log.warn('recording %s failed (%s): %s', this.file, reason, finished.error);
    } else {
      log.debug('recording %s done (%s, %d ms)', this.file, reason, this.#result.durationMs);
    }
    this.safeEmit('close', this.#result);
    return this.#result;
  }

  #streamsOf(finished: FinishedFile): RecordedStream[] {
    return this.#producers.map((producer) => {
      const track =
        finished.status === 'done'
          ? finished.probe.streams.find((s) => s.kind === producer.kind)
          : undefined;
      const skipped = this.#skipped.get(producer);
      return {
        kind: producer.kind,
        producerId: producer.id,
        mimeType: mimeTypeOf(producer),
        packets: track?.packets ?? 0,
        ...(skipped ? { skipped } : {}),
      };
    });
  }
}
