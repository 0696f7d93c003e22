import { loadWebRtc } from './webrtc.js';

/** Options of an {@link AudioSource}. */
export interface AudioSourceOptions {
  /** Samples per second. Default 48000. */
  sampleRate?: number;
  /** 1 (mono) or 2 (interleaved stereo). Default 1. */
  channels?: 1 | 2;
}

/**
 * A microphone the program plays into: push 16-bit PCM (any length) with
 * {@link push}; it reaches libwebrtc in the 10 ms frames it takes, and its
 * {@link track} is what a producer sends.
 */
export class AudioSource {
  /** The track to send (`room.createProducer(source.track)`). */
  readonly track: MediaStreamTrack;
  /** Samples per second. */
  readonly sampleRate: number;
  /** Channels (interleaved when 2). */
  readonly channels: 1 | 2;
  readonly #source: InstanceType<ReturnType<typeof loadWebRtc>['nonstandard']['RTCAudioSource']>;
  readonly #frame: number;
  #pending = new Int16Array(0);

  constructor(options: AudioSourceOptions = {}) {
    const { nonstandard } = loadWebRtc();
    this.sampleRate = options.sampleRate ?? 48_000;
    this.channels = options.channels ?? 1;
    this.#frame = (this.sampleRate / 100) * this.channels;
    this.#source = new nonstandard.RTCAudioSource();
    this.track = this.#source.createTrack() as unknown as MediaStreamTrack;
  }

  /** Plays samples (interleaved when stereo); whole 10 ms frames go out now, the rest with the next push. */
  push(samples: Int16Array): void {
    let data = samples;
    if (this.#pending.length > 0) {
      data = new Int16Array(this.#pending.length + samples.length);
      data.set(this.#pending);
      data.set(samples, this.#pending.length);
    }
    let offset = 0;
    for (; offset + this.#frame <= data.length; offset += this.#frame) {
      this.#source.onData({
        samples: data.slice(offset, offset + this.#frame),
        sampleRate: this.sampleRate,
        bitsPerSample: 16,
        channelCount: this.channels,
        numberOfFrames: this.#frame / this.channels,
      });
    }
    this.#pending = data.slice(offset);
  }

  /** Stops the track. */
  close(): void {
    this.track.stop();
  }
}

/** Options of a {@link ToneSource}. */
export interface ToneOptions {
  /** Frequency in Hz. */
  frequency: number;
  /** Peak amplitude, 0 to 1. Default 0.3. */
  amplitude?: number;
  /** Samples per second. Default 48000. */
  sampleRate?: number;
}

/**
 * A sine tone played in real time (10 ms at a time, on a timer): the test
 * signal of a bot, and the shape of any source that plays as it goes.
 */
export class ToneSource {
  /** The track to send. */
  readonly track: MediaStreamTrack;
  /** Its frequency, in Hz. */
  readonly frequency: number;
  readonly #source: AudioSource;
  readonly #timer: NodeJS.Timeout;
  #phase = 0;
  #sent = 0;
  readonly #started = performance.now();

  constructor(options: ToneOptions) {
    this.frequency = options.frequency;
    this.#source = new AudioSource({ sampleRate: options.sampleRate });
    this.track = this.#source.track;
    const amplitude = Math.round(32767 * (options.amplitude ?? 0.3));
    const rate = this.#source.sampleRate;
    const step = (2 * Math.PI * this.frequency) / rate;
    // A timer drifts: each tick plays what the clock says is due.
    this.#timer = setInterval(() => {
      const due = Math.floor(((performance.now() - this.#started) / 1000) * rate) - this.#sent;
      if (due <= 0) return;
      const samples = new Int16Array(due);
      for (let i = 0; i < due; i++) {
        samples[i] = Math.round(amplitude * Math.sin(this.#phase));
        this.#phase += step;
      }
      this.#phase %= 2 * Math.PI;
      this.#sent += due;
      this.#source.push(samples);
    }, 10);
  }

  /** Stops the tone and its track. */
  close(): void {
    clearInterval(this.#timer);
    this.#source.close();
  }
}
