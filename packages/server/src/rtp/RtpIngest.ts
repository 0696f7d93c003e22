import type { AppData, MediaKind } from '@x/protocol';
import type { Peer } from '../media/Peer.js';
import type { PlainRtpTransport } from '../media/PlainRtpTransport.js';
import type { Producer } from '../media/Producer.js';

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
    mimeType: string;
    payloadType: number;
    clockRate: number;
    channels?: number;
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

  /** @internal */
  constructor(options: { peer: Peer; transport: PlainRtpTransport; producer: Producer }) {
    this.peer = options.peer;
    this.transport = options.transport;
    this.producer = options.producer;
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
