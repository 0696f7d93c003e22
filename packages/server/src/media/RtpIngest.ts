import { isIPv6 } from 'node:net';
import type { AppData, MediaKind, RtpParameters } from '@x/protocol';
import { randomId } from '../util/ids.js';
import type { Peer } from './Peer.js';
import type { PlainRtpTransport } from './PlainRtpTransport.js';
import type { Producer } from './Producer.js';
import type { ResolvedSettings } from './ServerSettings.js';

/** Options of `room.createRtpIngest()`. */
export interface RtpIngestOptions {
  /**
   * Name of the server-side peer that produces the stream, as other peers see
   * it (reused if it exists). Default 'rtp-ingest'.
   */
  peerName?: string;
  /** appData of that peer, when it is created. */
  peerAppData?: AppData;
  /** Media kind. */
  kind: MediaKind;
  /** The codec the sender uses: MIME type, payload type, clock rate (channels and fmtp parameters if any). */
  codec: {
    /** MIME type, e.g. 'video/VP8' or 'audio/opus'. */
    mimeType: string;
    /** Payload type of the sender's RTP. */
    payloadType: number;
    /** Clock rate in Hz. */
    clockRate: number;
    /** Number of audio channels (audio only). */
    channels?: number;
    /** Codec-specific parameters (fmtp). */
    parameters?: Record<string, string | number>;
  };
  /** SSRC the sender uses (ffmpeg: `-ssrc`). */
  ssrc: number;
  /** Local IP to listen on. Default: rtcIPv4 (else rtcIPv6) of the server settings. */
  listenIP?: string;
  /**
   * RTCP on the RTP port. Default false: ffmpeg and GStreamer send RTCP from
   * a socket of its own, and the transport learns each address from the
   * first packet on each port.
   */
  rtcpMux?: boolean;
  /** appData of the producer, given to its consumers. */
  appData?: AppData;
}

/**
 * An external RTP stream brought into a room (the mirror of RtpStreamer): a
 * {@link PlainRtpTransport} that learns the sender's address from its first
 * packet, and a {@link Producer} of a server-side peer that every other peer
 * consumes like any other. Created by `room.createRtpIngest()`.
 */
export class RtpIngest {
  /** The server-side peer that produces the stream. */
  readonly peer: Peer;
  /** The plain transport the sender sends to. */
  readonly transport: PlainRtpTransport;
  /** The producer peers consume. */
  readonly producer: Producer;

  private constructor(peer: Peer, transport: PlainRtpTransport, producer: Producer) {
    this.peer = peer;
    this.transport = transport;
    this.producer = producer;
  }

  /** @internal `room.createRtpIngest()`, on the room's server-side peer. */
  static async create(
    peer: Peer,
    options: RtpIngestOptions,
    settings: ResolvedSettings,
  ): Promise<RtpIngest> {
    const listenIp = options.listenIP ?? settings.rtcIPv4 ?? settings.rtcIPv6;
    const transport = await peer.createPlainRtpTransport({
      id: randomId({ has: (id) => peer.getTransportById(id) !== undefined }),
      direction: 'send',
      ipFamily: listenIp && isIPv6(listenIp) ? 6 : 4,
      rtcpMux: options.rtcpMux ?? false,
      comedia: true,
      listenIp: listenIp ? { ip: listenIp } : undefined,
    });
    try {
      const producer = await peer.produce({
        id: randomId({ has: (id) => peer.getProducerById(id) !== undefined }),
        transportId: transport.id,
        kind: options.kind,
        rtpParameters: ingestParameters(options),
        appData: options.appData,
      });
      return new RtpIngest(peer, transport, producer);
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  /** Whether the ingest is closed (its producer is). */
  get closed(): boolean {
    return this.producer.closed;
  }

  /** IP the sender sends to. */
  get localIP(): string {
    return this.transport.localIP;
  }

  /** Port the sender sends RTP to. */
  get localPort(): number {
    return this.transport.localPort;
  }

  /** Port the sender sends RTCP to (the RTP port when multiplexed). */
  get localRtcpPort(): number {
    return this.transport.localRtcpPort;
  }

  /** An `rtp://` URL for senders such as ffmpeg (`-f rtp <url>`). */
  get url(): string {
    const host = this.localIP.includes(':') ? `[${this.localIP}]` : this.localIP;
    return `rtp://${host}:${this.localPort}?rtcpport=${this.localRtcpPort}&pkt_size=1200`;
  }

  /**
   * Closes the transport and the producer (the peers' consumers close); the
   * server-side peer closes too once it has no transport left.
   */
  close(): void {
    this.transport.close();
    if (!this.peer.closed && this.peer.transports.length === 0) this.peer.close();
  }
}

/** What the sender sends, as a producer's RTP parameters (video asks for NACK, PLI and FIR). */
function ingestParameters(options: RtpIngestOptions): RtpParameters {
  const { codec, kind, ssrc } = options;
  return {
    codecs: [
      {
        mimeType: codec.mimeType,
        payloadType: codec.payloadType,
        clockRate: codec.clockRate,
        channels: codec.channels,
        parameters: codec.parameters ?? {},
        rtcpFeedback:
          kind === 'video'
            ? [
                { type: 'nack' },
                { type: 'nack', parameter: 'pli' },
                { type: 'ccm', parameter: 'fir' },
              ]
            : [],
      },
    ],
    encodings: [{ ssrc }],
  };
}
