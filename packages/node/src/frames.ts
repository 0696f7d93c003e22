import type { I420Frame } from './VideoSource.js';
import { loadWebRtc } from './webrtc.js';

/** Decoded audio of a track: 16-bit PCM, interleaved when stereo (usually 10 ms). */
export interface AudioFrame {
  /** The samples, interleaved when stereo. */
  samples: Int16Array;
  /** Samples per second (per channel). */
  sampleRate: number;
  /** 1 or 2. */
  channels: number;
}

/** Options of the frame streams. */
export interface FrameStreamOptions {
  /**
   * Frames kept for a reader that falls behind: past this many, the oldest
   * are dropped (a slow model must not make the process grow). Default 100.
   */
  maxQueued?: number;
}

/**
 * The decoded frames of a track, as an async iterator: a consumer's audio
 * (`for await (const frame of audioFrames(await consumer.receive(transport)))`).
 * It ends when the track ends, or when the loop is left (`break`).
 */
export function audioFrames(
  track: MediaStreamTrack,
  options: FrameStreamOptions = {},
): AsyncIterableIterator<AudioFrame> {
  const { nonstandard } = loadWebRtc();
  const sink = new nonstandard.RTCAudioSink(track as never);
  return stream<AudioFrame>(track, options, (push) => {
    sink.ondata = (data: { samples: Int16Array; sampleRate: number; channelCount?: number }) =>
      push({
        samples: Int16Array.from(data.samples),
        sampleRate: data.sampleRate,
        channels: data.channelCount ?? 1,
      });
    return () => sink.stop();
  });
}

/** The decoded I420 frames of a video track, as an async iterator (see {@link audioFrames}). */
export function videoFrames(
  track: MediaStreamTrack,
  options: FrameStreamOptions = {},
): AsyncIterableIterator<I420Frame> {
  const { nonstandard } = loadWebRtc();
  const sink = new nonstandard.RTCVideoSink(track as never);
  return stream<I420Frame>(track, options, (push) => {
    sink.onframe = ({ frame }: { frame: I420Frame }) =>
      push({ width: frame.width, height: frame.height, data: Uint8Array.from(frame.data) });
    return () => sink.stop();
  });
}

/** A bounded queue of frames read as an async iterator. */
function stream<T>(
  track: MediaStreamTrack,
  options: FrameStreamOptions,
  start: (push: (frame: T) => void) => () => void,
): AsyncIterableIterator<T> {
  const max = options.maxQueued ?? 100;
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const stop = start((frame) => {
    if (done) return;
    queue.push(frame);
    if (queue.length > max) queue.shift();
    wake?.();
  });
  const finish = () => {
    if (done) return;
    done = true;
    stop();
    wake?.();
  };
  track.addEventListener?.('ended', finish);
  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      const value = queue.shift();
      if (value !== undefined) return { value, done: false };
      return { value: undefined, done: true };
    },
    async return(): Promise<IteratorResult<T>> {
      finish();
      queue.length = 0;
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
