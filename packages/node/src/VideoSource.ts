import { loadWebRtc } from './webrtc.js';

/** A video frame in I420 (planar YUV 4:2:0): `width × height` Y, then U and V at half size. */
export interface I420Frame {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width * height * 3 / 2` bytes. */
  data: Uint8Array;
}

/**
 * A camera the program draws: push I420 frames with {@link push}; its
 * {@link track} is what a producer sends.
 */
export class VideoSource {
  /** The track to send (`room.createProducer(source.track)`). */
  readonly track: MediaStreamTrack;
  readonly #source: InstanceType<ReturnType<typeof loadWebRtc>['nonstandard']['RTCVideoSource']>;

  constructor(options: { isScreencast?: boolean } = {}) {
    const { nonstandard } = loadWebRtc();
    this.#source = new nonstandard.RTCVideoSource({ isScreencast: options.isScreencast ?? false });
    this.track = this.#source.createTrack() as unknown as MediaStreamTrack;
  }

  /** Sends a frame. Throws a TypeError when its data is not `width * height * 3 / 2` bytes. */
  push(frame: I420Frame): void {
    const expected = (frame.width * frame.height * 3) / 2;
    if (frame.data.byteLength !== expected)
      throw new TypeError(
        `an I420 frame of ${frame.width}×${frame.height} has ${expected} bytes, not ${frame.data.byteLength}`,
      );
    this.#source.onFrame(frame);
  }

  /** Stops the track. */
  close(): void {
    this.track.stop();
  }
}

/** Options of a {@link TestPatternSource}. */
export interface TestPatternOptions {
  /** Width in pixels (even). Default 640. */
  width?: number;
  /** Height in pixels (even). Default 480. */
  height?: number;
  /** Frames per second. Default 30. */
  fps?: number;
}

/**
 * Moving colour bars, drawn in real time: the test video of a bot (every
 * frame differs, so an encoder never idles and a receiver sees motion).
 */
export class TestPatternSource {
  /** The track to send. */
  readonly track: MediaStreamTrack;
  /** Frame width, in pixels. */
  readonly width: number;
  /** Frame height, in pixels. */
  readonly height: number;
  readonly #source: VideoSource;
  readonly #timer: NodeJS.Timeout;
  #frame = 0;

  constructor(options: TestPatternOptions = {}) {
    this.width = options.width ?? 640;
    this.height = options.height ?? 480;
    if (this.width % 2 || this.height % 2) throw new TypeError('width and height must be even');
    this.#source = new VideoSource();
    this.track = this.#source.track;
    this.#timer = setInterval(() => this.#draw(), 1000 / (options.fps ?? 30));
  }

  #draw(): void {
    const { width, height } = this;
    const data = new Uint8Array((width * height * 3) / 2);
    const shift = (this.#frame++ * 4) % width;
    // Eight vertical bars that slide right: every row of a plane is the same,
    // so one row is computed and copied (a 720p frame costs ~1 ms, not ~15).
    const bar = (x: number) => Math.floor((((x + shift) % width) * 8) / width);
    const luma = new Uint8Array(width);
    for (let x = 0; x < width; x++) luma[x] = 16 + bar(x) * 27;
    for (let y = 0; y < height; y++) data.set(luma, y * width);
    const half = width / 2;
    const u = new Uint8Array(half);
    const v = new Uint8Array(half);
    for (let x = 0; x < half; x++) {
      u[x] = 64 + bar(x * 2) * 16;
      v[x] = 192 - bar(x * 2) * 16;
    }
    const uStart = width * height;
    const vStart = uStart + uStart / 4;
    for (let y = 0; y < height / 2; y++) {
      data.set(u, uStart + y * half);
      data.set(v, vStart + y * half);
    }
    this.#source.push({ width, height, data });
  }

  /** Stops drawing, and the track. */
  close(): void {
    clearInterval(this.#timer);
    this.#source.close();
  }
}
