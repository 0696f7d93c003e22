import { Emitter, logger, Observer } from '@x/shared';
import type { Consumer } from './Consumer.js';
import type { PlainRtpTransport } from './PlainRtpTransport.js';
import { rtpStreamerSdp } from './sdp.js';

const log = logger('x:server:RtpStreamer');

/** Options of `room.createRtpStreamer()` (mediasoup v2's RtpStreamerOptions, plus a few). */
export interface RtpStreamerOptions {
  /** Destination IP. */
  remoteIP: string;
  /** Destination port (RTP, and RTCP when multiplexed). */
  remotePort: number;
  /**
   * Local IP. Given: the transport binds any free port outside
   * rtcMinPort–rtcMaxPort. Default: rtcIPv4 or rtcIPv6 of the server
   * settings (following remoteIP's family), with a port from the range.
   */
  localIP?: string;
  /** RTCP on the RTP port (default true, as in v2). False: RTCP goes to `remoteRtcpPort`. */
  rtcpMux?: boolean;
  /** Destination port of RTCP when `rtcpMux` is false. Default `remotePort + 1` (what ffmpeg expects). */
  remoteRtcpPort?: number;
  /**
   * Start paused; call `rtpStreamer.consumer.resume()` once the receiver
   * listens, so that the first key frame is not lost. Default false.
   */
  paused?: boolean;
  /**
   * Ask the producer for a key frame this often, in ms, for receivers that
   * never send PLI or FIR (ffmpeg). Default: never (only at start and resume).
   */
  keyFrameRequestInterval?: number;
}

/** Events of an {@link RtpStreamer}. */
export type RtpStreamerEvents = {
  /** The streamer closed: by `close()`, or because its producer or room closed. */
  close: [];
};

/**
 * Relays a producer's RTP and RTCP to an IP and port as plain RTP (mediasoup
 * v2's RtpStreamer): a {@link Consumer} with no peer on a
 * {@link PlainRtpTransport}. Created by `room.createRtpStreamer()`.
 */
export class RtpStreamer extends Emitter<RtpStreamerEvents> {
  /** What the server's own subsystems watch: the same events as the streamer's. */
  readonly observer = new Observer<RtpStreamerEvents>();
  // Read only, at run time too (the seed page): getters without setters.
  readonly #consumer: Consumer;
  readonly #transport: PlainRtpTransport;
  readonly #remoteIP: string;
  readonly #remotePort: number;
  #closed = false;
  #keyFrameTimer: NodeJS.Timeout | undefined;

  /** @internal Created by `room.createRtpStreamer()`. */
  constructor(options: {
    consumer: Consumer;
    transport: PlainRtpTransport;
    options: RtpStreamerOptions;
  }) {
    super();
    this.#consumer = options.consumer;
    this.#transport = options.transport;
    this.#remoteIP = options.options.remoteIP;
    this.#remotePort = options.options.remotePort;
    this.#consumer.observer.once('close', () => this.close());
    this.#transport.observer.once('close', () => this.close());
    const interval = options.options.keyFrameRequestInterval;
    if (interval !== undefined && interval > 0) {
      this.#keyFrameTimer = setInterval(
        () => {
          if (!this.consumer.paused) this.consumer.requestKeyFrame().catch(() => undefined);
        },
        Math.max(100, interval),
      );
      this.#keyFrameTimer.unref();
    }
    log.debug(
      'streamer of producer %d to %s:%d',
      this.consumer.source.id,
      this.remoteIP,
      this.remotePort,
    );
  }

  /** The generated consumer (read only): its `rtpParameters` say what a receiver gets. */
  get consumer(): Consumer {
    return this.#consumer;
  }

  /** The generated plain RTP transport (read only). */
  get transport(): PlainRtpTransport {
    return this.#transport;
  }

  /** Destination IP. */
  get remoteIP(): string {
    return this.#remoteIP;
  }

  /** Destination port. */
  get remotePort(): number {
    return this.#remotePort;
  }

  /** Whether it is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Destination port of RTCP: the RTP port when multiplexed. */
  get remoteRtcpPort(): number {
    return this.transport.rtcpTuple?.remotePort ?? this.remotePort;
  }

  /** Whether RTCP shares the RTP port. */
  get rtcpMux(): boolean {
    return this.transport.rtcpTuple === undefined;
  }

  /**
   * The SDP a receiver (ffmpeg, GStreamer, VLC) opens to receive this stream.
   * For audio and video in one file, give both streamers to `rtpStreamerSdp()`.
   */
  sdp(): string {
    return rtpStreamerSdp([this]);
  }

  /** Closes its consumer and transport, and emits `close` once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#keyFrameTimer) clearInterval(this.#keyFrameTimer);
    this.consumer.close();
    this.transport.close();
    this.observer.notify('close');
    this.safeEmit('close');
  }
}
